// PID classification for the transaction layer (USB 2.0 Table 8-1).
import { Pid } from "../../as/shared/constants.js";

const NAMES: Record<number, string> = {
  [Pid.OUT]: "OUT", [Pid.IN]: "IN", [Pid.SOF]: "SOF", [Pid.SETUP]: "SETUP",
  [Pid.DATA0]: "DATA0", [Pid.DATA1]: "DATA1", [Pid.DATA2]: "DATA2", [Pid.MDATA]: "MDATA",
  [Pid.ACK]: "ACK", [Pid.NAK]: "NAK", [Pid.STALL]: "STALL", [Pid.NYET]: "NYET",
  [Pid.PRE_ERR]: "ERR", [Pid.SPLIT]: "SPLIT", [Pid.PING]: "PING", [Pid.RESERVED]: "RESERVED",
};

/** Spec name of a PID byte; "0xNN" when the byte is not a PID. */
export function pidName(pid: number): string {
  return NAMES[pid] ?? `0x${pid.toString(16).padStart(2, "0")}`;
}

/** DATA0/DATA1/DATA2/MDATA: PID type bits 11 (§8.3.1). */
export function isDataPid(pid: number): boolean {
  return (pid & 3) === 3;
}

/** ACK/NAK/STALL/NYET: PID type bits 10 (§8.3.1). ERR (special type) is not one of them. */
export function isHandshakePid(pid: number): boolean {
  return (pid & 3) === 2;
}

/** OUT/IN/SETUP tokens (type 01, SOF excluded) and PING (special type, token format, §8.4.1). */
export function isTokenPid(pid: number): boolean {
  return pid === Pid.OUT || pid === Pid.IN || pid === Pid.SETUP || pid === Pid.PING;
}

/** The DATA PID that follows `pid` in the DATA0/DATA1 sequence (§8.6). */
export function nextToggle(pid: number): number {
  return pid === Pid.DATA0 ? Pid.DATA1 : Pid.DATA0;
}
