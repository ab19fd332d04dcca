// Build raw USB 2.0 packets (PID byte .. CRC) and RecordBatch objects from them, for tests.
import { Pid, PacketStatus, LinkType, SplitBits } from "../../../as/shared/constants.js";
import type { RecordBatch } from "../../../src/model.js";
import { crc5, crc16 } from "./crc.js";

export type Packet = Uint8Array;

/** Token packet (§8.4.1): 7-bit address, 4-bit endpoint, CRC5. */
export function token(pid: Pid, address: number, endpoint: number): Packet {
  const field = (address & 0x7f) | ((endpoint & 0xf) << 7);
  const value = field | (crc5(field, 11) << 11);
  return Uint8Array.of(pid, value & 0xff, value >> 8);
}

export const setupTok = (a: number, e = 0) => token(Pid.SETUP, a, e);
export const inTok = (a: number, e = 0) => token(Pid.IN, a, e);
export const outTok = (a: number, e = 0) => token(Pid.OUT, a, e);
export const pingTok = (a: number, e = 0) => token(Pid.PING, a, e);

/** SOF packet (§8.4.3). */
export function sof(frame: number): Packet {
  const f = frame & 0x7ff;
  const value = f | (crc5(f, 11) << 11);
  return Uint8Array.of(Pid.SOF, value & 0xff, value >> 8);
}

/** Data packet (§8.4.4) with a correct CRC16. */
export function data(pid: Pid, payload: ArrayLike<number> = []): Packet {
  const p = Uint8Array.from(payload);
  const crc = crc16(p);
  const out = new Uint8Array(p.length + 3);
  out[0] = pid;
  out.set(p, 1);
  out[p.length + 1] = crc & 0xff;
  out[p.length + 2] = crc >> 8;
  return out;
}
export const data0 = (payload: ArrayLike<number> = []) => data(Pid.DATA0, payload);
export const data1 = (payload: ArrayLike<number> = []) => data(Pid.DATA1, payload);

export const hs = (pid: Pid): Packet => Uint8Array.of(pid);
export const ACK = Uint8Array.of(Pid.ACK);
export const NAK = Uint8Array.of(Pid.NAK);
export const STALL = Uint8Array.of(Pid.STALL);
export const NYET = Uint8Array.of(Pid.NYET);
export const ERR = Uint8Array.of(Pid.PRE_ERR);

/** SPLIT packet (§8.4.2.2): hub address, SC, port, S, E/U, ET. */
export function split(opts: { hub: number; port: number; complete: boolean; et: number; s?: boolean; eu?: boolean }): Packet {
  const v =
    (opts.hub & 0x7f) |
    ((opts.complete ? 1 : 0) << 7) |
    ((opts.port & 0x7f) << 8) |
    ((opts.s ? 1 : 0) << 15) |
    ((opts.eu ? 1 : 0) << 16) |
    ((opts.et & 3) << 17);
  const value = v | (crc5(v, 19) << 19);
  return Uint8Array.of(Pid.SPLIT, value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff);
}

/** Setup data (§9.3) as 8 bytes. */
export function setupBytes(bmRequestType: number, bRequest: number, wValue: number, wIndex: number, wLength: number): number[] {
  return [bmRequestType, bRequest, wValue & 0xff, wValue >> 8, wIndex & 0xff, wIndex >> 8, wLength & 0xff, wLength >> 8];
}

export interface RawRecord {
  bytes: Uint8Array;
  sec: number;
  nsec: number;
  linktype: number;
  origLength?: number;
}

/** The columns the core computes for one raw packet (same definitions as the WASM core). */
export function decodeColumns(b: Uint8Array, linktype: number, origLength = b.length) {
  let pid = b.length > 0 ? b[0] : 0;
  let status: PacketStatus = PacketStatus.OK;
  let address = 0;
  let endpoint = 0;
  let frame = 0;
  const raw = linktype === LinkType.USB_2_0 || (linktype >= LinkType.USB_2_0_LOW_SPEED && linktype <= LinkType.USB_2_0_HIGH_SPEED);
  if (!raw) return { pid: 0, status: PacketStatus.NOT_RAW, address, endpoint, frame };
  if (b.length === 0) return { pid: 0, status: PacketStatus.EMPTY, address, endpoint, frame };
  if (origLength > b.length) status = PacketStatus.TRUNCATED;
  else if (((pid >> 4) ^ 0xf) !== (pid & 0xf)) status = PacketStatus.BAD_PID_CHECK;
  else if (pid === Pid.RESERVED) status = PacketStatus.RESERVED_PID;
  else {
    const type = pid & 3;
    if (pid === Pid.SPLIT) {
      if (b.length !== 4) status = PacketStatus.BAD_LENGTH;
      else {
        const v = b[1] | (b[2] << 8) | (b[3] << 16);
        if (crc5(v & 0x7ffff, 19) !== v >>> 19) status = PacketStatus.BAD_CRC5;
        address = v & 0x7f;
        endpoint = (v >> 8) & 0x7f;
        frame = ((v >> 7) & 1 ? SplitBits.SC : 0) | ((v >> 15) & 1 ? SplitBits.S : 0) | ((v >> 16) & 1 ? SplitBits.E : 0) | ((v >> 17) & 3);
      }
    } else if (pid === Pid.PRE_ERR) {
      if (b.length !== 1) status = PacketStatus.BAD_LENGTH;
    } else if (type === 1) {
      // token or SOF
      if (b.length !== 3) status = PacketStatus.BAD_LENGTH;
      else {
        const v = b[1] | (b[2] << 8);
        if (crc5(v & 0x7ff, 11) !== v >> 11) status = PacketStatus.BAD_CRC5;
        if (pid === Pid.SOF) frame = b[1] | ((b[2] & 7) << 8);
        else {
          address = b[1] & 0x7f;
          endpoint = (b[1] >> 7) | ((b[2] & 7) << 1);
        }
      }
    } else if (type === 2) {
      if (b.length !== 1) status = PacketStatus.BAD_LENGTH;
    } else if (type === 3) {
      if (b.length < 3 || b.length > 1027) status = PacketStatus.BAD_LENGTH;
      else {
        const crc = b[b.length - 2] | (b[b.length - 1] << 8);
        if (crc16(b.subarray(1, b.length - 2)) !== crc) status = PacketStatus.BAD_CRC16;
      }
    } else if (pid === Pid.PING) {
      // PING is a special-type token
      if (b.length !== 3) status = PacketStatus.BAD_LENGTH;
      else {
        const v = b[1] | (b[2] << 8);
        if (crc5(v & 0x7ff, 11) !== v >> 11) status = PacketStatus.BAD_CRC5;
        address = b[1] & 0x7f;
        endpoint = (b[1] >> 7) | ((b[2] & 7) << 1);
      }
    }
  }
  return { pid, status, address, endpoint, frame };
}

/** Pack records into RecordBatch objects of at most `batchSize` records (default: one batch). */
export function toBatches(records: RawRecord[], batchSize = records.length || 1): RecordBatch[] {
  const batches: RecordBatch[] = [];
  for (let start = 0; start < records.length; start += batchSize) {
    const slice = records.slice(start, start + batchSize);
    const n = slice.length;
    const total = slice.reduce((s, r) => s + r.bytes.length, 0);
    const b: RecordBatch = {
      firstIndex: start,
      count: n,
      bytes: new Uint8Array(total + 16),
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
    let pos = 8; // not 0, so a layer that ignores dataOffset breaks
    slice.forEach((r, i) => {
      const c = decodeColumns(r.bytes, r.linktype, r.origLength);
      b.bytes.set(r.bytes, pos);
      b.dataOffset[i] = pos;
      b.dataLength[i] = r.bytes.length;
      b.origLength[i] = r.origLength ?? r.bytes.length;
      pos += r.bytes.length;
      b.tsSec[i] = r.sec;
      b.tsNsec[i] = r.nsec;
      b.linktype[i] = r.linktype;
      b.pid[i] = c.pid;
      b.status[i] = c.status;
      b.address[i] = c.address;
      b.endpoint[i] = c.endpoint;
      b.frame[i] = c.frame;
      b.offset[i] = start + i;
    });
    batches.push(b);
  }
  return batches;
}

export const BASE_SEC = 1_700_000_000;

/** Records from packets, `stepNs` apart (default 1 µs) or at `timesNs` after BASE_SEC, on a link type (default 295, high speed). */
export function records(packets: Packet[], opts: { stepNs?: number; linktype?: number; timesNs?: number[] } = {}): RawRecord[] {
  const step = opts.stepNs ?? 1000;
  return packets.map((bytes, i) => {
    const t = opts.timesNs ? opts.timesNs[i] : i * step;
    return { bytes, sec: BASE_SEC + Math.floor(t / 1e9), nsec: t % 1e9, linktype: opts.linktype ?? LinkType.USB_2_0_HIGH_SPEED };
  });
}
