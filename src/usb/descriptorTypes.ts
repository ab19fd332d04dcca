// bDescriptorType values and their names: one table (USB 2.0 Table 9-5; IAD ECN; USB 3.2 §9.6.2 BOS;
// HID 1.11 §7.1; CDC 1.2 Table 12; USB 2.0 §11.23.2.1 hub).
import { hex2 } from "./bytes.js";

export const DescriptorType = {
  DEVICE: 0x01,
  CONFIGURATION: 0x02,
  STRING: 0x03,
  INTERFACE: 0x04,
  ENDPOINT: 0x05,
  DEVICE_QUALIFIER: 0x06,
  OTHER_SPEED_CONFIGURATION: 0x07,
  INTERFACE_POWER: 0x08,
  OTG: 0x09,
  DEBUG: 0x0a,
  INTERFACE_ASSOCIATION: 0x0b,
  BOS: 0x0f,
  DEVICE_CAPABILITY: 0x10,
  HID: 0x21,
  HID_REPORT: 0x22,
  HID_PHYSICAL: 0x23,
  CS_INTERFACE: 0x24,
  CS_ENDPOINT: 0x25,
  HUB: 0x29,
  SS_ENDPOINT_COMPANION: 0x30,
} as const;

/** The names are the constants' keys, so the table cannot disagree with them. */
const NAMES = new Map<number, string>(Object.entries(DescriptorType).map(([name, code]) => [code, name]));

/** "DEVICE", "HID_REPORT", or "0x42" for a type usbscope does not name. */
export function descriptorTypeName(type: number): string {
  return NAMES.get(type) ?? `0x${hex2(type)}`;
}

/** The name when usbscope knows the type, else undefined. */
export function knownDescriptorTypeName(type: number): string | undefined {
  return NAMES.get(type);
}
