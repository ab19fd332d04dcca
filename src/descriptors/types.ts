// Descriptor type codes and request codes (USB 2.0 §9.4 Table 9-4, Table 9-5; ECN IAD; USB 3.2 §9.6.2 BOS).

/** bDescriptorType values (USB 2.0 Table 9-5, IAD ECN, USB 3.x BOS, HID 1.11 §7.1, CDC 1.2 Table 12). */
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
  REPORT: 0x22,
  PHYSICAL: 0x23,
  CS_INTERFACE: 0x24,
  CS_ENDPOINT: 0x25,
  SS_ENDPOINT_COMPANION: 0x30,
} as const;

const DESCRIPTOR_TYPE_NAMES: Record<number, string> = {
  0x01: "DEVICE",
  0x02: "CONFIGURATION",
  0x03: "STRING",
  0x04: "INTERFACE",
  0x05: "ENDPOINT",
  0x06: "DEVICE_QUALIFIER",
  0x07: "OTHER_SPEED_CONFIGURATION",
  0x08: "INTERFACE_POWER",
  0x09: "OTG",
  0x0a: "DEBUG",
  0x0b: "INTERFACE_ASSOCIATION",
  0x0f: "BOS",
  0x10: "DEVICE_CAPABILITY",
  0x21: "HID",
  0x22: "REPORT",
  0x23: "PHYSICAL",
  0x24: "CS_INTERFACE",
  0x25: "CS_ENDPOINT",
  0x30: "SS_ENDPOINT_COMPANION",
};

export function descriptorTypeName(type: number): string {
  return DESCRIPTOR_TYPE_NAMES[type] ?? `0x${hex2(type)}`;
}

/** Standard bRequest codes (USB 2.0 Table 9-4). */
export const Request = {
  GET_STATUS: 0,
  CLEAR_FEATURE: 1,
  SET_FEATURE: 3,
  SET_ADDRESS: 5,
  GET_DESCRIPTOR: 6,
  SET_DESCRIPTOR: 7,
  GET_CONFIGURATION: 8,
  SET_CONFIGURATION: 9,
  GET_INTERFACE: 10,
  SET_INTERFACE: 11,
  SYNCH_FRAME: 12,
} as const;

export function hex2(n: number): string {
  return (n & 0xff).toString(16).padStart(2, "0");
}

export function hex4(n: number): string {
  return (n & 0xffff).toString(16).padStart(4, "0");
}

/** A bounded little-endian reader: bytes past the end read as 0, and the caller marks the result truncated. */
export function u8(b: Uint8Array, i: number): number {
  return i < b.length ? b[i]! : 0;
}

export function u16(b: Uint8Array, i: number): number {
  return u8(b, i) | (u8(b, i + 1) << 8);
}

export function u32(b: Uint8Array, i: number): number {
  return (u16(b, i) + u16(b, i + 2) * 0x10000) >>> 0;
}

/** BCD version as text: 0x0210 → "2.10" (USB 2.0 §9.6.1 bcdUSB). */
export function bcdText(v: number): string {
  return `${(v >> 8).toString(16)}.${hex2(v)}`;
}

/** True when every nibble of a BCD value is a decimal digit. */
export function isBcd(v: number): boolean {
  for (let s = 0; s < 16; s += 4) if (((v >> s) & 0xf) > 9) return false;
  return true;
}
