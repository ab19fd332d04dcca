// A per-batch summary of the packet table, taken in one pass over the status, PID and link-type
// columns: what src/packets/packetChecks.ts would otherwise count record by record in JS. It
// lists the rows that need more than counting (malformed raw packets and SOFs), so the JS checks
// visit those alone.
//
// Layout (u32 words, from summaryAt): 256 raw-packet counts per PID byte | header | listed rows.
import { PacketStatus, Pid } from "./shared/constants";
import { colLinktype, colPid, colStatus } from "./columns";

const PID_WORDS: usize = 256;
/** Header words after the PID counts: rows summarized, link type uniform, non-raw records, rows listed. */
const HEADER_WORDS: usize = 4;
export const H_ROWS: u32 = 0;
export const H_UNIFORM_LINKTYPE: u32 = 1;
export const H_NOT_RAW: u32 = 2;
export const H_LISTED: u32 = 3;

export let summaryAt: usize = 0;
export let summaryHeader: usize = 0;
export let summaryRows: usize = 0;

/** Bytes the summary takes for a batch of `capacity` rows. */
export function summaryBytes(capacity: u32): usize {
  return (PID_WORDS + HEADER_WORDS + <usize>capacity) << 2;
}

/** Place the summary at `base` (4-byte aligned); returns the first byte after it. */
export function layoutSummary(base: usize, capacity: u32): usize {
  summaryAt = base;
  summaryHeader = base + (PID_WORDS << 2);
  summaryRows = summaryHeader + (HEADER_WORDS << 2);
  return base + summaryBytes(capacity);
}

/**
 * Summarize rows [0, count) of the packet table: per PID byte, the raw packets (every status but
 * NOT_RAW); the NOT_RAW records; whether every row has row 0's link type; and, in row order, the
 * raw rows that are malformed (status not OK) or SOFs. Returns the number of rows listed.
 */
export function summarize(count: u32): u32 {
  memory.fill(summaryAt, 0, (PID_WORDS + HEADER_WORDS) << 2);
  const n = <usize>count;
  const lt0: u32 = n > 0 ? <u32>load<u16>(colLinktype) : 0;
  let ltDiffer: u32 = 0;
  let notRaw: u32 = 0;
  let listed: usize = 0;
  for (let i: usize = 0; i < n; i++) {
    ltDiffer |= <u32>load<u16>(colLinktype + (i << 1)) ^ lt0;
    const st = <u32>load<u8>(colStatus + i);
    if (st == PacketStatus.NOT_RAW) {
      notRaw++;
      continue;
    }
    const p = <u32>load<u8>(colPid + i);
    const at = summaryAt + (<usize>p << 2);
    store<u32>(at, load<u32>(at) + 1);
    if (st != PacketStatus.OK || p == Pid.SOF) {
      store<u32>(summaryRows + (listed << 2), <u32>i);
      listed++;
    }
  }
  store<u32>(summaryHeader + (H_ROWS << 2), count);
  store<u32>(summaryHeader + (H_UNIFORM_LINKTYPE << 2), ltDiffer == 0 ? 1 : 0);
  store<u32>(summaryHeader + (H_NOT_RAW << 2), notRaw);
  store<u32>(summaryHeader + (H_LISTED << 2), <u32>listed);
  return <u32>listed;
}
