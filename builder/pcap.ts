// libpcap file writer (tcpdump.org/manpages/pcap-savefile.5): 24-byte file header, then records of
// a 16-byte header and the captured bytes. Either byte order, µs or ns timestamps.
import { ChunkedOutput, DEFAULT_CHUNK_SIZE, splitTime, type ChunkSink, type TimeInput } from "./sink.js";

/** Magic for microsecond timestamps. */
export const PCAP_MAGIC_US = 0xa1b2c3d4;
/** Magic for nanosecond timestamps. */
export const PCAP_MAGIC_NS = 0xa1b23c4d;

export interface PcapOptions {
  /** LINKTYPE_* of every record. */
  linktype: number;
  /** Byte order of headers (and, for usbmon, of the pseudo-header). Default little-endian. */
  byteOrder?: "le" | "be";
  /** Timestamp resolution. Default "us". */
  resolution?: "us" | "ns";
  /** Snap length in the file header; longer packets are cut to it (orig_len keeps the length). Default 262144. */
  snaplen?: number;
  chunkSize?: number;
  /** Reuse the output chunk (only for synchronous sinks). */
  reuseChunks?: boolean;
}

/** Streams a pcap file to a sink; call `close()` to flush the last chunk. */
export class PcapWriter {
  readonly le: boolean;
  readonly ns: boolean;
  readonly snaplen: number;
  readonly linktype: number;
  readonly out: ChunkedOutput;
  /** Records written. */
  count = 0;

  constructor(sink: ChunkSink, opts: PcapOptions) {
    this.le = (opts.byteOrder ?? "le") === "le";
    this.ns = (opts.resolution ?? "us") === "ns";
    this.snaplen = opts.snaplen ?? 262144;
    this.linktype = opts.linktype;
    this.out = new ChunkedOutput(sink, opts.chunkSize ?? DEFAULT_CHUNK_SIZE, opts.reuseChunks ?? false);
    const o = this.out.reserve(24);
    const v = this.out.view;
    v.setUint32(o, this.ns ? PCAP_MAGIC_NS : PCAP_MAGIC_US, this.le);
    v.setUint16(o + 4, 2, this.le);
    v.setUint16(o + 6, 4, this.le);
    v.setInt32(o + 8, 0, this.le); // thiszone
    v.setUint32(o + 12, 0, this.le); // sigfigs
    v.setUint32(o + 16, this.snaplen, this.le);
    v.setUint32(o + 20, opts.linktype, this.le);
    this.out.commit(24);
  }

  /** Append one record; `origLen` defaults to the byte count (set it larger to fake a snap-length cut). */
  addPacket(ts: TimeInput, bytes: Uint8Array, origLen?: number): void {
    const [sec, nsec] = splitTime(ts);
    this.writeRecord(sec, nsec, bytes, 0, bytes.length, origLen);
  }

  /** Append bytes[start..end) as one record at sec + nsec: the allocation-free form. */
  writeRecord(
    sec: number,
    nsec: number,
    bytes: Uint8Array,
    start = 0,
    end = bytes.length,
    origLen?: number,
  ): void {
    const len = end - start;
    const caplen = Math.min(len, this.snaplen);
    const o = this.out.reserve(16 + caplen);
    const v = this.out.view;
    v.setUint32(o, sec >>> 0, this.le);
    v.setUint32(o + 4, this.ns ? nsec : Math.floor(nsec / 1000), this.le);
    v.setUint32(o + 8, caplen, this.le);
    v.setUint32(o + 12, origLen ?? len, this.le);
    this.out.bytes.set(bytes.subarray(start, start + caplen), o + 16);
    this.out.commit(16 + caplen);
    this.count++;
  }

  /** Flush buffered bytes to the sink. */
  close(): void {
    this.out.flush();
  }
}
