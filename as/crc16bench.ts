// Micro-benchmark entry for the CRC16 paths alone (bench/crc.ts compiles it with asc on demand).
import { initCrcTables, crc16Fast, crc16Sliced, crc16Bytewise, CRC5_TABLE_BYTES, CRC16_TABLE_BYTES } from "./crc";

let bufAt: usize = 0;

/** Lay out tables and a `bytes`-long buffer; returns the buffer's address. */
export function init(bytes: u32): usize {
  const crc5At = (__heap_base + 15) & ~<usize>15;
  const crc16At = crc5At + CRC5_TABLE_BYTES;
  bufAt = (crc16At + CRC16_TABLE_BYTES + 15) & ~<usize>15;
  const end = bufAt + <usize>bytes;
  const have = <usize>memory.size() << 16;
  if (end > have) memory.grow(<i32>((end - have + 0xffff) >> 16));
  initCrcTables(crc5At, crc16At);
  return bufAt;
}

/** XOR of the CRC16 of each `packet`-byte slice of the buffer's first `len` bytes, with path `mode` (0 fast, 1 bytewise, 2 sliced). */
export function run(len: u32, packet: u32, mode: u32): u32 {
  let acc: u32 = 0;
  for (let o: u32 = 0; o + packet <= len; o += packet) {
    const p = bufAt + <usize>o;
    acc ^= mode == 0 ? crc16Fast(p, packet) : mode == 1 ? crc16Bytewise(p, packet) : crc16Sliced(p, packet);
  }
  return acc;
}
