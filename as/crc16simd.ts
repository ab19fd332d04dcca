// CRC16 (USB 2.0 §8.3.5.2) with WASM SIMD, 16 interleaved lanes.
//
// WASM SIMD has no carry-less multiply, so this uses linearity instead. Lane j of a v128 owns
// bytes j, j+16, j+32... of the payload: one plain v128.load feeds all 16 lanes, no transpose.
// Each lane keeps a 16-bit partial register s_j (low bytes in one vector, high bytes in another),
// "positioned" right after its last byte. One 16-byte step is, per lane,
//     s_j' = A16(s_j) ^ T[b_j]
// where T is the byte table (a byte fed into a zero register) and A16 advances a register through
// 16 zero bytes. Both maps are GF(2)-linear, so each is an XOR of nibble lookups: 16-entry tables,
// one i8x16.swizzle per (input nibble, output byte). At the end the lanes are folded back into one
// register by Horner's rule (R = R advanced one byte, XOR s_j), and the tail goes through the
// scalar tables. crc16Bytewise in crc.ts is the reference this is tested against.

/** 12 nibble tables of 16 bytes: A16 (4 input nibbles x lo/hi output byte), then T (2 x lo/hi). */
const simdTables: usize = memory.data(12 * 16, 16);

/** Payloads shorter than this go through slicing-by-8: the lane fold costs about 15 byte steps. */
export const CRC16_SIMD_MIN: usize = 64;

/** Advance a reflected CRC16 register through one zero byte with the byte table at `t`. */
// @ts-ignore: decorator
@inline function zeroByte(t: usize, r: u32): u32 {
  return (r >> 8) ^ <u32>load<u16>(t + ((r & 0xff) << 1));
}

/** Build the nibble tables from the byte table (256 x u16 at `byteTable`). Call once after it is filled. */
export function initCrc16Simd(byteTable: usize): void {
  for (let k: u32 = 0; k < 4; k++) {
    for (let n: u32 = 0; n < 16; n++) {
      let r: u32 = n << (k << 2);
      for (let i = 0; i < 16; i++) r = zeroByte(byteTable, r);
      store<u8>(simdTables + (k << 5) + n, <u8>(r & 0xff));
      store<u8>(simdTables + (k << 5) + 16 + n, <u8>(r >> 8));
    }
  }
  for (let k: u32 = 0; k < 2; k++) {
    for (let n: u32 = 0; n < 16; n++) {
      const r = <u32>load<u16>(byteTable + ((n << (k << 2)) << 1));
      store<u8>(simdTables + 128 + (k << 5) + n, <u8>(r & 0xff));
      store<u8>(simdTables + 128 + (k << 5) + 16 + n, <u8>(r >> 8));
    }
  }
}

/**
 * CRC16 register (not inverted) after [ptr, ptr + (len & ~15)), starting from `init`.
 * Returns the register; the caller feeds the tail bytes and inverts.
 */
export function crc16SimdBlocks(ptr: usize, len: usize, init: u32, byteTable: usize): u32 {
  const t = simdTables;
  const a0l = v128.load(t, 0);
  const a0h = v128.load(t, 16);
  const a1l = v128.load(t, 32);
  const a1h = v128.load(t, 48);
  const a2l = v128.load(t, 64);
  const a2h = v128.load(t, 80);
  const a3l = v128.load(t, 96);
  const a3h = v128.load(t, 112);
  const b0l = v128.load(t, 128);
  const b0h = v128.load(t, 144);
  const b1l = v128.load(t, 160);
  const b1h = v128.load(t, 176);
  const low = i8x16.splat(0x0f);
  // The initial register sits "right after byte 15 of block -1": it is lane 15's state.
  let lo = i8x16.replace_lane(i8x16.splat(0), 15, <i8>(init & 0xff));
  let hi = i8x16.replace_lane(i8x16.splat(0), 15, <i8>(init >> 8));
  const end = ptr + (len & ~<usize>15);
  let p = ptr;
  while (p < end) {
    const b = v128.load(p);
    const bn0 = v128.and(b, low);
    const bn1 = v128.and(i16x8.shr_u(b, 4), low);
    const ln0 = v128.and(lo, low);
    const ln1 = v128.and(i16x8.shr_u(lo, 4), low);
    const hn0 = v128.and(hi, low);
    const hn1 = v128.and(i16x8.shr_u(hi, 4), low);
    const nl = v128.xor(
      v128.xor(v128.xor(i8x16.swizzle(a0l, ln0), i8x16.swizzle(a1l, ln1)), v128.xor(i8x16.swizzle(a2l, hn0), i8x16.swizzle(a3l, hn1))),
      v128.xor(i8x16.swizzle(b0l, bn0), i8x16.swizzle(b1l, bn1)),
    );
    const nh = v128.xor(
      v128.xor(v128.xor(i8x16.swizzle(a0h, ln0), i8x16.swizzle(a1h, ln1)), v128.xor(i8x16.swizzle(a2h, hn0), i8x16.swizzle(a3h, hn1))),
      v128.xor(i8x16.swizzle(b0h, bn0), i8x16.swizzle(b1h, bn1)),
    );
    lo = nl;
    hi = nh;
    p += 16;
  }
  // Interleave low/high bytes into 16-bit lanes, then fold: R = sum_j A^(15-j)(s_j) (Horner).
  const w0 = i8x16.shuffle(lo, hi, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const w1 = i8x16.shuffle(lo, hi, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  const bt = byteTable;
  let r = <u32>i16x8.extract_lane_u(w0, 0);
  r = zeroByte(bt, r) ^ <u32>i16x8.extract_lane_u(w0, 1);
  r = zeroByte(bt, r) ^ <u32>i16x8.extract_lane_u(w0, 2);
  r = zeroByte(bt, r) ^ <u32>i16x8.extract_lane_u(w0, 3);
  r = zeroByte(bt, r) ^ <u32>i16x8.extract_lane_u(w0, 4);
  r = zeroByte(bt, r) ^ <u32>i16x8.extract_lane_u(w0, 5);
  r = zeroByte(bt, r) ^ <u32>i16x8.extract_lane_u(w0, 6);
  r = zeroByte(bt, r) ^ <u32>i16x8.extract_lane_u(w0, 7);
  r = zeroByte(bt, r) ^ <u32>i16x8.extract_lane_u(w1, 0);
  r = zeroByte(bt, r) ^ <u32>i16x8.extract_lane_u(w1, 1);
  r = zeroByte(bt, r) ^ <u32>i16x8.extract_lane_u(w1, 2);
  r = zeroByte(bt, r) ^ <u32>i16x8.extract_lane_u(w1, 3);
  r = zeroByte(bt, r) ^ <u32>i16x8.extract_lane_u(w1, 4);
  r = zeroByte(bt, r) ^ <u32>i16x8.extract_lane_u(w1, 5);
  r = zeroByte(bt, r) ^ <u32>i16x8.extract_lane_u(w1, 6);
  r = zeroByte(bt, r) ^ <u32>i16x8.extract_lane_u(w1, 7);
  return r;
}
