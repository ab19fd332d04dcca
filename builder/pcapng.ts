// pcapng writer (draft-ietf-opsawg-pcapng): sections (SHB in either byte order), interfaces (IDB with
// if_tsresol), EPB, SPB, the obsolete Packet Block, ISB, custom and unknown blocks.
import { ChunkedOutput, DEFAULT_CHUNK_SIZE, splitTime, type ChunkSink, type TimeInput } from "./sink.js";

/** pcapng block types (pcapng §4, §11.1). */
export enum BlockType {
  SECTION_HEADER = 0x0a0d0d0a,
  INTERFACE_DESCRIPTION = 0x00000001,
  /** Obsolete Packet Block (pcapng Appendix A). */
  PACKET = 0x00000002,
  SIMPLE_PACKET = 0x00000003,
  INTERFACE_STATISTICS = 0x00000005,
  ENHANCED_PACKET = 0x00000006,
  /** Custom Block that may be copied to new files. */
  CUSTOM_COPYABLE = 0x00000bad,
  /** Custom Block that must not be copied. */
  CUSTOM_NO_COPY = 0x40000bad,
}

/** The byte-order magic of a Section Header Block. */
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** One option: code and raw value (padding and opt_endofopt are added by the writer). */
export interface PcapngOption {
  code: number;
  value: Uint8Array;
}

/** Option codes used here (pcapng §4.2, §4.3, §4.6). */
export const OptionCode = {
  opt_comment: 1,
  shb_userappl: 4,
  if_name: 2,
  if_tsresol: 9,
  epb_flags: 2,
  isb_starttime: 2,
  isb_endtime: 3,
  isb_ifrecv: 4,
  isb_ifdrop: 5,
} as const;

/** if_tsresol: 10^-exp or 2^-exp seconds per timestamp unit. */
export type TsResol = "us" | "ns" | { base: 10 | 2; exp: number };

export interface InterfaceOptions {
  linktype: number;
  snaplen?: number;
  /** Default: no if_tsresol option, which means microseconds. */
  tsresol?: TsResol;
  name?: string;
  /** Write if_tsresol even for microseconds. */
  explicitTsresol?: boolean;
}

export interface SectionOptions {
  byteOrder?: "le" | "be";
  /** shb_userappl. */
  userappl?: string;
  options?: PcapngOption[];
}

export interface PcapngWriterOptions extends SectionOptions {
  chunkSize?: number;
  reuseChunks?: boolean;
}

const enc = new TextEncoder();

/** A UTF-8 string option. */
export function stringOption(code: number, text: string): PcapngOption {
  return { code, value: enc.encode(text) };
}

interface IfState {
  /** Timestamp unit = 10^-exp (base 10) or 2^-exp (base 2) seconds. */
  base: 10 | 2;
  exp: number;
  snaplen: number;
}

/** Streams a pcapng file to a sink. The constructor writes the first Section Header Block. */
export class PcapngWriter {
  readonly out: ChunkedOutput;
  le = true;
  private ifs: IfState[] = [];
  /** Blocks written (every type). */
  blocks = 0;
  /** Packet blocks written (EPB, SPB, PB). */
  packets = 0;

  constructor(sink: ChunkSink, opts: PcapngWriterOptions = {}) {
    this.out = new ChunkedOutput(sink, opts.chunkSize ?? DEFAULT_CHUNK_SIZE, opts.reuseChunks ?? false);
    this.section(opts);
  }

  /** Start a new section (SHB): new byte order, interface IDs start again from 0. */
  section(opts: SectionOptions = {}): void {
    this.le = (opts.byteOrder ?? "le") === "le";
    this.ifs = [];
    const options = [...(opts.options ?? [])];
    if (opts.userappl !== undefined) options.push(stringOption(OptionCode.shb_userappl, opts.userappl));
    const body = new Uint8Array(16);
    const v = new DataView(body.buffer);
    v.setUint32(0, BYTE_ORDER_MAGIC, this.le);
    v.setUint16(4, 1, this.le);
    v.setUint16(6, 0, this.le);
    // Section length -1: not specified (pcapng §4.1).
    v.setInt32(8, -1, this.le);
    v.setInt32(12, -1, this.le);
    this.block(BlockType.SECTION_HEADER, body, options);
  }

  /** Describe an interface (IDB) and return its ID within the current section. */
  addInterface(opts: InterfaceOptions): number {
    const r = opts.tsresol ?? "us";
    const st: IfState =
      r === "us"
        ? { base: 10, exp: 6, snaplen: 0 }
        : r === "ns"
          ? { base: 10, exp: 9, snaplen: 0 }
          : { base: r.base, exp: r.exp, snaplen: 0 };
    st.snaplen = opts.snaplen ?? 0;
    const options: PcapngOption[] = [];
    if (opts.name !== undefined) options.push(stringOption(OptionCode.if_name, opts.name));
    if (opts.tsresol !== undefined && (opts.tsresol !== "us" || opts.explicitTsresol)) {
      options.push({
        code: OptionCode.if_tsresol,
        value: Uint8Array.of(st.base === 2 ? 0x80 | st.exp : st.exp),
      });
    }
    const body = new Uint8Array(8);
    const v = new DataView(body.buffer);
    v.setUint16(0, opts.linktype, this.le);
    v.setUint16(2, 0, this.le);
    v.setUint32(4, st.snaplen, this.le);
    this.block(BlockType.INTERFACE_DESCRIPTION, body, options);
    this.ifs.push(st);
    return this.ifs.length - 1;
  }

  /** Timestamp in the interface's units, as [high, low] 32-bit words. */
  private units(ifId: number, sec: number, nsec: number): [number, number] {
    const st = this.ifs[ifId] ?? { base: 10, exp: 6, snaplen: 0 };
    if (st.base === 10 && st.exp === 6) {
      const u = sec * 1e6 + Math.floor(nsec / 1000);
      return [Math.floor(u / 4294967296), u >>> 0];
    }
    if (st.base === 10 && st.exp === 9) {
      // sec·10^9 overflows a double's 53 bits: sec·10^9 = (sec·1953125)·2^9, split at bit 32.
      const a = sec * 1953125;
      let hi = Math.floor(a / 8388608);
      let lo = (a - hi * 8388608) * 512 + nsec;
      if (lo >= 4294967296) {
        hi += Math.floor(lo / 4294967296);
        lo %= 4294967296;
      }
      return [hi, lo];
    }
    const ns = BigInt(sec) * 1_000_000_000n + BigInt(nsec);
    let u: bigint;
    if (st.base === 2) u = (ns << BigInt(st.exp)) / 1_000_000_000n;
    else if (st.exp <= 9) u = ns / 10n ** BigInt(9 - st.exp);
    else u = ns * 10n ** BigInt(st.exp - 9);
    return [Number((u >> 32n) & 0xffffffffn), Number(u & 0xffffffffn)];
  }

  /** Enhanced Packet Block. `origLen` defaults to the byte count; bytes beyond the interface snaplen are cut. */
  addPacket(
    ifId: number,
    ts: TimeInput,
    bytes: Uint8Array,
    origLen?: number,
    options: PcapngOption[] = [],
  ): void {
    const [sec, nsec] = splitTime(ts);
    this.writeEnhanced(ifId, sec, nsec, bytes, 0, bytes.length, origLen, options);
  }

  /** Enhanced Packet Block from bytes[start..end): the allocation-light form. */
  writeEnhanced(
    ifId: number,
    sec: number,
    nsec: number,
    bytes: Uint8Array,
    start = 0,
    end = bytes.length,
    origLen?: number,
    options: PcapngOption[] = [],
  ): void {
    const len = end - start;
    const snap = this.ifs[ifId]?.snaplen ?? 0;
    const caplen = snap > 0 ? Math.min(snap, len) : len;
    const [hi, lo] = this.units(ifId, sec, nsec);
    const optLen = optionsLength(options);
    const total = 32 + pad4(caplen) + optLen;
    const o = this.out.reserve(total);
    const v = this.out.view;
    v.setUint32(o, BlockType.ENHANCED_PACKET, this.le);
    v.setUint32(o + 4, total, this.le);
    v.setUint32(o + 8, ifId, this.le);
    v.setUint32(o + 12, hi, this.le);
    v.setUint32(o + 16, lo, this.le);
    v.setUint32(o + 20, caplen, this.le);
    v.setUint32(o + 24, origLen ?? len, this.le);
    this.out.bytes.set(bytes.subarray(start, start + caplen), o + 28);
    this.out.bytes.fill(0, o + 28 + caplen, o + 28 + pad4(caplen));
    this.writeOptions(o + 28 + pad4(caplen), options);
    v.setUint32(o + total - 4, total, this.le);
    this.out.commit(total);
    this.blocks++;
    this.packets++;
  }

  /** Simple Packet Block: interface 0, no timestamp; captured length is min(origLen, interface 0 snaplen). */
  addSimplePacket(bytes: Uint8Array, origLen?: number): void {
    const snap = this.ifs[0]?.snaplen ?? 0;
    const caplen = snap > 0 ? Math.min(snap, bytes.length) : bytes.length;
    const body = new Uint8Array(4 + pad4(caplen));
    new DataView(body.buffer).setUint32(0, origLen ?? bytes.length, this.le);
    body.set(bytes.subarray(0, caplen), 4);
    this.block(BlockType.SIMPLE_PACKET, body, null);
    this.packets++;
  }

  /** Obsolete Packet Block (type 2): 16-bit interface ID and drops count. */
  addObsoletePacket(ifId: number, ts: TimeInput, bytes: Uint8Array, origLen?: number, dropsCount = 0): void {
    const [sec, nsec] = splitTime(ts);
    const [hi, lo] = this.units(ifId, sec, nsec);
    const body = new Uint8Array(20 + pad4(bytes.length));
    const v = new DataView(body.buffer);
    v.setUint16(0, ifId, this.le);
    v.setUint16(2, dropsCount, this.le);
    v.setUint32(4, hi, this.le);
    v.setUint32(8, lo, this.le);
    v.setUint32(12, bytes.length, this.le);
    v.setUint32(16, origLen ?? bytes.length, this.le);
    body.set(bytes, 20);
    this.block(BlockType.PACKET, body, []);
    this.packets++;
  }

  /** Interface Statistics Block. */
  addStatistics(ifId: number, ts: TimeInput, stats: { ifRecv?: bigint; ifDrop?: bigint } = {}): void {
    const [sec, nsec] = splitTime(ts);
    const [hi, lo] = this.units(ifId, sec, nsec);
    const body = new Uint8Array(12);
    const v = new DataView(body.buffer);
    v.setUint32(0, ifId, this.le);
    v.setUint32(4, hi, this.le);
    v.setUint32(8, lo, this.le);
    const options: PcapngOption[] = [];
    const u64 = (code: number, x: bigint) => {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, x, this.le);
      options.push({ code, value: b });
    };
    if (stats.ifRecv !== undefined) u64(OptionCode.isb_ifrecv, stats.ifRecv);
    if (stats.ifDrop !== undefined) u64(OptionCode.isb_ifdrop, stats.ifDrop);
    this.block(BlockType.INTERFACE_STATISTICS, body, options);
  }

  /** Custom Block (pcapng §4.8): Private Enterprise Number then opaque data. */
  addCustom(pen: number, payload: Uint8Array, copyable = true): void {
    const body = new Uint8Array(4 + pad4(payload.length));
    new DataView(body.buffer).setUint32(0, pen, this.le);
    body.set(payload, 4);
    this.block(copyable ? BlockType.CUSTOM_COPYABLE : BlockType.CUSTOM_NO_COPY, body, null);
  }

  /** Any block: `body` is padded to 4 bytes; readers must skip types they do not know. */
  addBlock(type: number, body: Uint8Array): void {
    const padded = new Uint8Array(pad4(body.length));
    padded.set(body);
    this.block(type, padded, null);
  }

  private block(type: number, body: Uint8Array, options: PcapngOption[] | null): void {
    const optLen = options === null ? 0 : optionsLength(options);
    const total = 12 + body.length + optLen;
    const o = this.out.reserve(total);
    const v = this.out.view;
    v.setUint32(o, type, this.le);
    v.setUint32(o + 4, total, this.le);
    this.out.bytes.set(body, o + 8);
    if (options !== null) this.writeOptions(o + 8 + body.length, options);
    v.setUint32(o + total - 4, total, this.le);
    this.out.commit(total);
    this.blocks++;
  }

  private writeOptions(o: number, options: PcapngOption[]): void {
    if (options.length === 0) return;
    const v = this.out.view;
    for (const opt of options) {
      v.setUint16(o, opt.code, this.le);
      v.setUint16(o + 2, opt.value.length, this.le);
      this.out.bytes.set(opt.value, o + 4);
      this.out.bytes.fill(0, o + 4 + opt.value.length, o + 4 + pad4(opt.value.length));
      o += 4 + pad4(opt.value.length);
    }
    v.setUint32(o, 0, this.le); // opt_endofopt
  }

  /** Flush buffered bytes to the sink. */
  close(): void {
    this.out.flush();
  }
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function optionsLength(options: PcapngOption[]): number {
  if (options.length === 0) return 0;
  let n = 4;
  for (const opt of options) n += 4 + pad4(opt.value.length);
  return n;
}
