// The streaming capture reader: pulls bytes from a source in fixed chunks straight into the WASM
// input region, lets the core frame and decode them, and hands each batch to the sinks.
// Memory is bounded by the chunk size and the largest record (DESIGN.md "Performance model").
import { CaptureFormat, FormatError, Limits } from "../../as/shared/constants.js";
import { Core, DecodeState, createCore } from "../core/core.js";
import type { RecordSink } from "../usb/model.js";
import type { ByteSource } from "./source.js";
import { formatErrorMessage } from "./formatError.js";
import { looksLikeUsbmonText } from "./sniff.js";

export interface FramingError {
  code: FormatError;
  /** Byte offset in the file where framing stopped. */
  offset: number;
  message: string;
}

/** Records framed on one interface (pcap: the file's one; pcapng: each IDB, in file order across sections). */
export interface InterfaceRecords {
  /** Index in file order across sections (Wireshark's), from 0. */
  interface: number;
  /** The section that described it, from 0. */
  section: number;
  linktype: number;
  records: number;
}

/** Timestamps the core repaired (TimeFix kinds), and the first one. */
export interface TimeFixes {
  count: number;
  /** TimeFix bits seen. */
  kinds: number;
  record: number;
  offset: number;
}

export interface CaptureInfo {
  format: "pcap" | "pcapng" | "usbmon-text" | "usbmon-binary" | "unknown";
  /** Byte order of the (last) section. */
  bigEndian: boolean;
  /** Packet records framed (pcap records or pcapng EPB/SPB/PB), every one handed to the sinks. */
  records: number;
  sections: number;
  interfaces: number;
  customBlocks: number;
  statsBlocks: number;
  nameBlocks: number;
  otherBlocks: number;
  /** Bytes read from the source. */
  bytes: number;
  /** Set when framing stopped before the end of the input. */
  error?: FramingError;
  /**
   * Records per interface, for the first Limits.COUNTED_INTERFACES interfaces; records of later ones are summed
   * in `moreInterfaces` by whether their link type is one usbscope analyses. Custom blocks belong to no interface.
   */
  interfaceRecords: InterfaceRecords[];
  moreInterfaces?: { analysed: number; other: number };
  /** The framing error is in a packet record: that record was read but not framed (interface undefined: unknown). */
  errorRecord?: { interface?: number };
  timeFixes?: TimeFixes;
}

/** Where the bytes go when the input turns out to be usbmon text instead of pcap/pcapng. */
export interface TextSink {
  push(chunk: Uint8Array): void;
  end(): void;
}

export interface ReadOptions {
  /** Largest read (default 4 MiB; the first reads are smaller). Any value gives the same records: see the chunking test. */
  chunkSize?: number;
  core?: Core;
  /** Receives the input when it is usbmon text; without it, text input is an UNKNOWN_MAGIC error. */
  text?: TextSink;
  /**
   * The input is known to be a usbmon binary stream (/dev/usbmonN: mon_bin events with no container),
   * not a file to sniff: its bytes go to this sink as they come, the core is not used.
   */
  usbmonBinary?: TextSink;
  /** Called with the detected format and byte order before the first batch. */
  onFormat?(format: CaptureInfo["format"], bigEndian: boolean): void;
}

const FORMAT_NAMES: Record<number, CaptureInfo["format"]> = {
  [CaptureFormat.PCAP]: "pcap",
  [CaptureFormat.PCAPNG]: "pcapng",
};

/** Bytes of the first read; each later read doubles it, up to the chunk size. */
const FIRST_READ = 64 << 10;

/** Largest input region: the largest record the framer accepts plus its headers. */
const MAX_INPUT = Limits.MAX_RECORD_BYTES + 64;

export async function readCapture(
  source: ByteSource,
  sinks: RecordSink[],
  options: ReadOptions = {},
): Promise<CaptureInfo> {
  if (options.usbmonBinary)
    return readText(source, new Uint8Array(0), false, options.usbmonBinary, 0, options, "usbmon-binary");
  const core = options.core ?? (await createCore());
  const e = core.exports;
  e.reset();
  const chunkSize = Math.max(1, options.chunkSize ?? 4 << 20);
  let avail = 0;
  let eof = false;
  let index = 0;
  let bytes = 0;
  let announced = false;
  let state: number;
  let readSize = Math.min(chunkSize, FIRST_READ);
  for (;;) {
    const capacity = e.inputCapacity();
    // Reads start small and double up to chunkSize: the first batches then take little time each, so V8
    // optimizes the layers' per-record loops between calls instead of compiling an on-stack-replacement
    // copy of each in the middle of one long first batch, then the regular copy (twice the compile).
    const want = Math.min(readSize, capacity - avail);
    readSize = Math.min(chunkSize, readSize * 2);
    if (!eof && want > 0) {
      const input = core.input();
      const n = await source.read(input.subarray(avail, avail + want));
      if (n === 0) eof = true;
      avail += n;
      bytes += n;
    }
    do {
      const count = e.decode(avail, eof ? 1 : 0);
      state = e.state();
      if (!announced && e.format() !== CaptureFormat.UNKNOWN) {
        announced = true;
        options.onFormat?.(FORMAT_NAMES[e.format()] ?? "unknown", e.bigEndian() !== 0);
      }
      if (count > 0) {
        const batch = core.batch;
        batch.firstIndex = index;
        batch.count = count;
        for (const sink of sinks) sink.onBatch(batch);
        index += count;
      }
    } while (state === DecodeState.BATCH_FULL);
    if (
      state === DecodeState.ERROR &&
      e.errorCode() === FormatError.UNKNOWN_MAGIC &&
      e.errorOffset() === 0 &&
      options.text &&
      looksLikeUsbmonText(core.input().subarray(0, avail))
    ) {
      return readText(source, core.input().slice(0, avail), eof, options.text, bytes, options, "usbmon-text");
    }
    if (state === DecodeState.ERROR || state === DecodeState.DONE) break;
    // NEED_MORE: keep the unread tail, grow the region if one record is larger than it.
    const dropped = e.compact();
    if (dropped > 0) {
      core.input().copyWithin(0, dropped, avail);
      avail -= dropped;
    }
    const need = e.needBytes();
    if (need > e.inputCapacity()) {
      if (need > MAX_INPUT || !core.ensureInput(need)) {
        throw new Error(`usbscope: cannot hold a ${need}-byte record in memory`);
      }
    }
  }
  for (const sink of sinks) sink.onEnd();
  const code = e.errorCode() as FormatError;
  const info: CaptureInfo = {
    format: FORMAT_NAMES[e.format()] ?? "unknown",
    bigEndian: e.bigEndian() !== 0,
    records: e.records(),
    sections: e.sections(),
    interfaces: e.interfaces(),
    customBlocks: e.customBlocks(),
    statsBlocks: e.statsBlocks(),
    nameBlocks: e.nameBlocks(),
    otherBlocks: e.otherBlocks(),
    bytes,
    interfaceRecords: [],
  };
  const counted = Math.min(e.interfaces(), Limits.COUNTED_INTERFACES);
  for (let g = 0; g < counted; g++)
    info.interfaceRecords.push({
      interface: g,
      section: e.interfaceSection(g),
      linktype: e.interfaceLinktype(g),
      records: e.interfaceRecords(g),
    });
  if (e.interfaces() > Limits.COUNTED_INTERFACES)
    info.moreInterfaces = { analysed: e.overflowAnalysed(), other: e.overflowOther() };
  if (code !== FormatError.NONE) {
    info.error = { code, offset: e.errorOffset(), message: formatErrorMessage(code) };
    if (e.errorInRecord()) {
      const g = e.errorInterface() >>> 0; // a u32 export arrives as an i32
      info.errorRecord = g === 0xffffffff ? {} : { interface: g };
    }
  }
  if (e.timeFixes() > 0)
    info.timeFixes = {
      count: e.timeFixes(),
      kinds: e.timeFixKinds(),
      record: e.timeFixRecord(),
      offset: e.timeFixOffset(),
    };
  return info;
}

/** Hand the whole input to a sink that parses it itself (usbmon text, or a /dev/usbmonN stream). */
async function readText(
  source: ByteSource,
  head: Uint8Array,
  eof: boolean,
  text: TextSink,
  bytes: number,
  options: ReadOptions,
  format: "usbmon-text" | "usbmon-binary",
): Promise<CaptureInfo> {
  options.onFormat?.(format, false);
  if (head.length > 0) text.push(head);
  const buf = new Uint8Array(64 * 1024);
  while (!eof) {
    const n = await source.read(buf);
    if (n === 0) break;
    bytes += n;
    text.push(buf.subarray(0, n));
  }
  text.end();
  return {
    format,
    bigEndian: false,
    records: 0,
    sections: 0,
    interfaces: 0,
    customBlocks: 0,
    statsBlocks: 0,
    nameBlocks: 0,
    otherBlocks: 0,
    bytes,
    interfaceRecords: [],
  };
}
