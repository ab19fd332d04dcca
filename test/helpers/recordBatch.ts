// TEST-ONLY RecordBatch packer: lays records over a byte buffer the way the core's batches do, with
// the per-record columns from the independent TS reference (decodeColumns.ts): NOT_RAW for non-raw
// link types, pid/status/address/endpoint/frame for raw USB 2.0 packets.
import type { RecordBatch } from "../../src/usb/model.js";
import { decodeColumns } from "./decodeColumns.js";
import type { SlurpedCapture } from "./pcapSlurp.js";

/** One record's place in a batch's `bytes` and its framing columns. */
export interface BatchRecord {
  /** The batch's `offset` column (file offset of the record, or any stable number for synthetic records). */
  offset: number;
  tsSec: number;
  tsNsec: number;
  linktype: number;
  dataOffset: number;
  dataLength: number;
  origLength: number;
}

/** Columns copied from the BatchRecord as they are, and columns the reference decoder computes. */
const PLACED = ["offset", "tsSec", "tsNsec", "linktype", "dataOffset", "dataLength", "origLength"] as const;
const DECODED = ["pid", "status", "address", "endpoint", "frame"] as const;

/** One RecordBatch over `bytes` holding `records`, the first numbered `firstIndex`. */
export function packBatch(
  bytes: Uint8Array,
  firstIndex: number,
  records: readonly BatchRecord[],
): RecordBatch {
  const n = records.length;
  const b: RecordBatch = {
    firstIndex,
    count: n,
    bytes,
    offset: new Float64Array(n),
    tsSec: new Float64Array(n),
    tsNsec: new Uint32Array(n),
    linktype: new Uint16Array(n),
    pid: new Uint8Array(n),
    status: new Uint8Array(n),
    address: new Uint8Array(n),
    endpoint: new Uint8Array(n),
    frame: new Uint16Array(n),
    dataOffset: new Uint32Array(n),
    dataLength: new Uint32Array(n),
    origLength: new Uint32Array(n),
  };
  records.forEach((r, i) => {
    for (const k of PLACED) b[k][i] = r[k];
    const c = decodeColumns(
      bytes.subarray(r.dataOffset, r.dataOffset + r.dataLength),
      r.linktype,
      r.origLength,
    );
    for (const k of DECODED) b[k][i] = c[k];
  });
  return b;
}

/** Split `items` into runs of at most `size` and pack each run (`first` = index of its first item). */
export function inBatches<T>(
  items: readonly T[],
  size: number,
  pack: (run: T[], first: number) => RecordBatch,
): RecordBatch[] {
  const batches: RecordBatch[] = [];
  for (let first = 0; first < items.length; first += size)
    batches.push(pack(items.slice(first, first + size), first));
  return batches;
}

/** A slurped capture as batches of at most `batchSize` records over the file's own bytes. */
export function slurpedBatches(cap: SlurpedCapture, batchSize: number): RecordBatch[] {
  return inBatches(cap.records, batchSize, (run, first) =>
    packBatch(
      cap.bytes,
      first,
      run.map((r) => ({ ...r, offset: r.fileOffset })),
    ),
  );
}
