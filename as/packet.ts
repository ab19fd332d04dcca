// Decoding one raw USB 2.0 packet (LINKTYPE_USB_2_0*: bytes from the PID to the CRC, §8.3-8.4)
// into the packet table. Never traps: a malformed packet becomes a status, with the PID kept.
import { PacketStatus } from "./shared/constants";
import { crc5Of11, crc5Bitwise, crc16Fast, crc16Sliced, crc16Bytewise } from "./crc";
import { colPid, colStatus, colAddress, colEndpoint, colFrame } from "./columns";

/** CRC16 path: 0 the fastest (SIMD lanes + slicing-by-8), 1 byte-at-a-time (the reference), 2 slicing-by-8 only. */
export let crcMode: u32 = 0;
export function setCrcMode(mode: u32): void {
  crcMode = mode;
}

/** The largest data packet: PID, 1024 bytes (HS iso/interrupt max, §5.6.3/§5.7.3) and CRC16. */
const MAX_DATA_PACKET: u32 = 1027;

/**
 * Decode the packet at `p` (`len` captured bytes, `origLen` on the wire) into row `row`.
 * Address, endpoint and frame are zeroed unless the PID carries them (frame: SOF frame number,
 * SPLIT bits, or a data packet's received CRC16).
 */
export function decodePacket(row: usize, p: usize, len: u32, origLen: u32): void {
  let address: u32 = 0;
  let endpoint: u32 = 0;
  let frame: u32 = 0;
  let status: u32 = PacketStatus.OK;
  let pidByte: u32 = 0;
  if (len == 0) {
    status = PacketStatus.EMPTY;
  } else {
    pidByte = <u32>load<u8>(p);
    const code = pidByte & 0x0f;
    if (pidByte >> 4 != (~pidByte & 0x0f)) {
      // §8.3.1: the check field is the ones' complement of the PID field.
      status = PacketStatus.BAD_PID_CHECK;
    } else if (code == 0) {
      status = PacketStatus.RESERVED_PID;
    } else if (origLen > len) {
      // Cut by the snap length: the CRC (and for tokens the fields) are not all there to check.
      status = PacketStatus.TRUNCATED;
    } else if ((code & 3) == 1 || code == 4) {
      // Tokens (OUT 1, IN 9, SOF 5, SETUP D) and PING (4): PID, 11-bit field, CRC5 (§8.4.1, §8.4.3).
      if (len != 3) {
        status = PacketStatus.BAD_LENGTH;
      } else {
        const b1 = <u32>load<u8>(p, 1);
        const b2 = <u32>load<u8>(p, 2);
        const field = b1 | ((b2 & 7) << 8);
        if (code == 5) frame = field;
        else {
          address = b1 & 0x7f;
          endpoint = field >> 7;
        }
        if (crc5Of11(field) != b2 >> 3) status = PacketStatus.BAD_CRC5;
      }
    } else if ((code & 3) == 3) {
      // DATA0 3, DATA1 B, DATA2 7, MDATA F: PID, payload, CRC16 (§8.4.4).
      if (len < 3 || len > MAX_DATA_PACKET) {
        status = PacketStatus.BAD_LENGTH;
      } else {
        const payload = len - 3;
        const crc = crcMode == 0 ? crc16Fast(p + 1, payload) : crcMode == 1 ? crc16Bytewise(p + 1, payload) : crc16Sliced(p + 1, payload);
        // The received CRC16 goes in the frame column: with the length it tells a retransmission from
        // new data (§8.6.4) without the layers above reading the payload's end back from memory.
        frame = <u32>load<u16>(p + 1 + payload);
        if (crc != frame) status = PacketStatus.BAD_CRC16;
      }
    } else if (code == 8) {
      // SPLIT: PID, hub address, SC, port, S, E/U, ET, CRC5 over 19 bits (§8.4.2.2).
      if (len != 4) {
        status = PacketStatus.BAD_LENGTH;
      } else {
        const b1 = <u32>load<u8>(p, 1);
        const b2 = <u32>load<u8>(p, 2);
        const b3 = <u32>load<u8>(p, 3);
        address = b1 & 0x7f;
        endpoint = b2 & 0x7f;
        frame = ((b1 >> 7) << 8) | ((b2 >> 7) << 2) | ((b3 & 1) << 3) | ((b3 >> 1) & 3);
        const field = b1 | (b2 << 8) | ((b3 & 7) << 16);
        if (crc5Bitwise(field, 19) != b3 >> 3) status = PacketStatus.BAD_CRC5;
      }
    } else {
      // Handshakes ACK 2, NAK A, STALL E, NYET 6 and PRE/ERR C: the PID alone (§8.4.5).
      if (len != 1) status = PacketStatus.BAD_LENGTH;
    }
  }
  store<u8>(colPid + row, <u8>pidByte);
  store<u8>(colStatus + row, <u8>status);
  store<u8>(colAddress + row, <u8>address);
  store<u8>(colEndpoint + row, <u8>endpoint);
  store<u16>(colFrame + (row << 1), <u16>frame);
}
