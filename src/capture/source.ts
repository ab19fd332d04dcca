// Byte sources the capture reader pulls from: a file, or a stream (stdin, a FIFO, a socket).
// read() fills `into` from its start and returns the byte count, 0 at the end of input.
import type { Readable } from "node:stream";

export interface ByteSource {
  read(into: Uint8Array): Promise<number>;
  close(): Promise<void>;
}

let nodeFs: Promise<typeof import("node:fs")> | undefined;

/**
 * A file read sequentially; bytes land straight in the caller's buffer (the WASM input region).
 * Reads block (fs.readSync): the analysis waits for every chunk anyway, and a thread-pool round trip
 * per 4 MiB chunk cost a quarter of the pipeline's time on a cached file (`npm run bench`).
 */
export async function fileSource(path: string): Promise<ByteSource> {
  // Loaded on first use, so this module (and the whole analysis) also loads in a browser; once, not per file:
  // in the bundled command line (a CommonJS script) each import() copies the whole module (verify opens
  // thousands of files).
  const { openSync, readSync, closeSync } = await (nodeFs ??= import("node:fs"));
  const fd = openSync(path, "r");
  let open = true;
  return {
    async read(into) {
      return into.length === 0 ? 0 : readSync(fd, into, 0, into.length, null);
    },
    async close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/** A Node readable stream. Chunks larger than the request are kept for the next read. */
export function streamSource(stream: Readable): ByteSource {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  let pending: Uint8Array | null = null;
  let ended = false;
  return {
    async read(into) {
      if (into.length === 0) return 0;
      while (!pending || pending.length === 0) {
        if (ended) return 0;
        const next = await iterator.next();
        if (next.done) {
          ended = true;
          return 0;
        }
        pending = typeof next.value === "string" ? Buffer.from(next.value) : next.value;
      }
      const n = Math.min(into.length, pending.length);
      into.set(pending.subarray(0, n));
      pending = pending.subarray(n);
      return n;
    },
    async close() {
      if (!ended) await iterator.return?.();
    },
  };
}

/** Bytes already in memory (tests, the browser viewer). */
export function bufferSource(bytes: Uint8Array): ByteSource {
  let at = 0;
  return {
    async read(into) {
      const n = Math.min(into.length, bytes.length - at);
      into.set(bytes.subarray(at, at + n));
      at += n;
      return n;
    },
    async close() {},
  };
}
