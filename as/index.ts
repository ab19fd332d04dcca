// usbscope WASM core: the memory map and the exports JS calls.
//
// Memory map. Static data (below __heap_base): the framer's state (FramerState, as/framer.ts) and its
// per-interface record counts (16 KiB).
// From __heap_base, fixed at init:
//   CRC5 table (2048 B) | CRC16 slicing tables (4 KiB) | packet table columns (batchCapacity rows)
//   | batch summary (summary.ts) | input region | pcapng interface table (8 KiB, grows to 32 MiB)
// The two regions that grow are last. The interface table, at the end of memory, grows in place
// (decode(), a section with more than 256 interfaces); when the input region grows, ensureInput
// moves the table up behind it, so nothing before them ever moves.
// No allocation happens after init(): the runtime is "stub" and nothing calls it.
import { initCrcTables, CRC5_TABLE_BYTES, CRC16_TABLE_BYTES } from "./crc";
import * as columns from "./columns";
import * as framer from "./framer";
import { ensureMemory } from "./memory";
import { setCrcMode as setPacketCrcMode } from "./packet";
import * as summary from "./summary";

let inputCapacityBytes: usize = 0;
let crc16At: usize = 0;

/** Where the interface table goes: behind the input region at `inputAt` of `capacity` bytes. */
function interfaceTableAt(inputAt: usize, capacity: usize): usize {
  return (inputAt + capacity + 15) & ~<usize>15;
}

/** Lay out memory for a batch of `batchCapacity` rows and an input region of `inputCapacity` bytes. Returns 0 when memory cannot grow. */
export function init(batchCapacity: u32, inputCapacity: u32): u32 {
  const crc5At = (__heap_base + 15) & ~<usize>15;
  crc16At = crc5At + CRC5_TABLE_BYTES;
  const colsAt = crc16At + CRC16_TABLE_BYTES;
  const summaryAt = (columns.layoutColumns(colsAt, batchCapacity) + 15) & ~<usize>15;
  const inputAt = (summary.layoutSummary(summaryAt, batchCapacity) + 15) & ~<usize>15;
  const ifAt = interfaceTableAt(inputAt, <usize>inputCapacity);
  if (!ensureMemory(ifAt + framer.IF_INITIAL_BYTES)) return 0;
  initCrcTables(crc5At, crc16At);
  framer.initFramer(inputAt, ifAt);
  framer.resetFramer();
  inputCapacityBytes = <usize>inputCapacity;
  return 1;
}

/**
 * Grow the input region to at least `capacity` bytes, moving the interface table behind it.
 * Returns the capacity, or 0 when memory cannot grow (then nothing has moved).
 */
export function ensureInput(capacity: u32): u32 {
  if (<usize>capacity <= inputCapacityBytes) return <u32>inputCapacityBytes;
  const ifAt = interfaceTableAt(framer.state.inputPtr, <usize>capacity);
  if (!ensureMemory(ifAt + framer.interfaceTableBytes())) return 0;
  framer.moveInterfaceTable(ifAt);
  inputCapacityBytes = <usize>capacity;
  return capacity;
}

/** Start a new capture: forget the format, interfaces, offsets and counters. */
export function reset(): void {
  framer.resetFramer();
}

/**
 * Frame and decode records in input[position(), avail). Returns the rows in this batch.
 * May grow memory (the interface table): JS re-points its views after every call.
 */
export function decode(avail: u32, eof: bool): u32 {
  return framer.decode(avail, eof);
}

/** CRC16 path (as/packet.ts crcMode): 0 SIMD lanes + slicing-by-8 (default), 1 byte-at-a-time reference, 2 slicing-by-8. */
export function setCrcMode(mode: u32): void {
  setPacketCrcMode(mode);
}

/** One pass over rows [0, count) of the packet table for the JS packet checks (summary.ts). Returns the rows listed. */
export function summarize(count: u32): u32 {
  return summary.summarize(count);
}
export function summaryPidCounts(): usize { return summary.summaryAt; }
export function summaryHeader(): usize { return summary.summaryHeader; }
export function summaryRows(): usize { return summary.summaryRows; }

export function compact(): u32 { return framer.compact(); }
export function position(): u32 { return framer.state.pos; }
export function state(): u32 { return framer.state.decodeState; }
export function errorCode(): u32 { return framer.state.errorCode; }
export function errorOffset(): f64 { return framer.state.errorOffset; }
export function needBytes(): u32 { return framer.state.needBytes; }
export function format(): u32 { return framer.state.format; }
export function bigEndian(): bool { return framer.state.bigEndian; }
export function inputPtr(): usize { return framer.state.inputPtr; }
export function inputCapacity(): u32 { return <u32>inputCapacityBytes; }
export function batchCapacity(): u32 { return columns.batchCapacity; }

export function records(): f64 { return framer.state.records; }
export function sections(): u32 { return framer.state.sections; }
export function interfaces(): u32 { return framer.state.interfaces; }
export function customBlocks(): u32 { return framer.state.customBlocks; }
export function statsBlocks(): u32 { return framer.state.statsBlocks; }
export function nameBlocks(): u32 { return framer.state.nameBlocks; }
export function otherBlocks(): u32 { return framer.state.otherBlocks; }

// Record accounting (framer.ts IF_STATS): records per interface, for the first Limits.COUNTED_INTERFACES.
export function interfaceRecords(g: u32): f64 { return framer.interfaceRecords(g); }
export function interfaceLinktype(g: u32): u32 { return framer.interfaceLinktype(g); }
export function interfaceSection(g: u32): u32 { return framer.interfaceSection(g); }
export function overflowAnalysed(): f64 { return framer.state.overflowAnalysed; }
export function overflowOther(): f64 { return framer.state.overflowOther; }
export function errorInRecord(): u32 { return framer.state.errorInRecord; }
export function errorInterface(): u32 { return framer.state.errorInterface; }
// Timestamps repaired (TimeFix): how many, which kinds, and the first one's record and offset.
export function timeFixes(): f64 { return framer.state.timeFixes; }
export function timeFixKinds(): u32 { return framer.state.timeFixKinds; }
export function timeFixRecord(): f64 { return framer.state.timeFixRecord; }
export function timeFixOffset(): f64 { return framer.state.timeFixOffset; }

export function colOffset(): usize { return columns.colOffset; }
export function colTsSec(): usize { return columns.colTsSec; }
export function colTsNsec(): usize { return columns.colTsNsec; }
export function colLinktype(): usize { return columns.colLinktype; }
export function colPid(): usize { return columns.colPid; }
export function colStatus(): usize { return columns.colStatus; }
export function colAddress(): usize { return columns.colAddress; }
export function colEndpoint(): usize { return columns.colEndpoint; }
export function colFrame(): usize { return columns.colFrame; }
export function colDataOffset(): usize { return columns.colDataOffset; }
export function colDataLength(): usize { return columns.colDataLength; }
export function colOrigLength(): usize { return columns.colOrigLength; }
export function colInterface(): usize { return columns.colInterface; }
