// Byte readers and hex text: the one set every layer uses.
// The bounded readers (u8, u16, u32) read bytes past the end as 0, for descriptor parsers that mark
// the result truncated themselves; the ordered readers (u16At, u32At) are for container headers
// whose length the caller has checked, in either byte order (usbmon and pcapng follow the host's).

/** Byte i, or 0 past the end. */
export function u8(b: Uint8Array, i: number): number {
  return i < b.length ? b[i]! : 0;
}

/** Little-endian u16 at i (USB is little-endian, §8.1); bytes past the end read as 0. */
export function u16(b: Uint8Array, i: number): number {
  return u8(b, i) | (u8(b, i + 1) << 8);
}

/** Little-endian u32 at i; bytes past the end read as 0. */
export function u32(b: Uint8Array, i: number): number {
  return (u16(b, i) + u16(b, i + 2) * 0x10000) >>> 0;
}

/** u16 at o in the given byte order; the caller has checked o + 2 <= b.length. */
export function u16At(b: Uint8Array, o: number, littleEndian: boolean): number {
  return littleEndian ? b[o]! | (b[o + 1]! << 8) : (b[o]! << 8) | b[o + 1]!;
}

/** u32 at o in the given byte order; the caller has checked o + 4 <= b.length. */
export function u32At(b: Uint8Array, o: number, littleEndian: boolean): number {
  return littleEndian
    ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
    : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** Two hex digits of the low byte: 0x2d → "2d". */
export function hex2(n: number): string {
  return (n & 0xff).toString(16).padStart(2, "0");
}

/** Four hex digits of the low 16 bits: 0x1209 → "1209". */
export function hex4(n: number): string {
  return (n & 0xffff).toString(16).padStart(4, "0");
}

/** "0x" and at least `digits` hex digits: hex(5, 2) → "0x05". */
export function hex(n: number, digits: number): string {
  return "0x" + n.toString(16).padStart(digits, "0");
}

/** Bytes as "09 02 43 00", the first `max` of them, then " … (N bytes)" when there are more. */
export function hexBytes(b: Uint8Array, max = Infinity): string {
  const shown = Array.from(b.subarray(0, Math.min(b.length, max)), hex2).join(" ");
  return b.length > max ? `${shown} … (${b.length} bytes)` : shown;
}
