// usbscope's side of the comparison: the data of one GET_DESCRIPTOR transfer parsed with src/descriptors, each
// descriptor turned into the tshark fields it should produce (same filter names, same order), and only the
// fields whose bytes the transfer holds (a field past the returned bytes is one tshark cannot show either).
import type { ControlTransfer } from "../../src/usb/model.js";
import { DescriptorType } from "../../src/usb/descriptorTypes.js";
import { HEADER, type DescriptorBase, type FieldSpec } from "../../src/descriptors/layout.js";
import {
  DEVICE_LAYOUT,
  QUALIFIER_LAYOUT,
  parseDeviceDescriptor,
  parseDeviceQualifier,
} from "../../src/descriptors/device.js";
import { CONFIGURATION_LAYOUT, parseConfiguration } from "../../src/descriptors/configuration.js";
import { IAD_LAYOUT, INTERFACE_LAYOUT } from "../../src/descriptors/interface.js";
import { ENDPOINT_LAYOUT, type EndpointDescriptor } from "../../src/descriptors/endpoint.js";
import { parseStringDescriptor } from "../../src/descriptors/string.js";
import { parseBos } from "../../src/descriptors/bos.js";
import type { HidDescriptor } from "../../src/descriptors/hid.js";
import type { DfuFunctionalDescriptor } from "../../src/descriptors/dfu.js";
import {
  CLASS_FIELD_NAMES,
  classFields,
  configurationBits,
  dfuAttributeBits,
  endpointBits,
} from "./classFields.js";
import { HID_ITEM_FIELDS } from "./hidItems.js";

/** A field usbscope parsed, under the name tshark gives it; value is a number or, for usb.bString, the text. */
export interface OurField {
  name: string;
  value: number | string;
}

export interface OurDescriptor {
  /** The usbscope parser's kind ("device", "interface", "hid", "cdc-header", "unknown", ...). */
  kind: string;
  /** Offset in the transfer's data. */
  offset: number;
  fields: OurField[];
}

/** usbscope field name → tshark filter name, where they differ from "usb." + name. */
const RENAME: Record<string, Record<string, string>> = {
  configuration: { bmAttributes: "usb.configuration.bmAttributes" },
  "other-speed-configuration": { bmAttributes: "usb.configuration.bmAttributes" },
};

/**
 * Fields usbscope decodes but tshark 4.0 has no field for, so there is nothing to compare them with:
 * the qualifier's bReserved (`tshark -G fields` lists no usb.bReserved). No public capture holds a qualifier reply.
 */
const NO_TSHARK_FIELD: Record<string, readonly string[]> = {
  "device-qualifier": ["bReserved"],
};

const AUDIO_ENDPOINT_EXTRA: readonly FieldSpec[] = [
  ["bRefresh", 7, 1],
  ["bSynchAddress", 8, 1],
];

/** Layout fields present in the descriptor's bytes (raw: at most bLength, at most what the transfer returned). */
function layoutFields(
  d: DescriptorBase,
  layout: readonly FieldSpec[],
  rename: Record<string, string> = {},
  prefix = "usb.",
): OurField[] {
  const out: OurField[] = [];
  const rec = d as unknown as Record<string, unknown>;
  const skip = NO_TSHARK_FIELD[d.kind] ?? [];
  for (const [name, off, size] of layout) {
    if (off + size > d.raw.length || skip.includes(name)) continue;
    const v = rec[name];
    if (typeof v !== "number") continue;
    out.push({ name: rename[name] ?? prefix + name, value: v });
  }
  return out;
}

function describe(d: DescriptorBase, fields: OurField[]): OurDescriptor {
  return { kind: d.kind, offset: d.offset, fields };
}

/** One sub-descriptor of a configuration set (or a BOS capability): standard layouts, HID, DFU, else the header. */
function subDescriptor(d: DescriptorBase): OurDescriptor {
  switch (d.kind) {
    case "interface":
      return describe(d, layoutFields(d, INTERFACE_LAYOUT));
    case "endpoint": {
      // USB Audio 1.0 §4.6.1.1: the 9-byte form; tshark names these usb.audio.bRefresh / usb.audio.bSynchAddress.
      const e = d as EndpointDescriptor;
      const f = layoutFields(d, ENDPOINT_LAYOUT);
      if (d.bLength >= 9) f.push(...layoutFields(d, AUDIO_ENDPOINT_EXTRA, {}, "usb.audio."));
      const has = (n: string) => f.some((x) => x.name === n);
      f.push(
        ...endpointBits(e.bEndpointAddress, e.bmAttributes, e.wMaxPacketSize, {
          address: has("usb.bEndpointAddress"),
          attributes: has("usb.bmAttributes"),
          maxPacket: has("usb.wMaxPacketSize"),
        }),
      );
      return describe(d, f);
    }
    case "interface-association":
      return describe(d, layoutFields(d, IAD_LAYOUT));
    case "hid": {
      // HID 1.11 §6.2.1; packet-usbhid.c dissect_usb_hid_descriptor.
      const h = d as HidDescriptor;
      const f = layoutFields(d, HEADER);
      f.push(
        ...layoutFields(
          d,
          [
            ["bcdHID", 2, 2],
            ["bCountryCode", 4, 1],
            ["bNumDescriptors", 5, 1],
          ],
          {},
          "usbhid.descriptor.hid.",
        ),
      );
      for (const x of h.descriptors) {
        f.push({ name: "usbhid.descriptor.hid.bDescriptorType", value: x.bDescriptorType });
        f.push({ name: "usbhid.descriptor.hid.wDescriptorLength", value: x.wDescriptorLength });
      }
      return describe(d, f);
    }
    case "dfu-functional":
      // DFU 1.1 Table 4.2; packet-usb-dfu.c dissect_usb_dfu_descriptor (bmAttributes only as bits).
      return describe(d, [
        ...layoutFields(d, HEADER),
        ...(d.raw.length >= 3 ? dfuAttributeBits((d as DfuFunctionalDescriptor).bmAttributes) : []),
        ...layoutFields(
          d,
          [
            ["wDetachTimeOut", 3, 2],
            ["wTransferSize", 5, 2],
            ["bcdDFUVersion", 7, 2],
          ],
          {},
          "usbdfu.descriptor.",
        ),
      ]);
    default:
      // Class-specific descriptors usbscope decodes (CDC, audio, MIDI) add their fields; the others (video,
      // SuperSpeed companion, vendor) are compared on the header every dissector shows the same way.
      return describe(d, [...layoutFields(d, HEADER), ...(classFields(d) ?? [])]);
  }
}

/**
 * The descriptors of a GET_DESCRIPTOR(recipient device) transfer, parsed with usbscope's parsers; undefined when
 * the request is not one whose reply is a standard descriptor (HID report, class or vendor requests).
 */
export function ourDescriptors(ct: ControlTransfer): OurDescriptor[] | undefined {
  const s = ct.setup;
  if (s.bmRequestType !== 0x80 || s.bRequest !== 6) return undefined;
  const type = s.wValue >> 8;
  const index = s.wValue & 0xff;
  const b = ct.data;
  if (b.length === 0) return [];
  switch (type) {
    case DescriptorType.DEVICE: {
      const d = parseDeviceDescriptor(b);
      return [describe(d, layoutFields(d, DEVICE_LAYOUT))];
    }
    case DescriptorType.DEVICE_QUALIFIER: {
      const d = parseDeviceQualifier(b);
      return [describe(d, layoutFields(d, QUALIFIER_LAYOUT))];
    }
    case DescriptorType.CONFIGURATION:
    case DescriptorType.OTHER_SPEED_CONFIGURATION: {
      const c = parseConfiguration(b);
      const head = layoutFields(c, CONFIGURATION_LAYOUT, RENAME[c.kind]);
      if (c.raw.length >= 8) head.push(...configurationBits(c.bmAttributes));
      return [describe(c, head), ...c.descriptors.map(subDescriptor)];
    }
    case DescriptorType.STRING: {
      // USB 2.0 §9.6.7: string 0 is the LANGID array, the others UTF-16LE text.
      const d = parseStringDescriptor(b, index);
      const f = layoutFields(d, HEADER);
      // A reply holding just the 2-byte header (a wLength 2 probe) has an empty bString, as tshark shows it too.
      if (index === 0) for (const id of d.langIds ?? []) f.push({ name: "usb.wLANGID", value: id });
      else if (d.raw.length >= 2) f.push({ name: "usb.bString", value: d.text ?? "" });
      return [describe(d, f)];
    }
    case DescriptorType.BOS: {
      const d = parseBos(b);
      return [
        describe(d, layoutFields(d, [...HEADER, ["wTotalLength", 2, 2], ["bNumDeviceCaps", 4, 1]])),
        ...d.capabilities.map((c) => describe(c, layoutFields(c, [...HEADER, ["bDevCapabilityType", 2, 1]]))),
      ];
    }
    default:
      return undefined;
  }
}

/** Every tshark field usbscope's side can produce: the comparison set (tshark fields outside it, e.g. usbaudio.*, are not compared). */
export const COMPARED_FIELDS: ReadonlySet<string> = new Set([
  ...[DEVICE_LAYOUT, QUALIFIER_LAYOUT, CONFIGURATION_LAYOUT, INTERFACE_LAYOUT, ENDPOINT_LAYOUT, IAD_LAYOUT]
    .flat()
    .filter(([n]) => n !== "bReserved")
    .map(([n]) => "usb." + n),
  "usb.configuration.bmAttributes",
  "usb.audio.bRefresh",
  "usb.audio.bSynchAddress",
  "usb.wLANGID",
  "usb.bString",
  ...["bcdHID", "bCountryCode", "bNumDescriptors", "bDescriptorType", "wDescriptorLength"].map(
    (n) => "usbhid.descriptor.hid." + n,
  ),
  ...["wDetachTimeOut", "wTransferSize", "bcdDFUVersion"].map((n) => "usbdfu.descriptor." + n),
  ...CLASS_FIELD_NAMES,
  ...HID_ITEM_FIELDS,
]);
