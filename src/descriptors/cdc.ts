// CDC functional descriptors (CDC 1.2 §5.2.3, Table 13; PSTN 1.2 §5.3; ECM 1.2 §5.4).
import { HEADER, type FieldSpec } from "./layout.js";
import { parseSubtyped, type ClassSpecificDescriptor, type SubtypeSpec } from "./subtyped.js";

const H: readonly FieldSpec[] = [...HEADER, ["bDescriptorSubtype", 2, 1]];

export const CDC_SUBTYPES: Record<number, SubtypeSpec> = {
  0x00: { kind: "cdc-header", name: "Header", layout: [...H, ["bcdCDC", 3, 2]] },
  0x01: {
    kind: "cdc-call-management",
    name: "Call Management",
    layout: [...H, ["bmCapabilities", 3, 1], ["bDataInterface", 4, 1]],
  },
  0x02: { kind: "cdc-acm", name: "Abstract Control Management", layout: [...H, ["bmCapabilities", 3, 1]] },
  0x06: {
    kind: "cdc-union",
    name: "Union",
    layout: [...H, ["bControlInterface", 3, 1]],
    tail: "bSubordinateInterface",
  },
  0x07: {
    kind: "cdc-country-selection",
    name: "Country Selection",
    layout: [...H, ["iCountryCodeRelDate", 3, 1]],
    tail: "wCountryCode",
    tailSize: 2,
  },
  0x0f: {
    kind: "cdc-ethernet",
    name: "Ethernet Networking",
    layout: [
      ...H,
      ["iMACAddress", 3, 1],
      ["bmEthernetStatistics", 4, 4],
      ["wMaxSegmentSize", 8, 2],
      ["wNumberMCFilters", 10, 2],
      ["bNumberPowerFilters", 12, 1],
    ],
  },
  0x1a: {
    kind: "cdc-ncm",
    name: "NCM",
    layout: [...H, ["bcdNcmVersion", 3, 2], ["bmNetworkCapabilities", 5, 1]],
  },
};

export function parseCdcFunctional(b: Uint8Array, at: number): ClassSpecificDescriptor {
  return parseSubtyped(b, at, CDC_SUBTYPES, "cdc");
}
