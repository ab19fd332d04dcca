// Binary-coded decimal release numbers (USB 2.0 §9.6.1 bcdUSB, bcdDevice).
import { hex2 } from "./bytes.js";

/** BCD version as text: 0x0210 → "2.10". */
export function bcdText(v: number): string {
  return `${(v >> 8).toString(16)}.${hex2(v)}`;
}

/** True when every nibble of a BCD value is a decimal digit. */
export function isBcd(v: number): boolean {
  for (let s = 0; s < 16; s += 4) if (((v >> s) & 0xf) > 9) return false;
  return true;
}
