// Reference USB CRCs (USB 2.0 §8.3.5), bitwise and table-free on purpose: the core's table
// versions are checked against these, so these stay as close to the spec text as possible.

/** CRC5 generator x^5 + x^2 + 1 (§8.3.5.1), bit-reflected because fields go on the wire LSB first. */
const CRC5_POLY_REFLECTED = 0x14;
/** CRC16 generator x^16 + x^15 + x^2 + 1 = 0x8005 (§8.3.5.2), bit-reflected. */
const CRC16_POLY_REFLECTED = 0xa001;

/**
 * USB CRC5 over the low `bits` bits of `value`, taken LSB first (§8.3.5.1): the 11-bit token field
 * `addr | endp << 7`, the 11-bit SOF frame number, or the 19-bit SPLIT field. The remainder starts
 * at all ones and is sent inverted; the result is the 5-bit field as it sits in bits 7..3 of the
 * last byte (its LSB is the first bit on the wire).
 */
export function crc5(value: number, bits: number): number {
  let crc = 0x1f;
  for (let i = 0; i < bits; i++) {
    const bit = (value >>> i) & 1;
    crc = ((crc ^ bit) & 1) !== 0 ? (crc >>> 1) ^ CRC5_POLY_REFLECTED : crc >>> 1;
  }
  return ~crc & 0x1f;
}

/**
 * USB CRC16 over `bytes[start..end)` (§8.3.5.2): remainder starts at all ones, bytes go LSB first,
 * the result is inverted. Append it low byte first. The CRC of no bytes is 0x0000.
 */
export function crc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) {
    crc ^= bytes[i]!;
    for (let b = 0; b < 8; b++) crc = (crc & 1) !== 0 ? (crc >>> 1) ^ CRC16_POLY_REFLECTED : crc >>> 1;
  }
  return ~crc & 0xffff;
}

/** 256-entry table for the reflected CRC16, built once at load (fflate-style) for bulk generation. */
const CRC16_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let b = 0; b < 8; b++) c = (c & 1) !== 0 ? (c >>> 1) ^ CRC16_POLY_REFLECTED : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** Same result as `crc16`, a byte at a time through a table: what the packet encoders use. */
export function crc16Fast(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  const t = CRC16_TABLE;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ t[(crc ^ bytes[i]!) & 0xff]!;
  return ~crc & 0xffff;
}
