// Encoders for raw USB 2.0 packets as LINKTYPE_USB_2_0 (288, 293-295) stores them: from the PID
// byte to the CRC, without SYNC and EOP (USB 2.0 §8.3, §8.4).
import { Pid } from "../as/shared/constants.js";
import { crc5, crc16Fast } from "./crc.js";

export { Pid };

/** Token packet (§8.4.1): PID, 7-bit address, 4-bit endpoint, CRC5 over the 11 bits. */
export function token(pid: Pid | number, addr: number, endp: number): Uint8Array {
  const field = (addr & 0x7f) | ((endp & 0x0f) << 7);
  return field11(pid, field);
}

/** Start-of-Frame packet (§8.4.3): PID, 11-bit frame number, CRC5. */
export function sof(frame: number): Uint8Array {
  return field11(Pid.SOF, frame & 0x7ff);
}

/** PING (§8.5.1): a token addressed like OUT. */
export function ping(addr: number, endp: number): Uint8Array {
  return token(Pid.PING, addr, endp);
}

function field11(pid: number, field: number): Uint8Array {
  const out = new Uint8Array(3);
  out[0] = pid;
  out[1] = field & 0xff;
  out[2] = ((field >>> 8) & 0x07) | (crc5(field, 11) << 3);
  return out;
}

/** Data packet (§8.4.4): PID, payload (0..1024 bytes), CRC16 low byte first. */
export function data(pid: Pid | number, payload: Uint8Array | ArrayLike<number>): Uint8Array {
  const n = payload.length;
  const out = new Uint8Array(n + 3);
  out[0] = pid;
  out.set(payload, 1);
  const crc = crc16Fast(out, 1, n + 1);
  out[n + 1] = crc & 0xff;
  out[n + 2] = crc >>> 8;
  return out;
}

/** Handshake packet (§8.4.5): the PID byte alone (ACK, NAK, STALL, NYET, ERR). */
export function handshake(pid: Pid | number): Uint8Array {
  return Uint8Array.of(pid);
}

/** Endpoint type in a SPLIT token (§8.4.2.2 Table 8-4). */
export enum SplitEt {
  CONTROL = 0,
  ISOCHRONOUS = 1,
  BULK = 2,
  INTERRUPT = 3,
}

/** Fields of a SPLIT special token (§8.4.2.2, Figure 8-9). */
export interface SplitFields {
  /** 0 = start split (SSPLIT), 1 = complete split (CSPLIT). */
  sc: 0 | 1;
  hubAddr: number;
  port: number;
  /** Speed (1 = low speed) for interrupt/control; for iso OUT SSPLIT, "start". */
  s: 0 | 1;
  /** End (iso OUT SSPLIT); U (must be 0) on CSPLIT. */
  e: 0 | 1;
  et: SplitEt | number;
}

/** The 19-bit SPLIT field the CRC5 covers: hub address, SC, port, S, E/U, ET (§8.4.2.2). */
export function splitField(f: SplitFields): number {
  return (
    (f.hubAddr & 0x7f) |
    ((f.sc & 1) << 7) |
    ((f.port & 0x7f) << 8) |
    ((f.s & 1) << 15) |
    ((f.e & 1) << 16) |
    ((f.et & 3) << 17)
  );
}

/** SPLIT special token (§8.4.2.2): 4 bytes, PID then the 19-bit field and its CRC5. */
export function split(f: SplitFields): Uint8Array {
  const field = splitField(f);
  const out = new Uint8Array(4);
  out[0] = Pid.SPLIT;
  out[1] = field & 0xff;
  out[2] = (field >>> 8) & 0xff;
  out[3] = ((field >>> 16) & 0x07) | (crc5(field, 19) << 3);
  return out;
}

/** The 8 SETUP bytes (§9.3) from their fields, little-endian words. */
export function setupBytes(
  bmRequestType: number,
  bRequest: number,
  wValue: number,
  wIndex: number,
  wLength: number,
): Uint8Array {
  return Uint8Array.of(
    bmRequestType,
    bRequest,
    wValue & 0xff,
    wValue >>> 8,
    wIndex & 0xff,
    wIndex >>> 8,
    wLength & 0xff,
    wLength >>> 8,
  );
}
