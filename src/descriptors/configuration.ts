// Configuration and other-speed configuration descriptor sets (USB 2.0 §9.6.3, §9.6.4, §9.4.3):
// the 9-byte header followed by interface, endpoint, IAD and class-specific descriptors, kept in order.
import { baseOf, HEADER, readLayout, type DescriptorBase, type FieldSpec } from "./layout.js";
import { DescriptorType } from "../usb/descriptorTypes.js";
import { u8 } from "../usb/bytes.js";
import {
  parseInterface,
  parseInterfaceAssociation,
  type InterfaceAssociationDescriptor,
  type InterfaceDescriptor,
} from "./interface.js";
import { parseEndpoint, type EndpointDescriptor } from "./endpoint.js";
import { parseHidDescriptor } from "./hid.js";
import { parseDfuFunctional } from "./dfu.js";
import { parseCdcFunctional } from "./cdc.js";
import { parseAudioEndpoint, parseAudioInterface } from "./audio.js";
import { UsbClass } from "./classes.js";

export const CONFIGURATION_LAYOUT: readonly FieldSpec[] = [
  ...HEADER,
  ["wTotalLength", 2, 2],
  ["bNumInterfaces", 4, 1],
  ["bConfigurationValue", 5, 1],
  ["iConfiguration", 6, 1],
  ["bmAttributes", 7, 1],
  ["bMaxPower", 8, 1],
];

export interface ConfigurationDescriptor extends DescriptorBase {
  kind: "configuration" | "other-speed-configuration";
  wTotalLength: number;
  bNumInterfaces: number;
  bConfigurationValue: number;
  iConfiguration: number;
  bmAttributes: number;
  bMaxPower: number;
  /** Bytes returned by the read this set was parsed from. */
  length: number;
  /** Every descriptor after the header, in the order the device sent them. */
  descriptors: DescriptorBase[];
  /** Interface descriptors (one per alternate setting) with their endpoints and class-specific descriptors. */
  interfaces: InterfaceDescriptor[];
  associations: InterfaceAssociationDescriptor[];
  /** The sub-descriptor whose bLength stopped the walk (< 2), when one did (K-CFG "invalid descriptor of length"). */
  invalidAt?: { offset: number; bLength: number };
  /** Bytes left over after the last whole descriptor (fewer than 2). */
  excess: number;
}

/** Sum of bLength over the header and every sub-descriptor the walk found (what wTotalLength should be). */
export function walkedLength(c: ConfigurationDescriptor): number {
  let n = Math.max(c.bLength, 0);
  for (const d of c.descriptors) n += d.bLength;
  return n;
}

/** Parse just the header fields (a 9-byte read, or the start of a longer one). */
export function parseConfigurationHeader(b: Uint8Array): ConfigurationDescriptor {
  const kind =
    u8(b, 1) === DescriptorType.OTHER_SPEED_CONFIGURATION ? "other-speed-configuration" : "configuration";
  const c = baseOf(kind, b, 0) as ConfigurationDescriptor;
  c.raw = Array.from(b.subarray(0, Math.min(b.length, 9)));
  readLayout(b, 0, CONFIGURATION_LAYOUT, b.length, c);
  if (b.length < 9) c.truncated = true;
  else delete c.truncated;
  c.length = b.length;
  c.descriptors = [];
  c.interfaces = [];
  c.associations = [];
  c.excess = 0;
  return c;
}

/**
 * Parse a whole configuration set. Never throws: a short read is marked truncated, a sub-descriptor with
 * bLength < 2 stops the walk (recorded in invalidAt), the last descriptor running past the bytes is kept truncated.
 */
export function parseConfiguration(b: Uint8Array): ConfigurationDescriptor {
  const c = parseConfigurationHeader(b);
  if (b.length < c.wTotalLength) c.truncated = true;
  let pos = c.bLength >= 9 ? c.bLength : 9;
  let iface: InterfaceDescriptor | undefined;
  let ep: EndpointDescriptor | undefined;
  while (pos < b.length) {
    const left = b.length - pos;
    if (left < 2) {
      c.excess = left;
      break;
    }
    const bLength = b[pos]!;
    if (bLength < 2) {
      c.invalidAt = { offset: pos, bLength };
      break;
    }
    const type = b[pos + 1]!;
    let d: DescriptorBase;
    switch (type) {
      case DescriptorType.INTERFACE:
        iface = parseInterface(b, pos);
        ep = undefined;
        c.interfaces.push(iface);
        d = iface;
        break;
      case DescriptorType.ENDPOINT:
        ep = parseEndpoint(b, pos);
        iface?.endpoints.push(ep);
        d = ep;
        break;
      case DescriptorType.INTERFACE_ASSOCIATION: {
        const iad = parseInterfaceAssociation(b, pos);
        c.associations.push(iad);
        d = iad;
        break;
      }
      default:
        d = parseClassSpecific(b, pos, iface);
        (ep ?? iface)?.extra.push(d);
    }
    c.descriptors.push(d);
    pos += bLength;
  }
  return c;
}

/** Class-specific descriptors are interpreted by the class of the interface they follow. */
function parseClassSpecific(
  b: Uint8Array,
  pos: number,
  iface: InterfaceDescriptor | undefined,
): DescriptorBase {
  const type = b[pos + 1]!;
  const cls = iface?.bInterfaceClass ?? -1;
  const sub = iface?.bInterfaceSubClass ?? -1;
  const proto = iface?.bInterfaceProtocol ?? -1;
  if (type === DescriptorType.HID && cls === UsbClass.HID) return parseHidDescriptor(b, pos);
  if (type === DescriptorType.HID && cls === UsbClass.APPLICATION && sub === 0x01)
    return parseDfuFunctional(b, pos);
  if (type === DescriptorType.CS_INTERFACE && cls === UsbClass.COMM) return parseCdcFunctional(b, pos);
  if (type === DescriptorType.CS_INTERFACE && cls === UsbClass.AUDIO)
    return parseAudioInterface(b, pos, sub, proto);
  if (type === DescriptorType.CS_ENDPOINT && cls === UsbClass.AUDIO)
    return parseAudioEndpoint(b, pos, sub, proto);
  return baseOf("unknown", b, pos);
}
