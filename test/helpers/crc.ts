// Test-only reference CRCs (USB 2.0 §8.3.5): plain bit loops, slow on purpose.

/** CRC5 over the low `bits` bits of `value`, LSB first; returns the 5-bit field as sent (inverted, bit-reversed into the byte). */
export function crc5(value: number, bits: number): number {
  let crc = 0x1f;
  for (let i = 0; i < bits; i++) {
    const bit = (value >> i) & 1;
    const top = crc & 1;
    crc >>= 1;
    if ((bit ^ top) === 1) crc ^= 0x14; // 0x05 reflected over 5 bits
  }
  return ~crc & 0x1f;
}

/** CRC16 (x^16+x^15+x^2+1, reflected 0xA001), inverted, as transmitted little-endian. */
export function crc16(data: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of data) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return ~crc & 0xffff;
}
