// Device descriptor (USB 2.0 §9.6.1, Table 9-8) and device qualifier (§9.6.2, Table 9-9).
import { baseOf, HEADER, readLayout, type DescriptorBase, type FieldSpec } from "./layout.js";

export const DEVICE_LAYOUT: readonly FieldSpec[] = [
  ...HEADER,
  ["bcdUSB", 2, 2],
  ["bDeviceClass", 4, 1],
  ["bDeviceSubClass", 5, 1],
  ["bDeviceProtocol", 6, 1],
  ["bMaxPacketSize0", 7, 1],
  ["idVendor", 8, 2],
  ["idProduct", 10, 2],
  ["bcdDevice", 12, 2],
  ["iManufacturer", 14, 1],
  ["iProduct", 15, 1],
  ["iSerialNumber", 16, 1],
  ["bNumConfigurations", 17, 1],
];

export interface DeviceDescriptor extends DescriptorBase {
  kind: "device";
  bcdUSB: number;
  bDeviceClass: number;
  bDeviceSubClass: number;
  bDeviceProtocol: number;
  bMaxPacketSize0: number;
  idVendor: number;
  idProduct: number;
  bcdDevice: number;
  iManufacturer: number;
  iProduct: number;
  iSerialNumber: number;
  bNumConfigurations: number;
  /** Bytes actually returned (the first read is often 8 or 64 bytes long). */
  length: number;
}

/** Parse a device descriptor from a GET_DESCRIPTOR(DEVICE) reply; a short reply is kept, marked truncated. */
export function parseDeviceDescriptor(b: Uint8Array): DeviceDescriptor {
  const d = baseOf("device", b, 0) as DeviceDescriptor;
  d.length = b.length;
  // Read up to 18 bytes whatever bLength says: bLength itself is what DEV_BLENGTH judges.
  readLayout(b, 0, DEVICE_LAYOUT, b.length, d);
  if (b.length < 18) d.truncated = true;
  return d;
}

export const QUALIFIER_LAYOUT: readonly FieldSpec[] = [
  ...HEADER,
  ["bcdUSB", 2, 2],
  ["bDeviceClass", 4, 1],
  ["bDeviceSubClass", 5, 1],
  ["bDeviceProtocol", 6, 1],
  ["bMaxPacketSize0", 7, 1],
  ["bNumConfigurations", 8, 1],
  ["bReserved", 9, 1],
];

export interface DeviceQualifierDescriptor extends DescriptorBase {
  kind: "device-qualifier";
  bcdUSB: number;
  bDeviceClass: number;
  bDeviceSubClass: number;
  bDeviceProtocol: number;
  bMaxPacketSize0: number;
  bNumConfigurations: number;
  bReserved: number;
}

export function parseDeviceQualifier(b: Uint8Array): DeviceQualifierDescriptor {
  const d = baseOf("device-qualifier", b, 0) as DeviceQualifierDescriptor;
  readLayout(b, 0, QUALIFIER_LAYOUT, b.length, d);
  if (b.length < 10) d.truncated = true;
  return d;
}
