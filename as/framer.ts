// Framing pcap and pcapng records in the input region, across chunk boundaries.
// JS reads file bytes into the input region; decode() frames every whole record it finds and
// stops when the next one is incomplete (NEED_MORE), the batch is full, or the input ends.
// JS then moves the unread tail to the front (compact()) and reads on. Records never straddle
// a decode() call, so the packet bytes of a batch are contiguous in the input region.
import {
  CaptureFormat, DecodeState, FormatError, LinkType, Limits, PacketStatus, TimeFix, MIN_TIME_SEC, MAX_TIME_SEC,
} from "./shared/constants";
import {
  batchCapacity, colOffset, colTsSec, colTsNsec, colLinktype, colDataOffset, colDataLength,
  colOrigLength, colInterface, colPid, colStatus, colAddress, colEndpoint, colFrame,
} from "./columns";
import { decodePacket } from "./packet";
import { ensureMemory } from "./memory";

/** pcap file header (24 bytes) and record header (16 bytes), per the pcap spec (draft-ietf-opsawg-pcap). */
const PCAP_FILE_HEADER: u32 = 24;
const PCAP_RECORD_HEADER: u32 = 16;
/** pcapng block types (draft-ietf-opsawg-pcapng §4). */
const BT_SHB: u32 = 0x0a0d0d0a;
const BT_IDB: u32 = 1;
const BT_PB: u32 = 2; // obsolete Packet Block
const BT_SPB: u32 = 3;
const BT_NRB: u32 = 4;
const BT_ISB: u32 = 5;
const BT_EPB: u32 = 6;
const BT_CUSTOM: u32 = 0x00000bad;
const BT_CUSTOM_NOCOPY: u32 = 0x40000bad;
const BYTE_ORDER_MAGIC: u32 = 0x1a2b3c4d;
const OPT_IF_TSRESOL: u32 = 9;
const OPT_IF_TSOFFSET: u32 = 14;

/**
 * Interface table: one row per interface of the current pcapng section, IF_ROW bytes each, read and
 * written only through these field offsets.
 */
const IF_LINKTYPE: usize = 0; // u16: LinkType of the IDB
const IF_TSRESOL_BASE2: usize = 2; // u8: 1 when if_tsresol counts powers of 2, 0 for powers of 10
const IF_TSRESOL_EXP: usize = 3; // u8: the if_tsresol exponent (default 6: microseconds), clamped
const IF_SNAPLEN: usize = 4; // u32: SnapLen of the IDB (0: no limit)
const IF_UNITS_PER_SEC: usize = 8; // u64: timestamp units per second (10^exp or 2^exp)
// Bytes 16..23 are unused: a row stays a power of two.
const IF_TSOFFSET: usize = 24; // i64: if_tsoffset, seconds added to every timestamp
const IF_ROW: usize = 32;
/**
 * Rows of a new core's table. It lies at the end of memory and doubles (memory.grow) when a section
 * describes more interfaces, up to Limits.MAX_INTERFACES rows (32 MiB); memory never shrinks, so a
 * core keeps the largest table a capture needed.
 */
const IF_INITIAL_ROWS: u32 = 256;
export const IF_INITIAL_BYTES: usize = <usize>IF_INITIAL_ROWS * IF_ROW;

/**
 * Records per interface, for the record accounting (README "Reliability"): one row per interface in file
 * order across sections (Wireshark's order), for the first Limits.COUNTED_INTERFACES; records of later
 * interfaces are summed in the state's overflow counters. Fixed size, in static memory.
 */
const IFS_RECORDS: usize = 0; // f64: records framed on this interface
const IFS_LINKTYPE: usize = 8; // u32: its LinkType
const IFS_SECTION: usize = 12; // u32: the section (from 0) that described it
const IFS_ROW: usize = 16;
const IF_STATS: usize = memory.data(<i32>(<usize>Limits.COUNTED_INTERFACES * IFS_ROW), 16);
/** errorInterface when the record in error names no interface the file describes. */
const NO_INTERFACE: u32 = 0xffffffff;

/**
 * The framer's whole state, in one struct at a fixed address of static memory (FRAMER_STATE).
 * The layout fields are set by initFramer (the memory map) and survive resetFramer; everything from
 * `base` on is the state of one capture, and resetFramer zeroes it in one fill. JS reads it through
 * the accessor exports of index.ts (position(), state(), records(), ...). The hot loop (pcapRecords)
 * copies what it uses into locals and writes it back once per call.
 */
// @ts-ignore: decorator
@final @unmanaged class FramerState {
  // Layout (initFramer).
  /** Address of the input region: input[0] is file offset `base`. */
  inputPtr: usize;
  /** Address of the interface table: after the input region, at the end of memory. */
  ifTable: usize;
  /** Rows the interface table has room for. */
  ifCapacity: u32;
  /** Unused: the capture state starts 8-byte aligned. */
  layoutPad: u32;
  // One capture's state (resetFramer): 8-byte fields first, so the struct has no padding.
  /** File offset of input[0]. */
  base: f64;
  /** File offset of the framing error. */
  errorOffset: f64;
  /** Records framed (packet rows written, custom blocks included). */
  records: f64;
  /** Time of the last packet, given to custom blocks (which have no timestamp of their own). */
  lastSec: f64;
  /** Bytes of a skipped block still to skip. */
  skipRemaining: u64;
  /** Timestamps repaired (carried or clamped), the record index and file offset of the first. */
  timeFixes: f64;
  timeFixRecord: f64;
  timeFixOffset: f64;
  /** Records of interfaces past IF_STATS_ROWS: of a link type usbscope analyses, and of others. */
  overflowAnalysed: f64;
  overflowOther: f64;
  /** Offset in the input region of the next record. */
  pos: u32;
  /** Rows written to the packet table by the current decode() call. */
  rows: u32;
  format: u32; // CaptureFormat
  /** Where the last decode() stopped. */
  decodeState: u32; // DecodeState
  errorCode: u32; // FormatError
  /** Bytes from pos that the next step needs (for growing the input region). */
  needBytes: u32;
  lastNsec: u32;
  /** pcap: LinkType of the file header. */
  pcapLinktype: u32;
  /** pcap: nanoseconds per timestamp unit (1000 for µs, 1 for ns files). */
  pcapNsPerUnit: u32;
  /** pcapng: interfaces described in the current section (rows of the interface table). */
  ifCount: u32;
  // Counters, readable from JS.
  sections: u32;
  interfaces: u32;
  customBlocks: u32;
  statsBlocks: u32;
  nameBlocks: u32;
  otherBlocks: u32;
  /** TIME_FIX_* kinds seen. */
  timeFixKinds: u32;
  /**
   * The framing error is in a packet record (1) or not (0: a file or section header, an IDB, a damaged
   * block of unknown kind); errorInterface is that record's global interface, 0xffffffff when unknown.
   */
  errorInRecord: u32;
  errorInterface: u32;
  /** Byte order of the current section (pcap: of the file). */
  bigEndian: bool;
  /** pcap: the file header has been read. */
  pcapHeaderDone: bool;
}

const FRAMER_STATE_BYTES: usize = offsetof<FramerState>();
/** The first byte resetFramer clears: layout fields come before it. */
const CAPTURE_STATE_AT: usize = offsetof<FramerState>("base");
const FRAMER_STATE: usize = memory.data(<i32>FRAMER_STATE_BYTES, 16);
/** The framer's state; `state.x` compiles to one load or store at a constant address. */
export const state = changetype<FramerState>(FRAMER_STATE);

export function initFramer(inputAt: usize, ifTableAt: usize): void {
  state.inputPtr = inputAt;
  state.ifTable = ifTableAt;
  state.ifCapacity = IF_INITIAL_ROWS;
}

/** Bytes the interface table takes now. */
export function interfaceTableBytes(): usize {
  return <usize>state.ifCapacity * IF_ROW;
}

/** Move the interface table to `to` (memory already covers it): the input region grew into its place. */
export function moveInterfaceTable(to: usize): void {
  memory.copy(to, state.ifTable, <usize>state.ifCount * IF_ROW);
  state.ifTable = to;
}

/**
 * Double the interface table's rows, up to Limits.MAX_INTERFACES. Grows memory, so JS must re-point
 * its views after decode() (src/core/core.ts does). False at the cap or when memory cannot grow.
 */
function growInterfaceTable(): bool {
  const rows = state.ifCapacity;
  if (rows >= <u32>Limits.MAX_INTERFACES) return false;
  const grown = rows << 1 < <u32>Limits.MAX_INTERFACES ? rows << 1 : <u32>Limits.MAX_INTERFACES;
  if (!ensureMemory(state.ifTable + <usize>grown * IF_ROW)) return false;
  state.ifCapacity = grown;
  return true;
}

/** Forget the capture: format, byte order, interfaces, offsets, error, counters. */
export function resetFramer(): void {
  memory.fill(FRAMER_STATE + CAPTURE_STATE_AT, 0, FRAMER_STATE_BYTES - CAPTURE_STATE_AT);
  memory.fill(IF_STATS, 0, <usize>Limits.COUNTED_INTERFACES * IFS_ROW);
  // Zero is CaptureFormat.UNKNOWN, DecodeState.NEED_MORE and FormatError.NONE; only this is not.
  state.pcapNsPerUnit = 1000;
}

/** Drop the bytes before pos: JS moves [pos, avail) to the front of the input region. */
export function compact(): u32 {
  const dropped = state.pos;
  state.base += <f64>dropped;
  state.pos = 0;
  return dropped;
}

// @ts-ignore: decorator
@inline function r16(p: usize): u32 {
  const v = load<u16>(p);
  return state.bigEndian ? <u32>bswap<u16>(v) : <u32>v;
}
// @ts-ignore: decorator
@inline function r32(p: usize): u32 {
  const v = load<u32>(p);
  return state.bigEndian ? bswap<u32>(v) : v;
}
/** r32 with the byte order in a local (the hot loop's). */
// @ts-ignore: decorator
@inline function r32as(p: usize, bigEndian: bool): u32 {
  const v = load<u32>(p);
  return bigEndian ? bswap<u32>(v) : v;
}

function fail(code: u32, at: u32): void {
  state.errorCode = code;
  state.errorOffset = state.base + <f64>at;
  state.decodeState = DecodeState.ERROR;
}

/** fail() on a packet record: it counts as a record read, in error, of global interface `iface` (NO_INTERFACE: unknown). */
function failRecord(code: u32, at: u32, iface: u32): void {
  fail(code, at);
  state.errorInRecord = 1;
  state.errorInterface = iface;
}

/** The global interface of interface `iface` of the current section, or NO_INTERFACE when the section has no such IDB. */
function globalInterface(iface: u32): u32 {
  return iface < state.ifCount ? state.interfaces - state.ifCount + iface : NO_INTERFACE;
}

/** The interface of the pcapng packet block of `type` whose first `rem` bytes are at p (NO_INTERFACE when it cannot tell). */
function blockInterface(type: u32, p: usize, rem: u32): u32 {
  if (type == BT_SPB) return globalInterface(0);
  if (type == BT_EPB && rem >= 12) return globalInterface(r32(p + 8));
  if (type == BT_PB && rem >= 10) return globalInterface(r16(p + 8));
  return NO_INTERFACE;
}

/** Count one record on global interface `g` (pcap: 0). */
// @ts-ignore: decorator
@inline function countInterfaceRecords(g: u32, n: u32, linktype: u32): void {
  if (g < <u32>Limits.COUNTED_INTERFACES) {
    const row = IF_STATS + <usize>g * IFS_ROW;
    store<f64>(row + IFS_RECORDS, load<f64>(row + IFS_RECORDS) + <f64>n);
  } else if (isAnalysedLinktype(linktype)) state.overflowAnalysed += <f64>n;
  else state.overflowOther += <f64>n;
}

/** Note interface `g` (file order) with its link type and section, when it is one of the counted ones. */
function describeCountedInterface(g: u32, linktype: u32, section: u32): void {
  if (g >= <u32>Limits.COUNTED_INTERFACES) return;
  const row = IF_STATS + <usize>g * IFS_ROW;
  store<u32>(row + IFS_LINKTYPE, linktype);
  store<u32>(row + IFS_SECTION, section);
}

/** Link types whose records a layer of usbscope reads: raw USB 2.0 packets, URBs and a sniffer's log (src/usb/linkTypes.ts isAnalysedLinktype). */
function isAnalysedLinktype(linktype: u32): bool {
  return isRawUsb(linktype) || linktype == LinkType.USB_LINUX || linktype == LinkType.USB_LINUX_MMAPPED || linktype == LinkType.USBPCAP || linktype == LinkType.WIRESHARK_UPPER_PDU;
}

/** Remember a repaired timestamp: `kind` (TimeFix), the record's index and its file offset. */
function noteTimeFix(kind: u32, record: f64, at: u32): void {
  if (state.timeFixes == 0) {
    state.timeFixRecord = record;
    state.timeFixOffset = state.base + <f64>at;
  }
  state.timeFixes += 1;
  state.timeFixKinds |= kind;
}

/** Read accessors of the record accounting (index.ts exports them). */
export function interfaceRecords(g: u32): f64 {
  return g < <u32>Limits.COUNTED_INTERFACES ? load<f64>(IF_STATS + <usize>g * IFS_ROW + IFS_RECORDS) : 0;
}
export function interfaceLinktype(g: u32): u32 {
  return g < <u32>Limits.COUNTED_INTERFACES ? load<u32>(IF_STATS + <usize>g * IFS_ROW + IFS_LINKTYPE) : 0;
}
export function interfaceSection(g: u32): u32 {
  return g < <u32>Limits.COUNTED_INTERFACES ? load<u32>(IF_STATS + <usize>g * IFS_ROW + IFS_SECTION) : 0;
}

/** Frame and decode records in input[pos, avail). Returns the number of rows written to the batch. */
export function decode(avail: u32, eof: bool): u32 {
  state.rows = 0;
  if (state.errorCode != FormatError.NONE) {
    state.decodeState = DecodeState.ERROR;
    return 0;
  }
  while (true) {
    if (state.skipRemaining > 0) {
      const have = <u64>(avail - state.pos);
      const skip = state.skipRemaining;
      const n = have < skip ? have : skip;
      state.pos += <u32>n;
      state.skipRemaining = skip - n;
      if (skip > n) {
        if (eof) fail(FormatError.TRUNCATED_RECORD, state.pos);
        else state.decodeState = DecodeState.NEED_MORE;
        break;
      }
    }
    // Whole pcap records in a tight loop first; the steps below handle what it leaves (a record cut by
    // the chunk end, a bad length, a full batch).
    const format = state.format;
    if (format == CaptureFormat.PCAP && state.pcapHeaderDone) pcapRecords(avail);
    if (state.rows >= batchCapacity) {
      state.decodeState = DecodeState.BATCH_FULL;
      break;
    }
    const rem = avail - state.pos;
    if (rem == 0) {
      state.needBytes = 0;
      state.decodeState = eof ? DecodeState.DONE : DecodeState.NEED_MORE;
      break;
    }
    let need: u32 = 0;
    if (format == CaptureFormat.UNKNOWN) need = sniff(rem);
    else if (format == CaptureFormat.PCAP) need = pcapStep(rem);
    else need = pcapngStep(rem, eof);
    if (state.errorCode != FormatError.NONE) break;
    if (need != 0) {
      // The next record needs `need` bytes from pos and only `rem` are here.
      state.needBytes = need;
      if (eof) {
        fail(need <= headerSizeHint() ? FormatError.TRUNCATED_HEADER : FormatError.TRUNCATED_RECORD, state.pos);
        noteTruncatedRecord(rem);
      } else state.decodeState = DecodeState.NEED_MORE;
      break;
    }
  }
  return state.rows;
}

/** The input ended inside what is at pos: when that is a packet record, it is a record read, in error. */
function noteTruncatedRecord(rem: u32): void {
  if (state.format == CaptureFormat.PCAP) {
    if (!state.pcapHeaderDone) return;
    state.errorInRecord = 1;
    state.errorInterface = 0;
    return;
  }
  if (state.format != CaptureFormat.PCAPNG || rem < 4 || state.sections == 0) return;
  const p = state.inputPtr + state.pos;
  const type = r32(p);
  if (type != BT_EPB && type != BT_SPB && type != BT_PB) return;
  state.errorInRecord = 1;
  state.errorInterface = blockInterface(type, p, rem);
}

/** The size of the fixed header at pos: a shortfall below it is a truncated header. */
function headerSizeHint(): u32 {
  if (state.format == CaptureFormat.PCAP) return state.pcapHeaderDone ? PCAP_RECORD_HEADER : PCAP_FILE_HEADER;
  return 12;
}

/** Identify the container from its magic number. Returns bytes needed, or 0 when done. */
function sniff(rem: u32): u32 {
  if (rem < 4) return 4;
  const m = load<u32>(state.inputPtr + state.pos);
  if (m == 0xa1b2c3d4 || m == 0xa1b23c4d) {
    state.format = CaptureFormat.PCAP;
    state.bigEndian = false;
    state.pcapNsPerUnit = m == 0xa1b23c4d ? 1 : 1000;
  } else if (m == 0xd4c3b2a1 || m == 0x4d3cb2a1) {
    state.format = CaptureFormat.PCAP;
    state.bigEndian = true;
    state.pcapNsPerUnit = m == 0x4d3cb2a1 ? 1 : 1000;
  } else if (m == BT_SHB) {
    state.format = CaptureFormat.PCAPNG;
  } else {
    fail(FormatError.UNKNOWN_MAGIC, state.pos);
  }
  return 0;
}

function pcapStep(rem: u32): u32 {
  const p = state.inputPtr + state.pos;
  if (!state.pcapHeaderDone) {
    if (rem < PCAP_FILE_HEADER) return PCAP_FILE_HEADER;
    // LinkType is the low 16 bits; the upper bits carry FCS information (pcap spec §4).
    state.pcapLinktype = r32(p + 20) & 0xffff;
    describeCountedInterface(0, state.pcapLinktype, 0);
    state.pcapHeaderDone = true;
    state.interfaces = 1;
    state.sections = 1;
    state.pos += PCAP_FILE_HEADER;
    return 0;
  }
  // pcapRecords framed every whole record before this step: what is left at pos is cut short by the
  // end of the input, or too large to accept.
  if (rem < PCAP_RECORD_HEADER) return PCAP_RECORD_HEADER;
  const caplen = r32(p + 8);
  if (caplen > <u32>Limits.MAX_RECORD_BYTES) {
    failRecord(FormatError.RECORD_TOO_LARGE, state.pos, 0);
    return 0;
  }
  return PCAP_RECORD_HEADER + caplen;
}

/**
 * Frame and decode whole pcap records from pos while the batch has room, with the framer's state in
 * locals. Stops before a record that is not all here or is too large, for pcapStep to report.
 */
function pcapRecords(avail: u32): void {
  let p = state.pos;
  const firstRow = state.rows;
  let row = <usize>firstRow;
  const capacity = <usize>batchCapacity;
  const input = state.inputPtr;
  const base = state.base;
  const bigEndian = state.bigEndian;
  const linktype = state.pcapLinktype;
  const raw = isRawUsb(linktype);
  const unit = state.pcapNsPerUnit;
  // ts_usec (ts_nsec) counts below one second; a larger value is carried into the seconds (pcap spec §4).
  const subLimit: u32 = unit == 1 ? 1000000000 : 1000000;
  let sec: f64 = state.lastSec;
  let nsec: u32 = state.lastNsec;
  while (row < capacity && avail - p >= PCAP_RECORD_HEADER) {
    const at = input + p;
    const caplen = r32as(at + 8, bigEndian);
    if (caplen > <u32>Limits.MAX_RECORD_BYTES || avail - p - PCAP_RECORD_HEADER < caplen) break;
    sec = <f64>r32as(at, bigEndian);
    const sub = r32as(at + 4, bigEndian);
    if (sub < subLimit) nsec = sub * unit;
    else {
      sec += <f64>(sub / subLimit);
      nsec = (sub % subLimit) * unit;
      noteTimeFix(TimeFix.CARRIED, state.records + <f64>(<u32>row - firstRow), p);
    }
    const origLen = r32as(at + 12, bigEndian);
    const dataAt = p + PCAP_RECORD_HEADER;
    writeRecord(row, base + <f64>p, sec, nsec, linktype, dataAt, caplen, origLen, 0);
    if (raw) decodePacket(row, input + dataAt, caplen, origLen);
    else notRaw(row);
    p = dataAt + caplen;
    row++;
  }
  state.records += <f64>(<u32>row - firstRow);
  countInterfaceRecords(0, <u32>row - firstRow, linktype);
  state.rows = <u32>row;
  state.pos = p;
  state.lastSec = sec;
  state.lastNsec = nsec;
}

/** The record's own columns of row `row` (the framer's; decodePacket or notRaw fill the rest). */
// @ts-ignore: decorator
@inline function writeRecord(row: usize, offset: f64, sec: f64, nsec: u32, linktype: u32, dataAt: u32, caplen: u32, origLen: u32, iface: u32): void {
  store<u32>(colInterface + (row << 2), iface);
  store<f64>(colOffset + (row << 3), offset);
  store<f64>(colTsSec + (row << 3), sec);
  store<u32>(colTsNsec + (row << 2), nsec);
  store<u16>(colLinktype + (row << 1), <u16>linktype);
  store<u32>(colDataOffset + (row << 2), dataAt);
  store<u32>(colDataLength + (row << 2), caplen);
  store<u32>(colOrigLength + (row << 2), origLen);
}

/** The decoded columns of a record the core does not decode (usbmon, USBPcap, ...). */
// @ts-ignore: decorator
@inline function notRaw(row: usize): void {
  store<u8>(colPid + row, 0);
  store<u8>(colStatus + row, <u8>PacketStatus.NOT_RAW);
  store<u8>(colAddress + row, 0);
  store<u8>(colEndpoint + row, 0);
  store<u16>(colFrame + (row << 1), 0);
}

function pcapngStep(rem: u32, eof: bool): u32 {
  const at = state.pos;
  const p = state.inputPtr + at;
  if (rem < 12) return 12;
  let type = load<u32>(p);
  if (type == BT_SHB) {
    // The byte-order magic decides how every later field of this section is read (§4.1).
    const bom = load<u32>(p + 8);
    if (bom == BYTE_ORDER_MAGIC) state.bigEndian = false;
    else if (bom == bswap<u32>(BYTE_ORDER_MAGIC)) state.bigEndian = true;
    else {
      fail(FormatError.BAD_SECTION_HEADER, at);
      return 0;
    }
  } else {
    if (state.sections == 0) {
      fail(FormatError.BAD_SECTION_HEADER, at);
      return 0;
    }
    type = r32(p);
  }
  const len = r32(p + 4);
  const isPacket = type == BT_EPB || type == BT_SPB || type == BT_PB;
  if (len < 12 || (len & 3) != 0) {
    failBlock(isPacket, FormatError.BLOCK_LENGTH_INVALID, at, type, p, rem);
    return 0;
  }
  if (len > <u32>Limits.MAX_RECORD_BYTES) {
    failBlock(isPacket, FormatError.RECORD_TOO_LARGE, at, type, p, rem);
    return 0;
  }
  if (rem < len) {
    // A large block nobody reads (custom, name resolution...) is skipped, not buffered.
    if (!isPacket && type != BT_SHB && type != BT_IDB && len > 65536) {
      countBlock(type);
      if (type == BT_CUSTOM || type == BT_CUSTOM_NOCOPY) emit(at, state.lastSec, state.lastNsec, LinkType.PCAPNG_CUSTOM_BLOCK, at, 0, len - 16, NO_INTERFACE);
      state.skipRemaining = <u64>len;
      return 0;
    }
    return len;
  }
  if (r32(p + len - 4) != len) {
    failBlock(isPacket, FormatError.BLOCK_LENGTH_MISMATCH, at, type, p, rem);
    return 0;
  }
  if (type == BT_SHB) {
    state.sections++;
    state.ifCount = 0;
  } else if (type == BT_IDB) {
    if (!readInterface(p, len)) return 0;
  } else if (type == BT_EPB || type == BT_PB) {
    if (len < 32) {
      failRecord(FormatError.BLOCK_LENGTH_INVALID, at, blockInterface(type, p, rem));
      return 0;
    }
    const iface = type == BT_EPB ? r32(p + 8) : r16(p + 8);
    const caplen = r32(p + 20);
    if (caplen > len - 32) {
      failRecord(FormatError.CAPLEN_EXCEEDS_BLOCK, at, globalInterface(iface));
      return 0;
    }
    if (iface >= state.ifCount) {
      failRecord(FormatError.BAD_INTERFACE_ID, at, NO_INTERFACE);
      return 0;
    }
    emitPcapngPacket(iface, (<u64>r32(p + 12) << 32) | <u64>r32(p + 16), at + 28, caplen, r32(p + 24));
  } else if (type == BT_SPB) {
    if (len < 16) {
      failRecord(FormatError.BLOCK_LENGTH_INVALID, at, globalInterface(0));
      return 0;
    }
    if (state.ifCount == 0) {
      failRecord(FormatError.BAD_INTERFACE_ID, at, NO_INTERFACE);
      return 0;
    }
    // §4.4: the captured length is the original length cut by the snap length and the block.
    const origLen = r32(p + 8);
    let caplen = origLen < len - 16 ? origLen : len - 16;
    const snaplen = load<u32>(state.ifTable + IF_SNAPLEN);
    if (snaplen != 0 && caplen > snaplen) caplen = snaplen;
    emitPcapngPacket(0, 0, at + 12, caplen, origLen);
  } else {
    countBlock(type);
    // Custom data runs from after the PEN to the trailing length (its options, if any, included).
    if (type == BT_CUSTOM || type == BT_CUSTOM_NOCOPY) emit(at, state.lastSec, state.lastNsec, LinkType.PCAPNG_CUSTOM_BLOCK, at + 12, len >= 16 ? len - 16 : 0, len >= 16 ? len - 16 : 0, NO_INTERFACE);
  }
  state.pos = at + len;
  return 0;
}

/** fail() on a block; a packet block counts as a record read, in error. */
function failBlock(isPacket: bool, code: u32, at: u32, type: u32, p: usize, rem: u32): void {
  if (isPacket) failRecord(code, at, blockInterface(type, p, rem));
  else fail(code, at);
}

function countBlock(type: u32): void {
  if (type == BT_ISB) state.statsBlocks++;
  else if (type == BT_NRB) state.nameBlocks++;
  else if (type == BT_CUSTOM || type == BT_CUSTOM_NOCOPY) state.customBlocks++;
  else state.otherBlocks++;
}

/** Interface Description Block (§4.2): link type, snap length, if_tsresol and if_tsoffset. */
function readInterface(p: usize, len: u32): bool {
  if (len < 20) {
    fail(FormatError.BLOCK_LENGTH_INVALID, state.pos);
    return false;
  }
  const ifCount = state.ifCount;
  if (ifCount >= state.ifCapacity && !growInterfaceTable()) {
    fail(FormatError.TOO_MANY_INTERFACES, state.pos);
    return false;
  }
  const row = state.ifTable + <usize>ifCount * IF_ROW;
  store<u16>(row + IF_LINKTYPE, <u16>r16(p + 8));
  store<u32>(row + IF_SNAPLEN, r32(p + 12));
  let resolBinary: u32 = 0;
  let resolExp: u32 = 6; // default if_tsresol: microseconds
  let tsOffset: i64 = 0;
  let o: u32 = 16;
  const end = len - 4;
  while (o + 4 <= end) {
    const code = r16(p + o);
    const olen = r16(p + o + 2);
    if (code == 0 || o + 4 + olen > end) break;
    if (code == OPT_IF_TSRESOL && olen >= 1) {
      const v = <u32>load<u8>(p + o + 4);
      resolBinary = v >> 7;
      resolExp = v & 0x7f;
    } else if (code == OPT_IF_TSOFFSET && olen >= 8) {
      const bigEndian = state.bigEndian;
      const lo = <u64>r32(p + o + 4 + (bigEndian ? 4 : 0));
      const hi = <u64>r32(p + o + 4 + (bigEndian ? 0 : 4));
      tsOffset = <i64>((hi << 32) | lo);
    }
    o += 4 + ((olen + 3) & ~3);
  }
  store<u8>(row + IF_TSRESOL_BASE2, <u8>resolBinary);
  store<u8>(row + IF_TSRESOL_EXP, <u8>resolExp);
  // Units per second; 0 when they pass 2^64 (10^20 and up, 2^64 and up): every 64-bit count is then below a second.
  let units: u64 = 0;
  if (resolBinary == 1) {
    if (resolExp < 64) units = <u64>1 << resolExp;
  } else if (resolExp <= 19) {
    units = 1;
    for (let i: u32 = 0; i < resolExp; i++) units *= 10;
  }
  store<u64>(row + IF_UNITS_PER_SEC, units);
  store<i64>(row + IF_TSOFFSET, tsOffset);
  describeCountedInterface(state.interfaces, <u32>load<u16>(row + IF_LINKTYPE), state.sections - 1);
  state.ifCount = ifCount + 1;
  state.interfaces++;
  return true;
}

function emitPcapngPacket(iface: u32, ts: u64, dataAt: u32, caplen: u32, origLen: u32): void {
  const row = state.ifTable + <usize>iface * IF_ROW;
  const linktype = <u32>load<u16>(row + IF_LINKTYPE);
  const resolBinary = load<u8>(row + IF_TSRESOL_BASE2);
  const resolExp = <u32>load<u8>(row + IF_TSRESOL_EXP);
  const units = load<u64>(row + IF_UNITS_PER_SEC);
  // §4.2 if_tsresol: ts counts units of 10^-exp or 2^-exp seconds. Whole seconds and nanoseconds, exactly
  // (nanoseconds rounded down), for every exponent the option can hold.
  let whole: u64 = 0;
  let frac = ts;
  if (units != 0) {
    whole = ts / units;
    frac = ts - whole * units;
  }
  let nsec: u64 = 0;
  if (resolBinary == 0) {
    if (resolExp <= 9) {
      let mul: u64 = 1;
      for (let i = resolExp; i < 9; i++) mul *= 10;
      nsec = frac * mul; // frac < 10^exp: below 10^9
    } else if (resolExp <= 28) {
      let div: u64 = 1;
      for (let i: u32 = 9; i < resolExp; i++) div *= 10;
      nsec = frac / div;
    } // else: frac < 2^64 < 10^(exp - 9), under a nanosecond
  } else if (resolExp <= 34) {
    nsec = (frac * 1000000000) >> resolExp; // frac < 2^34: the product fits 64 bits
  } else {
    // frac · 10^9 takes up to 94 bits: floor((hi·2^32 + lo) / 2^exp) = floor((hi + lo >> 32) / 2^(exp - 32)).
    const hi = (frac >> 32) * 1000000000;
    const lo = (frac & 0xffffffff) * 1000000000;
    const shift = resolExp - 32;
    nsec = shift >= 64 ? 0 : (hi + (lo >> 32)) >> shift;
  }
  // §4.2 if_tsoffset: seconds added to every timestamp; the sum is taken exactly, then kept to four-digit years.
  let sec = addSeconds(whole, load<i64>(row + IF_TSOFFSET));
  if (sec < MIN_TIME_SEC || sec > MAX_TIME_SEC) {
    sec = sec < MIN_TIME_SEC ? MIN_TIME_SEC : MAX_TIME_SEC;
    noteTimeFix(TimeFix.CLAMPED, state.records, state.pos);
  }
  const g = globalInterface(iface);
  countInterfaceRecords(g, 1, linktype);
  emit(state.pos, <f64>sec, <u32>nsec, linktype, dataAt, caplen, origLen, g);
}

/** whole + offset, saturating at the i64 range (both ends lie far outside the four-digit years). */
function addSeconds(whole: u64, offset: i64): i64 {
  const I64_MAX: u64 = 0x7fffffffffffffff;
  if (whole <= I64_MAX) {
    const w = <i64>whole;
    if (offset > 0 && w > <i64>I64_MAX - offset) return <i64>I64_MAX;
    return w + offset;
  }
  // whole >= 2^63: whole + offset = (whole - 2^63) + (offset + 2^63), both terms in [0, 2^63).
  if (offset >= 0) return <i64>I64_MAX;
  const a = <i64>(whole - (<u64>1 << 63));
  const b = <i64>(<u64>offset + (<u64>1 << 63));
  return a > <i64>I64_MAX - b ? <i64>I64_MAX : a + b;
}

function isRawUsb(linktype: u32): bool {
  return linktype == LinkType.USB_2_0 || (linktype >= <u32>LinkType.USB_2_0_LOW_SPEED && linktype <= <u32>LinkType.USB_2_0_HIGH_SPEED);
}

/** Write one row of the packet table and decode the packet if its link type is raw USB. */
function emit(at: u32, sec: f64, nsec: u32, linktype: u32, dataAt: u32, caplen: u32, origLen: u32, iface: u32): void {
  const row = <usize>state.rows;
  writeRecord(row, state.base + <f64>at, sec, nsec, linktype, dataAt, caplen, origLen, iface);
  if (isRawUsb(linktype)) decodePacket(row, state.inputPtr + dataAt, caplen, origLen);
  else notRaw(row);
  state.rows = <u32>row + 1;
  state.records += 1;
  state.lastSec = sec;
  state.lastNsec = nsec;
}
