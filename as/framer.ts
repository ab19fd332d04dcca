// Framing pcap and pcapng records in the input region, across chunk boundaries.
// JS reads file bytes into the input region; decode() frames every whole record it finds and
// stops when the next one is incomplete (NEED_MORE), the batch is full, or the input ends.
// JS then moves the unread tail to the front (compact()) and reads on. Records never straddle
// a decode() call, so the packet bytes of a batch are contiguous in the input region.
import { CaptureFormat, DecodeState, FormatError, LinkType, Limits, PacketStatus } from "./shared/constants";
import {
  batchCapacity, colOffset, colTsSec, colTsNsec, colLinktype, colDataOffset, colDataLength,
  colOrigLength, colPid, colStatus, colAddress, colEndpoint, colFrame,
} from "./columns";
import { decodePacket } from "./packet";

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

/** Interface table: 32 bytes per pcapng interface, room for MAX_INTERFACES of them. */
const IF_ROW: usize = 32;
export const IF_TABLE_BYTES: usize = <usize>Limits.MAX_INTERFACES * IF_ROW;
let ifTable: usize = 0;
let ifCount: u32 = 0;

/** Rows written to the packet table by the current decode() call. */
export let rows: u32 = 0;
export let inputPtr: usize = 0;
export let format: u32 = CaptureFormat.UNKNOWN;
export let bigEndian: bool = false;
export let state: u32 = DecodeState.NEED_MORE;
export let errorCode: u32 = FormatError.NONE;
export let errorOffset: f64 = 0;
/** Bytes from pos that the next step needs (for growing the input region). */
export let needBytes: u32 = 0;
/** File offset of input[0]. */
export let base: f64 = 0;
export let pos: u32 = 0;
let skipRemaining: u64 = 0;

let pcapHeaderDone: bool = false;
let pcapLinktype: u32 = 0;
let pcapNsPerUnit: u32 = 1000;

// Counters, readable from JS.
export let records: f64 = 0;
/** Time of the last packet, given to custom blocks (which have no timestamp of their own). */
let lastSec: f64 = 0;
let lastNsec: u32 = 0;
export let sections: u32 = 0;
export let interfaces: u32 = 0;
export let customBlocks: u32 = 0;
export let statsBlocks: u32 = 0;
export let nameBlocks: u32 = 0;
export let otherBlocks: u32 = 0;

export function initFramer(ifTableAt: usize, inputAt: usize): void {
  ifTable = ifTableAt;
  inputPtr = inputAt;
}

export function resetFramer(): void {
  format = CaptureFormat.UNKNOWN;
  bigEndian = false;
  state = DecodeState.NEED_MORE;
  errorCode = FormatError.NONE;
  errorOffset = 0;
  needBytes = 0;
  base = 0;
  pos = 0;
  skipRemaining = 0;
  pcapHeaderDone = false;
  pcapLinktype = 0;
  pcapNsPerUnit = 1000;
  ifCount = 0;
  records = 0;
  lastSec = 0;
  lastNsec = 0;
  sections = 0;
  interfaces = 0;
  customBlocks = 0;
  statsBlocks = 0;
  nameBlocks = 0;
  otherBlocks = 0;
}

/** Drop the bytes before pos: JS moves [pos, avail) to the front of the input region. */
export function compact(): u32 {
  const dropped = pos;
  base += <f64>dropped;
  pos = 0;
  return dropped;
}

// @ts-ignore: decorator
@inline function r16(p: usize): u32 {
  const v = load<u16>(p);
  return bigEndian ? <u32>bswap<u16>(v) : <u32>v;
}
// @ts-ignore: decorator
@inline function r32(p: usize): u32 {
  const v = load<u32>(p);
  return bigEndian ? bswap<u32>(v) : v;
}

function fail(code: u32, at: u32): void {
  errorCode = code;
  errorOffset = base + <f64>at;
  state = DecodeState.ERROR;
}

/** Frame and decode records in input[pos, avail). Returns the number of rows written to the batch. */
export function decode(avail: u32, eof: bool): u32 {
  rows = 0;
  if (errorCode != FormatError.NONE) {
    state = DecodeState.ERROR;
    return 0;
  }
  while (true) {
    if (skipRemaining > 0) {
      const have = <u64>(avail - pos);
      const n = have < skipRemaining ? have : skipRemaining;
      pos += <u32>n;
      skipRemaining -= n;
      if (skipRemaining > 0) {
        if (eof) fail(FormatError.TRUNCATED_RECORD, pos);
        else state = DecodeState.NEED_MORE;
        break;
      }
    }
    // Whole pcap records in a tight loop first; the steps below handle what it leaves (a record cut by
    // the chunk end, a bad length, a full batch).
    if (format == CaptureFormat.PCAP && pcapHeaderDone) pcapRecords(avail);
    if (rows >= batchCapacity) {
      state = DecodeState.BATCH_FULL;
      break;
    }
    const rem = avail - pos;
    if (rem == 0) {
      needBytes = 0;
      state = eof ? DecodeState.DONE : DecodeState.NEED_MORE;
      break;
    }
    let need: u32 = 0;
    if (format == CaptureFormat.UNKNOWN) need = sniff(rem);
    else if (format == CaptureFormat.PCAP) need = pcapStep(rem);
    else need = pcapngStep(rem, eof);
    if (errorCode != FormatError.NONE) break;
    if (need != 0) {
      // The next record needs `need` bytes from pos and only `rem` are here.
      needBytes = need;
      if (eof) fail(need <= headerSizeHint() ? FormatError.TRUNCATED_HEADER : FormatError.TRUNCATED_RECORD, pos);
      else state = DecodeState.NEED_MORE;
      break;
    }
  }
  return rows;
}

/** The size of the fixed header at pos: a shortfall below it is a truncated header. */
function headerSizeHint(): u32 {
  if (format == CaptureFormat.PCAP) return pcapHeaderDone ? PCAP_RECORD_HEADER : PCAP_FILE_HEADER;
  return 12;
}

/** Identify the container from its magic number. Returns bytes needed, or 0 when done. */
function sniff(rem: u32): u32 {
  if (rem < 4) return 4;
  const p = inputPtr + pos;
  const m = load<u32>(p);
  if (m == 0xa1b2c3d4 || m == 0xa1b23c4d) {
    format = CaptureFormat.PCAP;
    bigEndian = false;
    pcapNsPerUnit = m == 0xa1b23c4d ? 1 : 1000;
  } else if (m == 0xd4c3b2a1 || m == 0x4d3cb2a1) {
    format = CaptureFormat.PCAP;
    bigEndian = true;
    pcapNsPerUnit = m == 0x4d3cb2a1 ? 1 : 1000;
  } else if (m == BT_SHB) {
    format = CaptureFormat.PCAPNG;
  } else {
    fail(FormatError.UNKNOWN_MAGIC, pos);
  }
  return 0;
}

function pcapStep(rem: u32): u32 {
  const p = inputPtr + pos;
  if (!pcapHeaderDone) {
    if (rem < PCAP_FILE_HEADER) return PCAP_FILE_HEADER;
    // LinkType is the low 16 bits; the upper bits carry FCS information (pcap spec §4).
    pcapLinktype = r32(p + 20) & 0xffff;
    pcapHeaderDone = true;
    interfaces = 1;
    sections = 1;
    pos += PCAP_FILE_HEADER;
    return 0;
  }
  // pcapRecords framed every whole record before this step: what is left at pos is cut short by the
  // end of the input, or too large to accept.
  if (rem < PCAP_RECORD_HEADER) return PCAP_RECORD_HEADER;
  const caplen = r32(p + 8);
  if (caplen > <u32>Limits.MAX_RECORD_BYTES) {
    fail(FormatError.RECORD_TOO_LARGE, pos);
    return 0;
  }
  return PCAP_RECORD_HEADER + caplen;
}

/**
 * Frame and decode whole pcap records from pos while the batch has room, with the framer's state in
 * locals. Stops before a record that is not all here or is too large, for pcapStep to report.
 */
function pcapRecords(avail: u32): void {
  let p = pos;
  let row = <usize>rows;
  const capacity = <usize>batchCapacity;
  const linktype = pcapLinktype;
  const raw = isRawUsb(linktype);
  const unit = pcapNsPerUnit;
  let sec: f64 = lastSec;
  let nsec: u32 = lastNsec;
  while (row < capacity && avail - p >= PCAP_RECORD_HEADER) {
    const at = inputPtr + p;
    const caplen = r32(at + 8);
    if (caplen > <u32>Limits.MAX_RECORD_BYTES || avail - p - PCAP_RECORD_HEADER < caplen) break;
    sec = <f64>r32(at);
    nsec = r32(at + 4) * unit;
    const origLen = r32(at + 12);
    const dataAt = p + PCAP_RECORD_HEADER;
    writeRecord(row, p, sec, nsec, linktype, dataAt, caplen, origLen);
    if (raw) decodePacket(row, inputPtr + dataAt, caplen, origLen);
    else notRaw(row);
    p = dataAt + caplen;
    row++;
  }
  records += <f64>(<u32>row - rows);
  rows = <u32>row;
  pos = p;
  lastSec = sec;
  lastNsec = nsec;
}

/** The record's own columns of row `row` (the framer's; decodePacket or notRaw fill the rest). */
// @ts-ignore: decorator
@inline function writeRecord(row: usize, at: u32, sec: f64, nsec: u32, linktype: u32, dataAt: u32, caplen: u32, origLen: u32): void {
  store<f64>(colOffset + (row << 3), base + <f64>at);
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
  const p = inputPtr + pos;
  if (rem < 12) return 12;
  let type = load<u32>(p);
  if (type == BT_SHB) {
    // The byte-order magic decides how every later field of this section is read (§4.1).
    const bom = load<u32>(p + 8);
    if (bom == BYTE_ORDER_MAGIC) bigEndian = false;
    else if (bom == bswap<u32>(BYTE_ORDER_MAGIC)) bigEndian = true;
    else {
      fail(FormatError.BAD_SECTION_HEADER, pos);
      return 0;
    }
  } else {
    if (sections == 0) {
      fail(FormatError.BAD_SECTION_HEADER, pos);
      return 0;
    }
    type = r32(p);
  }
  const len = r32(p + 4);
  if (len < 12 || (len & 3) != 0) {
    fail(FormatError.BLOCK_LENGTH_INVALID, pos);
    return 0;
  }
  if (len > <u32>Limits.MAX_RECORD_BYTES) {
    fail(FormatError.RECORD_TOO_LARGE, pos);
    return 0;
  }
  const isPacket = type == BT_EPB || type == BT_SPB || type == BT_PB;
  if (rem < len) {
    // A large block nobody reads (custom, name resolution...) is skipped, not buffered.
    if (!isPacket && type != BT_SHB && type != BT_IDB && len > 65536) {
      countBlock(type);
      if (type == BT_CUSTOM || type == BT_CUSTOM_NOCOPY) emit(pos, lastSec, lastNsec, LinkType.PCAPNG_CUSTOM_BLOCK, pos, 0, len - 16);
      skipRemaining = <u64>len;
      return 0;
    }
    return len;
  }
  if (r32(p + len - 4) != len) {
    fail(FormatError.BLOCK_LENGTH_MISMATCH, pos);
    return 0;
  }
  if (type == BT_SHB) {
    sections++;
    ifCount = 0;
  } else if (type == BT_IDB) {
    if (!readInterface(p, len)) return 0;
  } else if (type == BT_EPB || type == BT_PB) {
    if (len < 32) {
      fail(FormatError.BLOCK_LENGTH_INVALID, pos);
      return 0;
    }
    const iface = type == BT_EPB ? r32(p + 8) : r16(p + 8);
    const caplen = r32(p + 20);
    if (caplen > len - 32) {
      fail(FormatError.CAPLEN_EXCEEDS_BLOCK, pos);
      return 0;
    }
    if (iface >= ifCount) {
      fail(FormatError.BAD_INTERFACE_ID, pos);
      return 0;
    }
    emitPcapngPacket(iface, (<u64>r32(p + 12) << 32) | <u64>r32(p + 16), pos + 28, caplen, r32(p + 24));
  } else if (type == BT_SPB) {
    if (len < 16) {
      fail(FormatError.BLOCK_LENGTH_INVALID, pos);
      return 0;
    }
    if (ifCount == 0) {
      fail(FormatError.BAD_INTERFACE_ID, pos);
      return 0;
    }
    // §4.4: the captured length is the original length cut by the snap length and the block.
    const origLen = r32(p + 8);
    let caplen = origLen < len - 16 ? origLen : len - 16;
    const snaplen = load<u32>(ifTable + 4);
    if (snaplen != 0 && caplen > snaplen) caplen = snaplen;
    emitPcapngPacket(0, 0, pos + 12, caplen, origLen);
  } else {
    countBlock(type);
    // Custom data runs from after the PEN to the trailing length (its options, if any, included).
    if (type == BT_CUSTOM || type == BT_CUSTOM_NOCOPY) emit(pos, lastSec, lastNsec, LinkType.PCAPNG_CUSTOM_BLOCK, pos + 12, len >= 16 ? len - 16 : 0, len >= 16 ? len - 16 : 0);
  }
  pos += len;
  return 0;
}

function countBlock(type: u32): void {
  if (type == BT_ISB) statsBlocks++;
  else if (type == BT_NRB) nameBlocks++;
  else if (type == BT_CUSTOM || type == BT_CUSTOM_NOCOPY) customBlocks++;
  else otherBlocks++;
}

/** Interface Description Block (§4.2): link type, snap length, if_tsresol and if_tsoffset. */
function readInterface(p: usize, len: u32): bool {
  if (len < 20) {
    fail(FormatError.BLOCK_LENGTH_INVALID, pos);
    return false;
  }
  if (ifCount >= <u32>Limits.MAX_INTERFACES) {
    fail(FormatError.TOO_MANY_INTERFACES, pos);
    return false;
  }
  const row = ifTable + <usize>ifCount * IF_ROW;
  store<u16>(row, <u16>r16(p + 8));
  store<u32>(row + 4, r32(p + 12));
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
      const lo = <u64>r32(p + o + 4 + (bigEndian ? 4 : 0));
      const hi = <u64>r32(p + o + 4 + (bigEndian ? 0 : 4));
      tsOffset = <i64>((hi << 32) | lo);
    }
    o += 4 + ((olen + 3) & ~3);
  }
  // Resolutions finer than what 64-bit arithmetic can scale are clamped (no real capture uses them).
  if (resolBinary == 0 && resolExp > 19) resolExp = 19;
  if (resolBinary == 1 && resolExp > 63) resolExp = 63;
  store<u8>(row + 2, <u8>resolBinary);
  store<u8>(row + 3, <u8>resolExp);
  let units: u64 = 1;
  if (resolBinary == 1) units = <u64>1 << resolExp;
  else for (let i: u32 = 0; i < resolExp; i++) units *= 10;
  store<u64>(row + 8, units);
  store<i64>(row + 24, tsOffset);
  ifCount++;
  interfaces++;
  return true;
}

function emitPcapngPacket(iface: u32, ts: u64, dataAt: u32, caplen: u32, origLen: u32): void {
  const row = ifTable + <usize>iface * IF_ROW;
  const linktype = <u32>load<u16>(row);
  const resolBinary = load<u8>(row + 2);
  const resolExp = <u32>load<u8>(row + 3);
  const units = load<u64>(row + 8);
  const sec = ts / units;
  const frac = ts - sec * units;
  let nsec: u64;
  if (resolBinary == 0) {
    if (resolExp <= 9) {
      let mul: u64 = 1;
      for (let i = resolExp; i < 9; i++) mul *= 10;
      nsec = frac * mul;
    } else {
      let div: u64 = 1;
      for (let i: u32 = 9; i < resolExp; i++) div *= 10;
      nsec = frac / div;
    }
  } else if (resolExp <= 34) {
    nsec = (frac * 1000000000) >> resolExp;
  } else {
    nsec = <u64>((<f64>frac * 1e9) / <f64>units);
  }
  const tsOffset = load<i64>(row + 24);
  emit(pos, <f64>sec + <f64>tsOffset, <u32>nsec, linktype, dataAt, caplen, origLen);
}

function isRawUsb(linktype: u32): bool {
  return linktype == LinkType.USB_2_0 || (linktype >= <u32>LinkType.USB_2_0_LOW_SPEED && linktype <= <u32>LinkType.USB_2_0_HIGH_SPEED);
}

/** Write one row of the packet table and decode the packet if its link type is raw USB. */
function emit(at: u32, sec: f64, nsec: u32, linktype: u32, dataAt: u32, caplen: u32, origLen: u32): void {
  const row = <usize>rows;
  writeRecord(row, at, sec, nsec, linktype, dataAt, caplen, origLen);
  if (isRawUsb(linktype)) decodePacket(row, inputPtr + dataAt, caplen, origLen);
  else notRaw(row);
  rows = <u32>row + 1;
  records += 1;
  lastSec = sec;
  lastNsec = nsec;
}
