// Byte sources for live capture: a file, FIFO, usbmon debugfs file or stdin, read in small pieces as they
// arrive (a read returns whatever the kernel has, so a line reaches the analysis at once), and stoppable:
// stop() makes the pending read return end-of-input, so the analysis finishes normally and the summary is
// printed. A blocking read on a FIFO or on usbmon cannot be cancelled; it is left behind (the process exits).
import type { Readable } from "node:stream";
import type { ByteSource } from "../capture/source.js";
import { streamSource } from "../capture/source.js";

export interface LiveSource extends ByteSource {
  /** End the input now: the pending and every later read return 0. */
  stop(): void;
  /** Bytes read so far. */
  readonly bytes: number;
}

/** Bytes per read: small enough for low latency, large enough for a busy bus (usbmon text lines are < 200 bytes). */
export const LIVE_READ_SIZE = 64 * 1024;

/** A source whose reads can be abandoned; reads land in its own buffer so an abandoned read writes nowhere that matters. */
function stoppable(readInto: (buf: Uint8Array) => Promise<number>, close: () => Promise<void>): LiveSource {
  const buf = new Uint8Array(LIVE_READ_SIZE);
  let stopped = false;
  let pending = false;
  let wake: (() => void) | undefined;
  const stopSignal = new Promise<number>((resolve) => (wake = () => resolve(0)));
  const src = {
    bytes: 0,
    async read(into: Uint8Array): Promise<number> {
      if (stopped || into.length === 0) return 0;
      pending = true;
      const n = await Promise.race([readInto(buf.subarray(0, Math.min(into.length, buf.length))), stopSignal]);
      pending = false;
      if (stopped) return 0;
      into.set(buf.subarray(0, n));
      src.bytes += n;
      return n;
    },
    async close() {
      // A read still blocked in the thread pool would hold the close until data came: do not wait for it.
      if (pending) void close().catch(() => {});
      else await close();
    },
    stop() {
      stopped = true;
      wake?.();
    },
  };
  return src;
}

/** Opener for live files, injectable so tests can simulate open errors (EACCES, ENOENT). */
export type OpenFile = (path: string) => Promise<{ read(buf: Uint8Array, offset: number, length: number, position: null): Promise<{ bytesRead: number }>; close(): Promise<void> }>;

export const nodeOpen: OpenFile = async (path) => {
  const { open } = await import("node:fs/promises");
  return open(path, "r");
};

/** A file, FIFO or usbmon file; throws the open error (with its errno code) unchanged. */
export async function liveFileSource(path: string, open: OpenFile = nodeOpen): Promise<LiveSource> {
  const handle = await open(path);
  return stoppable(async (buf) => (await handle.read(buf, 0, buf.length, null)).bytesRead, () => handle.close());
}

/** stdin or any readable stream. */
export function liveStreamSource(stream: Readable): LiveSource {
  const s = streamSource(stream);
  return stoppable((buf) => s.read(buf), () => s.close());
}
