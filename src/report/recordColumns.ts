// Every record of a capture as columns, for the viewer: time since the first record, PID, status,
// address, endpoint, length, where its bytes are in the file, and the endpoint each packet belongs to
// (a data packet or handshake belongs to the token before it, USB 2.0 §8.5). About 28 bytes a record,
// no object per record; the bytes themselves stay in the caller's copy of the file.
import type { RecordBatch, RecordSink } from "../usb/model.js";
import { PacketStatus, Pid } from "../../as/shared/constants.js";
import { F64Column, U32Column, U16Column, U8Column } from "./columns.js";

/** `epKey` of a record that belongs to no endpoint (SOF, URB records, packets before any token). */
export const NO_ENDPOINT = 0xffff;

/** Endpoint key: bit 11 IN, bits 10..4 address, bits 3..0 endpoint number. */
export function endpointKey(address: number, endpoint: number, dirIn: boolean): number {
  return ((dirIn ? 1 : 0) << 11) | ((address & 0x7f) << 4) | (endpoint & 0x0f);
}

export function endpointKeyText(key: number): string {
  if (key === NO_ENDPOINT) return "";
  return `${(key >> 4) & 0x7f}.${key & 0x0f} ${key & 0x800 ? "IN" : "OUT"}`;
}

/** Header sizes a record's data can follow: pcap 16, pcapng EPB 28, SPB 12, others to be safe. */
const HEADER_SIZES = [16, 28, 12, 20, 24, 32, 8];

export class RecordColumns implements RecordSink {
  readonly time = new F64Column(4096);
  readonly pid = new U8Column(4096);
  readonly status = new U8Column(4096);
  readonly address = new U8Column(4096);
  readonly endpoint = new U8Column(4096);
  readonly length = new U32Column(4096);
  /** File offset of the record's captured bytes, -1 when unknown. */
  readonly filePos = new F64Column(4096);
  readonly epKey = new U16Column(4096);
  t0Sec = NaN;
  t0Nsec = 0;
  private currentKey = NO_ENDPOINT;

  /** `file`: the whole capture, to find where each record's bytes are (no copy is made). */
  constructor(
    private readonly file?: Uint8Array,
    private readonly onRecords?: (count: number) => void,
  ) {}

  get count(): number {
    return this.time.length;
  }

  onBatch(b: RecordBatch): void {
    const n = b.count;
    if (n === 0) return;
    if (Number.isNaN(this.t0Sec)) {
      this.t0Sec = b.tsSec[0]!;
      this.t0Nsec = b.tsNsec[0]!;
    }
    for (const c of [this.time, this.pid, this.status, this.address, this.endpoint, this.length])
      c.reserve(n);
    this.filePos.reserve(n);
    this.epKey.reserve(n);
    const at = this.time.length;
    this.pid.data.set(b.pid.subarray(0, n), at);
    this.status.data.set(b.status.subarray(0, n), at);
    this.address.data.set(b.address.subarray(0, n), at);
    this.endpoint.data.set(b.endpoint.subarray(0, n), at);
    this.length.data.set(b.dataLength.subarray(0, n), at);
    fillTime(this.time.data, at, b.tsSec, b.tsNsec, n, this.t0Sec, this.t0Nsec);
    // The batch's input region is one stretch of the file: find its file offset once per batch.
    const base = this.regionBase(b);
    if (base < 0) this.filePos.data.fill(-1, at, at + n);
    else fillPos(this.filePos.data, at, b.dataOffset, n, base);
    const cur = fillKeys(this.epKey.data, at, b.pid, b.status, b.address, b.endpoint, n, this.currentKey);
    this.currentKey = cur;
    for (const c of [this.time, this.pid, this.status, this.address, this.endpoint, this.length])
      c.length += n;
    this.filePos.length += n;
    this.epKey.length += n;
    this.onRecords?.(this.time.length);
  }

  onEnd(): void {}

  /**
   * The file offset of the batch's input region: record i's header is at file offset `offset[i]` and its data
   * at `dataOffset[i]` in the region, a header's size after it. Tried for the usual header sizes and kept only
   * when the file holds the same bytes there, on the first and last records with data.
   */
  private regionBase(b: RecordBatch): number {
    const file = this.file;
    if (!file) return -1;
    let first = -1,
      last = -1;
    for (let i = 0; i < b.count; i++)
      if (b.dataLength[i]! > 0) {
        first = i;
        break;
      }
    for (let i = b.count - 1; i >= 0; i--)
      if (b.dataLength[i]! > 0) {
        last = i;
        break;
      }
    if (first < 0) return -1;
    const probes = [first, (first + last) >> 1, last];
    for (const h of HEADER_SIZES) {
      const base = b.offset[first]! + h - b.dataOffset[first]!;
      if (probes.every((i) => same(file, b.bytes, base, b.dataOffset[i]!, b.dataLength[i]!))) return base;
    }
    return -1;
  }

  /** The captured bytes of record `r` (a view into the file), or undefined when unknown. */
  bytes(r: number): Uint8Array | undefined {
    const p = this.filePos.data[r];
    if (!this.file || p === undefined || p < 0) return undefined;
    return this.file.subarray(p, p + this.length.data[r]!);
  }
}

function fillTime(
  time: Float64Array,
  at: number,
  tsSec: Float64Array,
  tsNsec: Uint32Array,
  n: number,
  t0s: number,
  t0n: number,
): void {
  for (let i = 0; i < n; i++) time[at + i] = tsSec[i]! - t0s + (tsNsec[i]! - t0n) * 1e-9;
}

function fillPos(pos: Float64Array, at: number, dataOffset: Uint32Array, n: number, base: number): void {
  for (let i = 0; i < n; i++) pos[at + i] = base + dataOffset[i]!;
}

/** Each packet's endpoint: a token's own, a data packet's or handshake's that of the token before it. */
function fillKeys(
  key: Uint16Array,
  at: number,
  pid: Uint8Array,
  status: Uint8Array,
  address: Uint8Array,
  endpoint: Uint8Array,
  n: number,
  cur: number,
): number {
  for (let i = 0; i < n; i++) {
    const s = status[i]!;
    if (s !== PacketStatus.OK) {
      key[at + i] = s === PacketStatus.NOT_RAW ? NO_ENDPOINT : cur;
      continue;
    }
    const p = pid[i]!;
    if (p === Pid.IN || p === Pid.OUT || p === Pid.SETUP || p === Pid.PING)
      cur = endpointKey(address[i]!, endpoint[i]!, p === Pid.IN);
    key[at + i] = p === Pid.SOF || p === Pid.SPLIT ? NO_ENDPOINT : cur;
  }
  return cur;
}

function same(file: Uint8Array, region: Uint8Array, base: number, at: number, len: number): boolean {
  const n = Math.min(len, 64);
  if (base + at + n > file.length || base + at < 0) return false;
  for (let k = 0; k < n; k++) if (file[base + at + k] !== region[at + k]) return false;
  return true;
}
