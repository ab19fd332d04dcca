// Byte sources for live capture: a file, FIFO, usbmon debugfs file or stdin, read in small pieces as they
// arrive (a read returns whatever the kernel has, so a line reaches the analysis at once), and stoppable:
// stop() makes the pending read return end-of-input, so the analysis finishes normally and the summary is
// printed.
//
// Files are opened O_NONBLOCK and polled: a read blocked in the thread pool (usbmon on an idle bus, a FIFO
// without data) cannot be cancelled, and Node joins the thread pool when the process exits, so Ctrl-C would
// hang until the next USB event. usbmon honours O_NONBLOCK (mon_text.c mon_text_read_wait returns
// -EWOULDBLOCK) but has no poll method, hence a timer rather than epoll.
import type { Readable } from "node:stream";
import { streamSource, type ByteSource } from "../capture/source.js";

export interface LiveSource extends ByteSource {
  /** End the input now: the pending and every later read return 0. */
  stop(): void;
  /** Bytes read so far. */
  readonly bytes: number;
}

/** Bytes per read: small enough for low latency, large enough for a busy bus (usbmon text lines are < 200 bytes). */
export const LIVE_READ_SIZE = 64 * 1024;

/** Wait between polls of an input with nothing to read: well inside the 100 ms an event may take to show. */
export const POLL_MS = 10;

/** A source whose reads can be abandoned; reads land in its own buffer so an abandoned read writes nowhere that matters. */
function stoppable(
  readInto: (buf: Uint8Array, stopped: () => boolean) => Promise<number>,
  close: () => Promise<void>,
): LiveSource {
  const buf = new Uint8Array(LIVE_READ_SIZE);
  let stopped = false;
  /** The underlying read in flight, if any: it may outlive a stop. */
  let inflight: Promise<number> | undefined;
  let wake: (() => void) | undefined;
  const stopSignal = new Promise<number>((resolve) => (wake = () => resolve(0)));
  const isStopped = () => stopped;
  const src = {
    bytes: 0,
    async read(into: Uint8Array): Promise<number> {
      if (stopped || into.length === 0) return 0;
      const r = readInto(buf.subarray(0, Math.min(into.length, buf.length)), isStopped);
      inflight = r;
      const clear = () => {
        if (inflight === r) inflight = undefined;
      };
      r.then(clear, clear);
      const n = await Promise.race([r, stopSignal]);
      if (stopped) return 0;
      into.set(buf.subarray(0, n));
      src.bytes += n;
      return n;
    },
    async close() {
      // A read still in flight would hold the close: let it finish on its own.
      if (inflight) void inflight.then(close, close).catch(() => {});
      else await close();
    },
    stop() {
      stopped = true;
      wake?.();
    },
  };
  return src;
}

/** The file handle calls live needs (a node:fs/promises FileHandle). */
export interface LiveHandle {
  read(buf: Uint8Array, offset: number, length: number, position: null): Promise<{ bytesRead: number }>;
  stat(): Promise<{ isFIFO(): boolean; isDirectory(): boolean }>;
  close(): Promise<void>;
}

/** Opener for live files, injectable so tests can simulate open errors (EACCES, ENOENT). */
export type OpenFile = (path: string) => Promise<LiveHandle>;

export const nodeOpen: OpenFile = async (path) => {
  const { open } = await import("node:fs/promises");
  const { constants } = await import("node:fs");
  // O_NONBLOCK: a FIFO opens without waiting for a writer, and reads never park a thread (see above).
  return open(path, constants.O_RDONLY | constants.O_NONBLOCK);
};

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * A file, FIFO or usbmon file; throws the open error (with its errno code) unchanged. A regular file ends at
 * its end (replay); a FIFO ends when its writer closes after sending data (before any data, a read of 0 only
 * means no writer has opened it yet); usbmon never ends by itself.
 */
export async function liveFileSource(path: string, open: OpenFile = nodeOpen): Promise<LiveSource> {
  const handle = await open(path);
  const st = await handle.stat();
  if (st.isDirectory()) {
    // open(2) accepts a directory with O_RDONLY; read(2) would fail with EISDIR at the first byte.
    await handle.close();
    throw Object.assign(new Error(`${path} is a directory`), { code: "EISDIR" });
  }
  const fifo = st.isFIFO();
  let seenData = false;
  return stoppable(
    async (buf, stopped) => {
      for (;;) {
        try {
          const { bytesRead } = await handle.read(buf, 0, buf.length, null);
          if (bytesRead > 0) {
            seenData = true;
            return bytesRead;
          }
          if (!fifo || seenData) return 0;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
        }
        if (stopped()) return 0;
        await sleep(POLL_MS);
      }
    },
    () => handle.close(),
  );
}

/** stdin or any readable stream (a pipe is read through the event loop, never parking a thread). */
export function liveStreamSource(stream: Readable): LiveSource {
  const s = streamSource(stream);
  return stoppable(
    (buf) => s.read(buf),
    () => s.close(),
  );
}
