// Field layouts: one table per fixed-size descriptor, so parsing, JSON and rendering share one field order.
import { u8, u16, u32 } from "../usb/bytes.js";

/** [field name from the spec, byte offset, size in bytes]. */
export type FieldSpec = readonly [name: string, offset: number, size: 1 | 2 | 4];

/** What every parsed descriptor carries (USB 2.0 §9.5: bLength, bDescriptorType lead every descriptor). */
export interface DescriptorBase {
  /** Which parser produced it, e.g. "device", "interface", "cdc-header", "unknown". */
  kind: string;
  /** Offset of the descriptor in the bytes it was read from (a configuration set, a BOS set). */
  offset: number;
  bLength: number;
  bDescriptorType: number;
  /** The bytes ended before bLength or before the fixed fields; missing fields read as 0. */
  truncated?: true;
  /** bLength is smaller than this descriptor type's fixed fields; the fields past bLength read as 0. */
  short?: true;
  /** The descriptor's bytes as seen (at most bLength). */
  raw: number[];
}

/**
 * Read `layout` from `b` at `base`. Fields past the buffer read as 0 and mark the result truncated; fields past
 * `end` (the descriptor's bLength) but inside the buffer read as 0 and mark it short: malformed input is data,
 * never an exception.
 */
export function readLayout<T extends object>(
  b: Uint8Array,
  base: number,
  layout: readonly FieldSpec[],
  end: number,
  out: T,
): T & { truncated?: true; short?: true } {
  const o = out as Record<string, unknown>;
  const limit = Math.min(end, b.length);
  for (const [name, off, size] of layout) {
    const at = base + off;
    if (at + size > limit) {
      o[name] = 0;
      if (at + size > b.length) o["truncated"] = true;
      else o["short"] = true;
      continue;
    }
    o[name] = size === 1 ? u8(b, at) : size === 2 ? u16(b, at) : u32(b, at);
  }
  return out as T & { truncated?: true; short?: true };
}

/** Minimum descriptor length implied by a layout. */
export function layoutLength(layout: readonly FieldSpec[]): number {
  let n = 0;
  for (const [, off, size] of layout) n = Math.max(n, off + size);
  return n;
}

/** Base fields of the descriptor at `base`, with its raw bytes clipped to bLength and to the buffer. */
export function baseOf(kind: string, b: Uint8Array, base: number): DescriptorBase {
  const bLength = u8(b, base);
  const end = Math.min(b.length, base + Math.max(bLength, 0));
  const d: DescriptorBase = {
    kind,
    offset: base,
    bLength,
    bDescriptorType: u8(b, base + 1),
    raw: Array.from(b.subarray(base, Math.max(end, Math.min(b.length, base + 2)))),
  };
  if (base + 2 > b.length || base + bLength > b.length) d.truncated = true;
  return d;
}

export const HEADER: readonly FieldSpec[] = [
  ["bLength", 0, 1],
  ["bDescriptorType", 1, 1],
];
