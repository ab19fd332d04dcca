// Build raw USB 2.0 packets (PID byte .. CRC) and RecordBatch objects from them, for tests.
import { Pid, LinkType } from "../../../as/shared/constants.js";
import type { RecordBatch } from "../../../src/usb/model.js";
import { crc5, crc16 } from "../../helpers/crc.js";
import { inBatches, packBatch } from "../../helpers/recordBatch.js";

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
export function split(opts: {
  hub: number;
  port: number;
  complete: boolean;
  et: number;
  s?: boolean;
  eu?: boolean;
}): Packet {
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
export function setupBytes(
  bmRequestType: number,
  bRequest: number,
  wValue: number,
  wIndex: number,
  wLength: number,
): number[] {
  return [
    bmRequestType,
    bRequest,
    wValue & 0xff,
    wValue >> 8,
    wIndex & 0xff,
    wIndex >> 8,
    wLength & 0xff,
    wLength >> 8,
  ];
}

export interface RawRecord {
  bytes: Uint8Array;
  sec: number;
  nsec: number;
  linktype: number;
  origLength?: number;
}

/** Pack records into RecordBatch objects of at most `batchSize` records (default: one batch), each over its own buffer. */
export function toBatches(records: RawRecord[], batchSize = records.length || 1): RecordBatch[] {
  return inBatches(records, batchSize, (run, first) => {
    const bytes = new Uint8Array(run.reduce((s, r) => s + r.bytes.length, 0) + 16);
    let pos = 8; // not 0, so a layer that ignores dataOffset breaks
    const placed = run.map((r, i) => {
      bytes.set(r.bytes, pos);
      const rec = {
        offset: first + i,
        tsSec: r.sec,
        tsNsec: r.nsec,
        linktype: r.linktype,
        dataOffset: pos,
        dataLength: r.bytes.length,
        origLength: r.origLength ?? r.bytes.length,
      };
      pos += r.bytes.length;
      return rec;
    });
    return packBatch(bytes, first, placed);
  });
}

export const BASE_SEC = 1_700_000_000;

/** Records from packets, `stepNs` apart (default 1 µs) or at `timesNs` after BASE_SEC, on a link type (default 295, high speed). */
export function records(
  packets: Packet[],
  opts: { stepNs?: number; linktype?: number; timesNs?: number[] } = {},
): RawRecord[] {
  const step = opts.stepNs ?? 1000;
  return packets.map((bytes, i) => {
    const t = opts.timesNs ? opts.timesNs[i] : i * step;
    return {
      bytes,
      sec: BASE_SEC + Math.floor(t / 1e9),
      nsec: t % 1e9,
      linktype: opts.linktype ?? LinkType.USB_2_0_HIGH_SPEED,
    };
  });
}
