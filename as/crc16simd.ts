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
// register with the slicing tables, and the tail goes through slicing-by-8. crc16Bytewise in crc.ts is the reference this is tested against.

// Table layout (16-byte rows, `n` = nibble value as the swizzle index):
//   A16 and A64: 16-bit state -> 16-bit, 4 input nibbles x (lo, hi) output byte = 8 rows each;
//   T, M16 = A16.T, M32 = A32.T, M48 = A48.T: one data byte -> 16-bit, 2 nibbles x (lo, hi) = 4 rows each.
const ROW_A16: usize = 0;
const ROW_A64: usize = 8;
const ROW_T: usize = 16;
const ROW_M16: usize = 20;
const ROW_M32: usize = 24;
const ROW_M48: usize = 28;
const simdTables: usize = memory.data(32 * 16, 16);
/** The 16 lane states (low bytes, then high bytes) on their way to the fold. */
const foldScratch: usize = memory.data(32, 16);

/** Payloads shorter than this go through slicing-by-8, which beats the SIMD set-up and fold there. */
export const CRC16_SIMD_MIN: usize = 128;

/** Advance a reflected CRC16 register through one zero byte with the byte table at `t`. */
// @ts-ignore: decorator
@inline function zeroByte(t: usize, r: u32): u32 {
  return (r >> 8) ^ <u32>load<u16>(t + ((r & 0xff) << 1));
}

function advance(t: usize, r: u32, bytes: i32): u32 {
  for (let i = 0; i < bytes; i++) r = zeroByte(t, r);
  return r;
}

/** Fill `rows` rows from row `row`: for each input nibble k of `nibbles`, the map of (n << 4k). */
function fillMap(byteTable: usize, row: usize, nibbles: u32, zeroBytes: i32, viaByteTable: bool): void {
  for (let k: u32 = 0; k < nibbles; k++) {
    for (let n: u32 = 0; n < 16; n++) {
      let r: u32 = n << (k << 2);
      // A data byte enters the register as T[b] (the byte fed into a zero register).
      if (viaByteTable) r = <u32>load<u16>(byteTable + (r << 1));
      r = advance(byteTable, r, zeroBytes);
      const at = simdTables + ((row + (k << 1)) << 4) + n;
      store<u8>(at, <u8>(r & 0xff));
      store<u8>(at + 16, <u8>(r >> 8));
    }
  }
}

/** Build the nibble tables from the slicing tables (16 x 256 x u16 at `byteTable`). Call once after they are filled. */
export function initCrc16Simd(byteTable: usize): void {
  fillMap(byteTable, ROW_A16, 4, 16, false);
  fillMap(byteTable, ROW_A64, 4, 64, false);
  fillMap(byteTable, ROW_T, 2, 0, true);
  fillMap(byteTable, ROW_M16, 2, 16, true);
  fillMap(byteTable, ROW_M32, 2, 32, true);
  fillMap(byteTable, ROW_M48, 2, 48, true);
}

// @ts-ignore: decorator
@inline function row(r: usize): v128 {
  return v128.load(simdTables + (r << 4));
}

/**
 * CRC16 register (not inverted) after [ptr, ptr + (len & ~15)), starting from `init`.
 * Returns the register; the caller feeds the tail bytes and inverts.
 */
export function crc16SimdBlocks(ptr: usize, len: usize, init: u32, byteTable: usize): u32 {
  const low = i8x16.splat(0x0f);
  // The initial register sits "right after byte 15 of block -1": it is lane 15's state.
  let lo = i8x16.replace_lane(i8x16.splat(0), 15, <i8>(init & 0xff));
  let hi = i8x16.replace_lane(i8x16.splat(0), 15, <i8>(init >> 8));
  let p = ptr;
  // Four blocks per step: s' = A64(s) ^ M48(b0) ^ M32(b1) ^ M16(b2) ^ T(b3). Only the A64 part
  // depends on the previous step, so the data-byte lookups overlap with it.
  const end64 = ptr + (len & ~<usize>63);
  while (p < end64) {
    const ln0 = v128.and(lo, low);
    const ln1 = v128.and(i16x8.shr_u(lo, 4), low);
    const hn0 = v128.and(hi, low);
    const hn1 = v128.and(i16x8.shr_u(hi, 4), low);
    const nl = v128.xor(
      v128.xor(i8x16.swizzle(row(ROW_A64 + 0), ln0), i8x16.swizzle(row(ROW_A64 + 2), ln1)),
      v128.xor(i8x16.swizzle(row(ROW_A64 + 4), hn0), i8x16.swizzle(row(ROW_A64 + 6), hn1)),
    );
    const nh = v128.xor(
      v128.xor(i8x16.swizzle(row(ROW_A64 + 1), ln0), i8x16.swizzle(row(ROW_A64 + 3), ln1)),
      v128.xor(i8x16.swizzle(row(ROW_A64 + 5), hn0), i8x16.swizzle(row(ROW_A64 + 7), hn1)),
    );
    const b0 = v128.load(p);
    const b1 = v128.load(p, 16);
    const b2 = v128.load(p, 32);
    const b3 = v128.load(p, 48);
    const b0n0 = v128.and(b0, low);
    const b0n1 = v128.and(i16x8.shr_u(b0, 4), low);
    const b1n0 = v128.and(b1, low);
    const b1n1 = v128.and(i16x8.shr_u(b1, 4), low);
    const b2n0 = v128.and(b2, low);
    const b2n1 = v128.and(i16x8.shr_u(b2, 4), low);
    const b3n0 = v128.and(b3, low);
    const b3n1 = v128.and(i16x8.shr_u(b3, 4), low);
    const dl = v128.xor(
      v128.xor(
        v128.xor(i8x16.swizzle(row(ROW_M48 + 0), b0n0), i8x16.swizzle(row(ROW_M48 + 2), b0n1)),
        v128.xor(i8x16.swizzle(row(ROW_M32 + 0), b1n0), i8x16.swizzle(row(ROW_M32 + 2), b1n1)),
      ),
      v128.xor(
        v128.xor(i8x16.swizzle(row(ROW_M16 + 0), b2n0), i8x16.swizzle(row(ROW_M16 + 2), b2n1)),
        v128.xor(i8x16.swizzle(row(ROW_T + 0), b3n0), i8x16.swizzle(row(ROW_T + 2), b3n1)),
      ),
    );
    const dh = v128.xor(
      v128.xor(
        v128.xor(i8x16.swizzle(row(ROW_M48 + 1), b0n0), i8x16.swizzle(row(ROW_M48 + 3), b0n1)),
        v128.xor(i8x16.swizzle(row(ROW_M32 + 1), b1n0), i8x16.swizzle(row(ROW_M32 + 3), b1n1)),
      ),
      v128.xor(
        v128.xor(i8x16.swizzle(row(ROW_M16 + 1), b2n0), i8x16.swizzle(row(ROW_M16 + 3), b2n1)),
        v128.xor(i8x16.swizzle(row(ROW_T + 1), b3n0), i8x16.swizzle(row(ROW_T + 3), b3n1)),
      ),
    );
    lo = v128.xor(nl, dl);
    hi = v128.xor(nh, dh);
    p += 64;
  }
  // Up to three single blocks: s' = A16(s) ^ T(b).
  const end16 = ptr + (len & ~<usize>15);
  while (p < end16) {
    const b = v128.load(p);
    const bn0 = v128.and(b, low);
    const bn1 = v128.and(i16x8.shr_u(b, 4), low);
    const ln0 = v128.and(lo, low);
    const ln1 = v128.and(i16x8.shr_u(lo, 4), low);
    const hn0 = v128.and(hi, low);
    const hn1 = v128.and(i16x8.shr_u(hi, 4), low);
    const nl = v128.xor(
      v128.xor(
        v128.xor(i8x16.swizzle(row(ROW_A16 + 0), ln0), i8x16.swizzle(row(ROW_A16 + 2), ln1)),
        v128.xor(i8x16.swizzle(row(ROW_A16 + 4), hn0), i8x16.swizzle(row(ROW_A16 + 6), hn1)),
      ),
      v128.xor(i8x16.swizzle(row(ROW_T + 0), bn0), i8x16.swizzle(row(ROW_T + 2), bn1)),
    );
    const nh = v128.xor(
      v128.xor(
        v128.xor(i8x16.swizzle(row(ROW_A16 + 1), ln0), i8x16.swizzle(row(ROW_A16 + 3), ln1)),
        v128.xor(i8x16.swizzle(row(ROW_A16 + 5), hn0), i8x16.swizzle(row(ROW_A16 + 7), hn1)),
      ),
      v128.xor(i8x16.swizzle(row(ROW_T + 1), bn0), i8x16.swizzle(row(ROW_T + 3), bn1)),
    );
    lo = nl;
    hi = nh;
    p += 16;
  }
  // Fold the lanes: R = XOR_j A^(15-j)(s_j). Advancing a 16-bit value v = lo | hi << 8 through
  // k zero bytes is slicing table k-1 on lo and k-2 on hi (crc.ts builds 16 of them), so the 16
  // terms are independent loads, not a 15-step dependent chain.
  v128.store(foldScratch, lo);
  v128.store(foldScratch, hi, 16);
  const bt = byteTable;
  let r = <u32>load<u8>(foldScratch + 15) | (<u32>load<u8>(foldScratch + 31) << 8);
  r ^= <u32>load<u8>(foldScratch + 30) ^ <u32>load<u16>(bt + (<usize>load<u8>(foldScratch + 14) << 1));
  for (let j: usize = 0; j < 14; j++) {
    r ^=
      <u32>load<u16>(bt + (((14 - j) << 9) + (<usize>load<u8>(foldScratch + j) << 1))) ^
      <u32>load<u16>(bt + (((13 - j) << 9) + (<usize>load<u8>(foldScratch + 16 + j) << 1)));
  }
  return r;
}
