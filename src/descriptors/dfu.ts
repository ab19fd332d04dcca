// DFU functional descriptor (USB DFU 1.1 §4.1.3, Table 4.2): type 0x21 inside a DFU interface
// (class 0xFE, subclass 0x01).
import { baseOf, HEADER, readLayout, type DescriptorBase, type FieldSpec } from "./layout.js";

export const DFU_FUNCTIONAL_LAYOUT: readonly FieldSpec[] = [
  ...HEADER,
  ["bmAttributes", 2, 1],
  ["wDetachTimeOut", 3, 2],
  ["wTransferSize", 5, 2],
  ["bcdDFUVersion", 7, 2],
];

export interface DfuFunctionalDescriptor extends DescriptorBase {
  kind: "dfu-functional";
  bmAttributes: number;
  wDetachTimeOut: number;
  wTransferSize: number;
  bcdDFUVersion: number;
}

export function parseDfuFunctional(b: Uint8Array, at: number): DfuFunctionalDescriptor {
  const d = baseOf("dfu-functional", b, at) as DfuFunctionalDescriptor;
  // DFU 1.0 devices send 7 bytes without bcdDFUVersion (DFU 1.0 Table 4.2).
  const want = d.bLength >= 9 ? DFU_FUNCTIONAL_LAYOUT : DFU_FUNCTIONAL_LAYOUT.slice(0, 5);
  return readLayout(b, at, want, at + d.bLength, d);
}
