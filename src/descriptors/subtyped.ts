// Class-specific descriptors with a bDescriptorSubtype at byte 2 (CDC, Audio): one layout table per subtype.
import { layoutLength, baseOf, readLayout, type DescriptorBase, type FieldSpec } from "./layout.js";
import { u8 } from "../usb/bytes.js";

export interface SubtypeSpec {
  kind: string;
  name: string;
  layout: readonly FieldSpec[];
  /** Field name for the variable-length trailing list of byte values (e.g. "bSubordinateInterface"). */
  tail?: string;
  /** Size of each tail element in bytes (default 1). */
  tailSize?: 1 | 2 | 3;
}

export interface ClassSpecificDescriptor extends DescriptorBase {
  /** e.g. "cdc-header", "audio-input-terminal", or "cs-unknown". */
  kind: string;
  /** The spec's name of the subtype, e.g. "HEADER", "INPUT_TERMINAL". */
  name: string;
  bDescriptorSubtype: number;
  [field: string]: unknown;
}

/** Parse with the table for this descriptor's subtype; an unknown subtype keeps its bytes. */
export function parseSubtyped(
  b: Uint8Array,
  at: number,
  table: Record<number, SubtypeSpec>,
  prefix: string,
): ClassSpecificDescriptor {
  const subtype = u8(b, at + 2);
  const spec = table[subtype];
  const d = baseOf(spec ? spec.kind : `${prefix}-unknown`, b, at) as ClassSpecificDescriptor;
  d.name = spec ? spec.name : `subtype 0x${subtype.toString(16).padStart(2, "0")}`;
  d.bDescriptorSubtype = subtype;
  if (!spec) return d;
  const end = Math.min(b.length, at + d.bLength);
  readLayout(b, at, spec.layout, end, d);
  if (spec.tail) {
    const size = spec.tailSize ?? 1;
    const start = layoutLength(spec.layout);
    const list: number[] = [];
    for (let p = at + start; p + size <= end; p += size) {
      let v = 0;
      for (let k = size - 1; k >= 0; k--) v = v * 256 + u8(b, p + k);
      list.push(v);
    }
    d[spec.tail] = list;
  }
  return d;
}
