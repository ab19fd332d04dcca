// Where the writers' bytes go: a chunked output buffer in front of a sink callback, so a writer can
// produce a multi-GB capture (the benchmark) while holding at most one chunk in memory.
import { closeSync, openSync, writeSync } from "node:fs";
import type { Timestamp } from "../src/usb/model.js";

/** Receives each filled chunk, in order. */
export type ChunkSink = (chunk: Uint8Array) => void;

/** A capture time: a {sec, nsec} Timestamp or nanoseconds since the epoch as a bigint. */
export type TimeInput = Timestamp | bigint;

/** Default chunk size: 1 MiB. */
export const DEFAULT_CHUNK_SIZE = 1 << 20;

/** Split a TimeInput into whole seconds and nanoseconds (nsec normalised to 0..999999999). */
export function splitTime(ts: TimeInput): [sec: number, nsec: number] {
  if (typeof ts === "bigint") {
    let sec = ts / 1_000_000_000n;
    let nsec = ts % 1_000_000_000n;
    if (nsec < 0n) {
      nsec += 1_000_000_000n;
      sec -= 1n;
    }
    return [Number(sec), Number(nsec)];
  }
  const carry = Math.floor(ts.nsec / 1e9);
  return [ts.sec + carry, ts.nsec - carry * 1e9];
}

/**
 * A byte buffer that hands full chunks to a sink. Writers call `reserve(n)`, write through `view` or
 * `bytes` at the returned offset, then `commit(n)`. A record never straddles two chunks; a record
 * larger than the chunk size gets a chunk of its own.
 */
export class ChunkedOutput {
  bytes: Uint8Array;
  view: DataView;
  pos = 0;
  /** Bytes handed to the sink so far (file offset of `bytes[0]`). */
  flushed = 0;

  /**
   * @param sink receives filled chunks
   * @param chunkSize chunk size in bytes
   * @param reuse reuse one buffer across flushes: only for sinks that consume the chunk
   *   synchronously (fs.writeSync); asynchronous sinks (streams) need a fresh buffer each time
   */
  constructor(
    private readonly sink: ChunkSink,
    private readonly chunkSize = DEFAULT_CHUNK_SIZE,
    private readonly reuse = false,
  ) {
    this.bytes = new Uint8Array(chunkSize);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Make room for `n` bytes and return the offset to write them at. */
  reserve(n: number): number {
    if (this.pos + n <= this.bytes.length) return this.pos;
    this.flush();
    if (n > this.bytes.length || !this.reuse) {
      this.bytes = new Uint8Array(Math.max(n, this.chunkSize));
      this.view = new DataView(this.bytes.buffer);
    }
    return 0;
  }

  /** Mark `n` reserved bytes written. */
  commit(n: number): void {
    this.pos += n;
  }

  /** Append bytes (reserve + copy + commit). */
  write(src: Uint8Array): void {
    const o = this.reserve(src.length);
    this.bytes.set(src, o);
    this.pos = o + src.length;
  }

  /** Total bytes written so far, flushed or not. */
  get length(): number {
    return this.flushed + this.pos;
  }

  /** Hand the filled part of the chunk to the sink. */
  flush(): void {
    if (this.pos === 0) return;
    this.sink(this.bytes.subarray(0, this.pos));
    this.flushed += this.pos;
    this.pos = 0;
    if (!this.reuse) {
      this.bytes = new Uint8Array(this.chunkSize);
      this.view = new DataView(this.bytes.buffer);
    }
  }
}

/** A sink that keeps every chunk in memory; `toBytes()` joins them. */
export class MemorySink {
  private readonly chunks: Uint8Array[] = [];
  private total = 0;
  readonly sink: ChunkSink = (chunk) => {
    this.chunks.push(chunk);
    this.total += chunk.length;
  };
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.total);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

/** A synchronous file sink (fs.writeSync), safe with `reuse` chunks. Call `close()` after the writer's `close()`. */
export function fileSink(path: string): { sink: ChunkSink; close(): void } {
  const fd = openSync(path, "w");
  return {
    sink: (chunk) => {
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
    },
    close: () => closeSync(fd),
  };
}
