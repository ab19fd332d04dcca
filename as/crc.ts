// USB 2.0 CRCs (§8.3.5). Tables are built once by initCrcTables() into regions of linear memory;
// the hot paths then do one table load per 11-bit field (CRC5) or per byte lane (CRC16).
// crc16Fast (16-lane SIMD, as/crc16simd.ts) is the decode path; crc16Sliced and crc16Bytewise stay
// as the scalar fallback and the reference the fast path is tested against.
import { initCrc16Simd, crc16SimdBlocks, CRC16_SIMD_MIN } from "./crc16simd";

/** CRC5 generator x^5 + x^2 + 1, bit-reversed because USB sends fields LSb first (§8.3.5.1). */
const CRC5_POLY_REFLECTED: u32 = 0x14;
/** CRC16 generator x^16 + x^15 + x^2 + 1 (0x8005), bit-reversed (§8.3.5.2). */
const CRC16_POLY_REFLECTED: u32 = 0xa001;

/** CRC16 slicing tables (256 u16 each): table k advances a byte through k more zero bytes.
 * Slicing-by-8 uses the first 8; the SIMD lane fold (crc16simd.ts) uses all 16. */
export const CRC16_LANES: u32 = 16;
export const CRC5_TABLE_BYTES: usize = 2048;
export const CRC16_TABLE_BYTES: usize = 256 * 2 * CRC16_LANES;

let crc5Table: usize = 0;
let crc16Table: usize = 0;

/** CRC5 over the low `bits` bits of `value`, LSb first, as the 5-bit field appears in the packet. */
export function crc5Bitwise(value: u32, bits: u32): u32 {
  let crc: u32 = 0x1f; // §8.3.5: the remainder starts as all ones
  for (let i: u32 = 0; i < bits; i++) {
    const bit = (value >> i) & 1;
    if (((crc ^ bit) & 1) != 0) crc = (crc >> 1) ^ CRC5_POLY_REFLECTED;
    else crc = crc >> 1;
  }
  return ~crc & 0x1f; // §8.3.5: the remainder is sent inverted
}

export function initCrcTables(crc5At: usize, crc16At: usize): void {
  crc5Table = crc5At;
  crc16Table = crc16At;
  // Every 11-bit token/SOF field has its CRC5 precomputed: one load per token.
  for (let v: u32 = 0; v < 2048; v++) store<u8>(crc5At + v, <u8>crc5Bitwise(v, 11));
  for (let b: u32 = 0; b < 256; b++) {
    let crc = b;
    for (let k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ CRC16_POLY_REFLECTED : crc >> 1;
    store<u16>(crc16At + (b << 1), <u16>crc);
  }
  // Slicing-by-8: table k advances a byte through k further zero bytes.
  for (let k: u32 = 1; k < CRC16_LANES; k++) {
    for (let b: u32 = 0; b < 256; b++) {
      const prev = <u32>load<u16>(crc16At + ((((k - 1) << 8) + b) << 1));
      const next = (prev >> 8) ^ <u32>load<u16>(crc16At + ((prev & 0xff) << 1));
      store<u16>(crc16At + ((k << 8) + b << 1), <u16>next);
    }
  }
  initCrc16Simd(crc16At);
}

/** The CRC5 field expected for an 11-bit token address/endpoint or SOF frame number. */
// @ts-ignore: decorator
@inline export function crc5Of11(field: u32): u32 {
  return <u32>load<u8>(crc5Table + (field & 0x7ff));
}

/** CRC16 of [ptr, ptr+len), one byte at a time: the reference the fast path is tested against. */
export function crc16Bytewise(ptr: usize, len: usize): u32 {
  let crc: u32 = 0xffff;
  const table = crc16Table;
  for (let i: usize = 0; i < len; i++) {
    crc = (crc >> 8) ^ <u32>load<u16>(table + (((crc ^ <u32>load<u8>(ptr + i)) & 0xff) << 1));
  }
  return ~crc & 0xffff;
}

/** CRC16 of [ptr, ptr+len), eight bytes per step (slicing-by-8). */
export function crc16Sliced(ptr: usize, len: usize): u32 {
  return ~crc16SlicedFrom(0xffff, ptr, len) & 0xffff;
}

/** CRC16 of [ptr, ptr+len): 16 SIMD lanes for long payloads, slicing-by-8 for the rest and the tail. */
export function crc16Fast(ptr: usize, len: usize): u32 {
  if (len < CRC16_SIMD_MIN) return ~crc16SlicedFrom(0xffff, ptr, len) & 0xffff;
  const body = len & ~<usize>15;
  const r = crc16SimdBlocks(ptr, len, 0xffff, crc16Table);
  return ~crc16SlicedFrom(r, ptr + body, len - body) & 0xffff;
}

/** The CRC16 register (not inverted) after feeding [ptr, ptr+len) to `init`, slicing-by-8. */
// @ts-ignore: decorator
@inline function crc16SlicedFrom(init: u32, ptr: usize, len: usize): u32 {
  let crc: u32 = init;
  const t = crc16Table;
  const end8 = ptr + (len & ~<usize>7);
  const end = ptr + len;
  let p = ptr;
  while (p < end8) {
    // The 16-bit CRC folds into the first two bytes; the other six go straight through their tables.
    const x = crc ^ <u32>load<u16>(p);
    crc =
      <u32>load<u16>(t + ((7 << 8) + (x & 0xff) << 1)) ^
      <u32>load<u16>(t + ((6 << 8) + (x >> 8) << 1)) ^
      <u32>load<u16>(t + ((5 << 8) + <u32>load<u8>(p, 2) << 1)) ^
      <u32>load<u16>(t + ((4 << 8) + <u32>load<u8>(p, 3) << 1)) ^
      <u32>load<u16>(t + ((3 << 8) + <u32>load<u8>(p, 4) << 1)) ^
      <u32>load<u16>(t + ((2 << 8) + <u32>load<u8>(p, 5) << 1)) ^
      <u32>load<u16>(t + ((1 << 8) + <u32>load<u8>(p, 6) << 1)) ^
      <u32>load<u16>(t + (<u32>load<u8>(p, 7) << 1));
    p += 8;
  }
  while (p < end) {
    crc = (crc >> 8) ^ <u32>load<u16>(t + (((crc ^ <u32>load<u8>(p)) & 0xff) << 1));
    p++;
  }
  return crc;
}
