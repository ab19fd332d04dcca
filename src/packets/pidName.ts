import { Pid, PacketStatus } from "../../as/shared/constants.js";

const NAMES: Record<number, string> = {
  [Pid.OUT]: "OUT", [Pid.IN]: "IN", [Pid.SOF]: "SOF", [Pid.SETUP]: "SETUP",
  [Pid.DATA0]: "DATA0", [Pid.DATA1]: "DATA1", [Pid.DATA2]: "DATA2", [Pid.MDATA]: "MDATA",
  [Pid.ACK]: "ACK", [Pid.NAK]: "NAK", [Pid.STALL]: "STALL", [Pid.NYET]: "NYET",
  [Pid.PRE_ERR]: "PRE/ERR", [Pid.SPLIT]: "SPLIT", [Pid.PING]: "PING", [Pid.RESERVED]: "RESERVED",
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

/** Tokens and PING carry address and endpoint (§8.4.1). */
export function isAddressedToken(pid: number): boolean {
  return pid === Pid.OUT || pid === Pid.IN || pid === Pid.SETUP || pid === Pid.PING;
}

export function isDataPid(pid: number): boolean {
  return pid === Pid.DATA0 || pid === Pid.DATA1 || pid === Pid.DATA2 || pid === Pid.MDATA;
}
