// HID class descriptor (HID 1.11 §6.2.1): follows the HID interface descriptor and lists the report
// (and physical) descriptors with their lengths.
import { baseOf, HEADER, readLayout, type DescriptorBase, type FieldSpec } from "./layout.js";
import { u8, u16 } from "../usb/bytes.js";

const HID_LAYOUT: readonly FieldSpec[] = [
  ...HEADER,
  ["bcdHID", 2, 2],
  ["bCountryCode", 4, 1],
  ["bNumDescriptors", 5, 1],
];

export interface HidDescriptor extends DescriptorBase {
  kind: "hid";
  bcdHID: number;
  bCountryCode: number;
  bNumDescriptors: number;
  /** (bDescriptorType, wDescriptorLength) pairs; the first is the report descriptor (0x22). */
  descriptors: { bDescriptorType: number; wDescriptorLength: number }[];
}

export function parseHidDescriptor(b: Uint8Array, at: number): HidDescriptor {
  const d = baseOf("hid", b, at) as HidDescriptor;
  const end = Math.min(b.length, at + d.bLength);
  readLayout(b, at, HID_LAYOUT, end, d);
  d.descriptors = [];
  for (let i = 0; i < d.bNumDescriptors; i++) {
    const p = at + 6 + 3 * i;
    if (p + 3 > end) {
      if (p + 3 > b.length) d.truncated = true;
      else d.short = true;
      break;
    }
    d.descriptors.push({ bDescriptorType: u8(b, p), wDescriptorLength: u16(b, p + 1) });
  }
  return d;
}
