// Binary Object Store and device capabilities (USB 3.2 §9.6.2; USB 2.0 LPM ECN "USB 2.0 Extension";
// WebUSB §4.3 platform capability; Microsoft OS 2.0 Descriptors §3 platform capability).
import { baseOf, HEADER, readLayout, type DescriptorBase, type FieldSpec } from "./layout.js";
import { u8 } from "../usb/bytes.js";

const BOS_LAYOUT: readonly FieldSpec[] = [...HEADER, ["wTotalLength", 2, 2], ["bNumDeviceCaps", 4, 1]];

export const CapabilityType = {
  WIRELESS_USB: 0x01,
  USB_2_0_EXTENSION: 0x02,
  SUPERSPEED_USB: 0x03,
  CONTAINER_ID: 0x04,
  PLATFORM: 0x05,
  BILLBOARD: 0x0d,
} as const;

const CAPABILITY_NAMES: Record<number, string> = {
  0x01: "Wireless USB",
  0x02: "USB 2.0 Extension",
  0x03: "SuperSpeed USB",
  0x04: "Container ID",
  0x05: "Platform",
  0x06: "Power Delivery",
  0x07: "Battery Info",
  0x0a: "SuperSpeedPlus USB",
  0x0d: "Billboard",
};

export function capabilityName(t: number): string {
  return CAPABILITY_NAMES[t] ?? `capability 0x${t.toString(16).padStart(2, "0")}`;
}

/** Platform capability UUIDs (text form, lower case). */
export const WEBUSB_UUID = "3408b638-09a9-47a0-8bfd-a0768815b665";
export const MS_OS_20_UUID = "d8dd60df-4589-4cc7-9cd2-659d9e648a9f";

export interface DeviceCapability extends DescriptorBase {
  kind: "capability";
  bDevCapabilityType: number;
  name: string;
  [field: string]: unknown;
}

export interface BosDescriptor extends DescriptorBase {
  kind: "bos";
  wTotalLength: number;
  bNumDeviceCaps: number;
  length: number;
  capabilities: DeviceCapability[];
  /** A capability whose bLength < 3 stopped the walk. */
  invalidAt?: { offset: number; bLength: number };
}

/** UUID bytes as text: the first three fields are little-endian (RFC 4122 as Microsoft stores GUIDs). */
export function uuidText(b: Uint8Array, at: number): string {
  const h = (i: number) =>
    u8(b, at + i)
      .toString(16)
      .padStart(2, "0");
  const g = (idx: number[]) => idx.map(h).join("");
  return `${g([3, 2, 1, 0])}-${g([5, 4])}-${g([7, 6])}-${g([8, 9])}-${g([10, 11, 12, 13, 14, 15])}`;
}

export function parseBos(b: Uint8Array): BosDescriptor {
  const d = baseOf("bos", b, 0) as BosDescriptor;
  d.raw = Array.from(b.subarray(0, Math.min(5, b.length)));
  readLayout(b, 0, BOS_LAYOUT, b.length, d);
  delete d.truncated;
  if (b.length < 5 || b.length < d.wTotalLength) d.truncated = true;
  d.length = b.length;
  d.capabilities = [];
  let pos = d.bLength >= 5 ? d.bLength : 5;
  while (pos < b.length) {
    const bLength = u8(b, pos);
    if (bLength < 3) {
      d.invalidAt = { offset: pos, bLength };
      break;
    }
    d.capabilities.push(parseCapability(b, pos));
    pos += bLength;
  }
  return d;
}

function parseCapability(b: Uint8Array, at: number): DeviceCapability {
  const c = baseOf("capability", b, at) as DeviceCapability;
  const type = u8(b, at + 2);
  c.bDevCapabilityType = type;
  c.name = capabilityName(type);
  const end = Math.min(b.length, at + c.bLength);
  const H: FieldSpec[] = [...HEADER, ["bDevCapabilityType", 2, 1]];
  switch (type) {
    case CapabilityType.USB_2_0_EXTENSION:
      readLayout(b, at, [...H, ["bmAttributes", 3, 4]], end, c);
      c["LPM"] = ((c["bmAttributes"] as number) & 2) !== 0;
      break;
    case CapabilityType.SUPERSPEED_USB:
      readLayout(
        b,
        at,
        [
          ...H,
          ["bmAttributes", 3, 1],
          ["wSpeedsSupported", 4, 2],
          ["bFunctionalitySupport", 6, 1],
          ["bU1DevExitLat", 7, 1],
          ["wU2DevExitLat", 8, 2],
        ],
        end,
        c,
      );
      break;
    case CapabilityType.CONTAINER_ID:
      readLayout(b, at, [...H, ["bReserved", 3, 1]], end, c);
      if (at + 20 <= end) c["ContainerID"] = uuidText(b, at + 4);
      else c.truncated = true;
      break;
    case CapabilityType.PLATFORM: {
      readLayout(b, at, [...H, ["bReserved", 3, 1]], end, c);
      if (at + 20 > end) {
        c.truncated = true;
        break;
      }
      const uuid = uuidText(b, at + 4);
      c["PlatformCapabilityUUID"] = uuid;
      if (uuid === WEBUSB_UUID) {
        c.name = "Platform (WebUSB)";
        readLayout(
          b,
          at,
          [
            ["bcdVersion", 20, 2],
            ["bVendorCode", 22, 1],
            ["iLandingPage", 23, 1],
          ],
          end,
          c,
        );
      } else if (uuid === MS_OS_20_UUID) {
        c.name = "Platform (Microsoft OS 2.0)";
        readLayout(
          b,
          at,
          [
            ["dwWindowsVersion", 20, 4],
            ["wMSOSDescriptorSetTotalLength", 24, 2],
            ["bMS_VendorCode", 26, 1],
            ["bAltEnumCode", 27, 1],
          ],
          end,
          c,
        );
      } else {
        c["CapabilityData"] = Array.from(b.subarray(at + 20, end));
      }
      break;
    }
    default:
      break;
  }
  return c;
}
