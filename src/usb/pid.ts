// PID names and classes (USB 2.0 Table 8-1, §8.3.1), for every layer above the core.
import { Pid, PacketStatus } from "../../as/shared/constants.js";

const NAMES: Record<number, string> = {
  [Pid.OUT]: "OUT",
  [Pid.IN]: "IN",
  [Pid.SOF]: "SOF",
  [Pid.SETUP]: "SETUP",
  [Pid.DATA0]: "DATA0",
  [Pid.DATA1]: "DATA1",
  [Pid.DATA2]: "DATA2",
  [Pid.MDATA]: "MDATA",
  [Pid.ACK]: "ACK",
  [Pid.NAK]: "NAK",
  [Pid.STALL]: "STALL",
  [Pid.NYET]: "NYET",
  [Pid.PRE_ERR]: "PRE/ERR",
  [Pid.SPLIT]: "SPLIT",
  [Pid.PING]: "PING",
  [Pid.RESERVED]: "RESERVED",
};

/** Spec name of a PID byte; a byte whose check nibble is wrong is named by its low nibble ("IN?"). */
export function pidName(pidByte: number, status: number = PacketStatus.OK): string {
  if (status === PacketStatus.BAD_PID_CHECK) {
    // §8.3.1: the receiver must ignore such a packet; name what the low nibble would have been.
    const guess = NAMES[(pidByte & 0x0f) | ((~pidByte & 0x0f) << 4)];
    return guess ? `${guess}?` : `0x${pidByte.toString(16).padStart(2, "0")}`;
  }
  return NAMES[pidByte] ?? `0x${pidByte.toString(16).padStart(2, "0")}`;
}

export const STATUS_NAMES: Record<number, string> = {
  [PacketStatus.OK]: "ok",
  [PacketStatus.BAD_PID_CHECK]: "bad-pid-check",
  [PacketStatus.BAD_CRC5]: "bad-crc5",
  [PacketStatus.BAD_CRC16]: "bad-crc16",
  [PacketStatus.BAD_LENGTH]: "bad-length",
  [PacketStatus.RESERVED_PID]: "reserved-pid",
  [PacketStatus.EMPTY]: "empty",
  [PacketStatus.NOT_RAW]: "urb",
  [PacketStatus.TRUNCATED]: "truncated",
};

/** OUT/IN/SETUP tokens (type 01, SOF excluded) and PING (special type, token format): they carry address and endpoint (§8.4.1). */
export function isTokenPid(pid: number): boolean {
  return pid === Pid.OUT || pid === Pid.IN || pid === Pid.SETUP || pid === Pid.PING;
}

/** DATA0/DATA1/DATA2/MDATA: PID type bits 11 (§8.3.1). */
export function isDataPid(pid: number): boolean {
  return (pid & 3) === 3;
}

/** The DATA PID that follows `pid` in the DATA0/DATA1 sequence (§8.6). */
export function nextToggle(pid: number): number {
  return pid === Pid.DATA0 ? Pid.DATA1 : Pid.DATA0;
}
