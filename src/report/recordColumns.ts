// Every record of a capture as columns, for the viewer: time since the first record, PID, status,
// address, endpoint, length, where its bytes are in the file, and the endpoint each packet belongs to
// (a data packet or handshake belongs to the token before it, USB 2.0 §8.5). About 28 bytes a record,
// no object per record; the bytes themselves stay in the caller's copy of the file.
import type { RecordBatch, RecordSink } from "../usb/model.js";
import { PacketStatus, Pid } from "../../as/shared/constants.js";
import { Column } from "./columns.js";

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
  readonly time = new Column(Float64Array, 4096);
  readonly pid = new Column(Uint8Array, 4096);
  readonly status = new Column(Uint8Array, 4096);
  readonly address = new Column(Uint8Array, 4096);
  readonly endpoint = new Column(Uint8Array, 4096);
  readonly length = new Column(Uint32Array, 4096);
  /** File offset of the record's captured bytes, -1 when unknown. */
  readonly filePos = new Column(Float64Array, 4096);
  readonly epKey = new Column(Uint16Array, 4096);
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
    const time = this.time.data;
    const t0s = this.t0Sec,
      t0n = this.t0Nsec;
    for (let i = 0; i < n; i++) time[at + i] = b.tsSec[i]! - t0s + (b.tsNsec[i]! - t0n) * 1e-9;
    // The batch's input region is one stretch of the file: find its file offset once per batch.
    const base = this.regionBase(b);
    const pos = this.filePos.data;
    for (let i = 0; i < n; i++) pos[at + i] = base < 0 ? -1 : base + b.dataOffset[i]!;
    const key = this.epKey.data;
    const pid = b.pid,
      status = b.status;
    let cur = this.currentKey;
    for (let i = 0; i < n; i++) {
      if (status[i] !== PacketStatus.OK) {
        key[at + i] = status[i] === PacketStatus.NOT_RAW ? NO_ENDPOINT : cur;
        continue;
      }
      const p = pid[i]!;
      if (p === Pid.IN || p === Pid.OUT || p === Pid.SETUP || p === Pid.PING)
        cur = endpointKey(b.address[i]!, b.endpoint[i]!, p === Pid.IN);
      key[at + i] = p === Pid.SOF || p === Pid.SPLIT ? NO_ENDPOINT : cur;
    }
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

function same(file: Uint8Array, region: Uint8Array, base: number, at: number, len: number): boolean {
  const n = Math.min(len, 64);
  if (base + at + n > file.length || base + at < 0) return false;
  for (let k = 0; k < n; k++) if (file[base + at + k] !== region[at + k]) return false;
  return true;
}
