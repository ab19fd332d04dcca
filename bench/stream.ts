// Stream a benchmark capture to stdout without a file: `node dist/bench/stream.js bulk|small <MiB>`.
// The 10 GB row of `npm run bench` pipes it into `usbscope analyze -`, so the capture never touches the disk.
import { writeSync } from "node:fs";
import { writeCapture, type CaptureKind } from "./generate.js";

const [kind, mib] = process.argv.slice(2);
if ((kind !== "bulk" && kind !== "small") || !Number(mib)) {
  process.stderr.write("usage: node dist/bench/stream.js bulk|small <MiB>\n");
  process.exit(2);
}
/** A pipe whose reader is slower than us answers EAGAIN when it is non-blocking: wait a moment and retry. */
const pause = new Int32Array(new SharedArrayBuffer(4));
writeCapture(kind as CaptureKind, Number(mib) * (1 << 20), (chunk) => {
  let off = 0;
  while (off < chunk.length) {
    try {
      off += writeSync(1, chunk, off, chunk.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EPIPE") process.exit(0);
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
});
