// TEST-ONLY reference for the per-record columns the WASM core computes (pid, status, address,
// endpoint, frame), written from USB 2.0 §8.3-§8.4 independently of as/, so tests can compare.
import { LinkType, PacketStatus, Pid, SplitBits } from "../../as/shared/constants.js";
import { crc5, crc16 } from "./crc.js";

export interface DecodedColumns {
  pid: number;
  status: PacketStatus;
  address: number;
  endpoint: number;
  frame: number;
}

/** The columns the core computes for one raw packet (same definitions as the WASM core). */
export function decodeColumns(b: Uint8Array, linktype: number, origLength = b.length): DecodedColumns {
  // Non-raw link types (URBs, custom blocks) get NOT_RAW and zero columns, as in the core.
  const pid = b.length > 0 ? b[0] : 0;
  let status: PacketStatus = PacketStatus.OK;
  let address = 0;
  let endpoint = 0;
  let frame = 0;
  const raw =
    linktype === LinkType.USB_2_0 ||
    (linktype >= LinkType.USB_2_0_LOW_SPEED && linktype <= LinkType.USB_2_0_HIGH_SPEED);
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
        frame =
          ((v >> 7) & 1 ? SplitBits.SC : 0) |
          ((v >> 15) & 1 ? SplitBits.S : 0) |
          ((v >> 16) & 1 ? SplitBits.E : 0) |
          ((v >> 17) & 3);
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
        frame = crc; // the received CRC16, for retransmission checks (§8.6.4)
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
