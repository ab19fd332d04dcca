// Class-specific descriptor fields usbscope decodes, under the names Wireshark 4.0's class dissectors give
// them: packet-usb-com.c (usbcom, CDC 1.2 §5.2.3) and packet-usb-audio.c (usbaudio, Audio 1.0/2.0, MIDI 1.0).
// Also the bit fields tshark splits out of standard descriptors, checked against src/descriptors helpers.
import type { DescriptorBase } from "../../src/descriptors/layout.js";
import {
  additionalTransactions,
  endpointDirection,
  endpointType,
  maxPacketBytes,
} from "../../src/descriptors/endpoint.js";
import { bcdText } from "../../src/usb/bcd.js";
import type { OurField } from "./ourDescriptors.js";

/** usbscope field → tshark field for one class-specific kind; a list field (the parser's tail) gives one tshark field per element. */
type FieldMap = Record<string, string>;

const CDC = "usbcom.descriptor.";
const AC_IN = "usbaudio.ac_if_input.";
const AC_OUT = "usbaudio.ac_if_output.";
const AS_GEN = "usbaudio.as_if_gen.";
const AS_FT = "usbaudio.as_if_ft.";

function same(prefix: string, names: string[]): FieldMap {
  return Object.fromEntries(names.map((n) => [n, prefix + n]));
}

/** Per usbscope kind: the subtype field's tshark name, then the other fields. */
const CLASS_FIELDS: Record<string, { subtype: string; fields: FieldMap }> = {
  "cdc-header": { subtype: CDC + "subtype", fields: { bcdCDC: CDC + "cdc" } },
  "cdc-call-management": {
    subtype: CDC + "subtype",
    fields: { bmCapabilities: CDC + "capabilities", bDataInterface: CDC + "cm.data_interface" },
  },
  "cdc-acm": { subtype: CDC + "subtype", fields: { bmCapabilities: CDC + "capabilities" } },
  "cdc-union": {
    subtype: CDC + "subtype",
    fields: {
      bControlInterface: CDC + "control_interface",
      bSubordinateInterface: CDC + "subordinate_interface",
    },
  },
  "cdc-unknown": { subtype: CDC + "subtype", fields: {} },
  "audio-ac-header": {
    subtype: "usbaudio.ac_if_subtype",
    fields: same("usbaudio.ac_if_hdr.", [
      "bcdADC",
      "wTotalLength",
      "bInCollection",
      "baInterfaceNr",
      "bCategory",
      "bmControls",
    ]),
  },
  "audio-input-terminal": {
    subtype: "usbaudio.ac_if_subtype",
    fields: same(AC_IN, [
      "bTerminalID",
      "wTerminalType",
      "bAssocTerminal",
      "bCSourceID",
      "bNrChannels",
      "wChannelConfig",
      "bmChannelConfig",
      "iChannelNames",
      "bmControls",
      "iTerminal",
    ]),
  },
  "audio-output-terminal": {
    subtype: "usbaudio.ac_if_subtype",
    fields: same(AC_OUT, [
      "bTerminalID",
      "wTerminalType",
      "bAssocTerminal",
      "bSourceID",
      "bCSourceID",
      "bmControls",
      "iTerminal",
    ]),
  },
  "audio-feature-unit": {
    subtype: "usbaudio.ac_if_subtype",
    fields: same("usbaudio.ac_if_fu.", ["bUnitID", "bSourceID", "bControlSize"]),
  },
  "audio-mixer-unit": {
    subtype: "usbaudio.ac_if_subtype",
    fields: same("usbaudio.ac_if_mu.", ["bUnitID", "bNrInPins"]),
  },
  "audio-clock-source": {
    subtype: "usbaudio.ac_if_subtype",
    fields: same("usbaudio.ac_if_clksrc.", [
      "bClockID",
      "bmAttributes",
      "bmControls",
      "bAssocTerminal",
      "iClockSource",
    ]),
  },
  "audio-ac-unknown": { subtype: "usbaudio.ac_if_subtype", fields: {} },
  // The remaining AC units (selector, processing, extension, clock selector/multiplier): subtype only here;
  // tshark 4.0 leaves extension units as usbaudio.undecoded.
  "audio-selector-unit": { subtype: "usbaudio.ac_if_subtype", fields: {} },
  "audio-processing-unit": { subtype: "usbaudio.ac_if_subtype", fields: {} },
  "audio-extension-unit": { subtype: "usbaudio.ac_if_subtype", fields: {} },
  "audio-as-general": {
    subtype: "usbaudio.as_if_subtype",
    fields: same(AS_GEN, [
      "bTerminalLink",
      "bDelay",
      "wFormatTag",
      "bmControls",
      "bFormatType",
      "bmFormats",
      "bNrChannels",
      "bmChannelConfig",
      "iChannelNames",
    ]),
  },
  "audio-format-type": {
    subtype: "usbaudio.as_if_subtype",
    fields: same(AS_FT, [
      "bFormatType",
      "bNrChannels",
      "bSubframeSize",
      "bSubslotSize",
      "bBitResolution",
      "bSamFreqType",
      "tSamFreq",
    ]),
  },
  "audio-as-unknown": { subtype: "usbaudio.as_if_subtype", fields: {} },
  "audio-ep-general": {
    subtype: "usbaudio.as_ep_subtype",
    fields: same("usbaudio.as_ep_gen.", ["bmAttributes", "bmControls", "bLockDelayUnits", "wLockDelay"]),
  },
  "audio-ep-unknown": { subtype: "usbaudio.as_ep_subtype", fields: {} },
  "midi-header": {
    subtype: "usbaudio.ms_if_subtype",
    fields: { bcdMSC: "usbaudio.ms_if_hdr.bcdADC", wTotalLength: "usbaudio.ms_if_hdr.wTotalLength" },
  },
  "midi-in-jack": {
    subtype: "usbaudio.ms_if_subtype",
    fields: same("usbaudio.ms_if_midi_in.", ["bJackType", "bJackID", "iJack"]),
  },
  "midi-out-jack": {
    subtype: "usbaudio.ms_if_subtype",
    fields: same("usbaudio.ms_if_midi_out.", ["bJackType", "bJackID", "bNrInputPins"]),
  },
  "midi-unknown": { subtype: "usbaudio.ms_if_subtype", fields: {} },
  "midi-ep-general": {
    subtype: "usbaudio.ms_ep_subtype",
    fields: same("usbaudio.ms_ep_gen.", ["bNumEmbMIDIJack", "baAssocJackID"]),
  },
  "midi-ep-unknown": { subtype: "usbaudio.ms_ep_subtype", fields: {} },
};

/** tshark shows bcdADC as a number (FT_DOUBLE): 0x0100 → 1, 0x0200 → 2. */
const BCD_AS_NUMBER = new Set(["usbaudio.ac_if_hdr.bcdADC", "usbaudio.ms_if_hdr.bcdADC"]);

/**
 * The class fields of a class-specific descriptor usbscope decoded (CDC, audio, MIDI), after its header; undefined
 * for other kinds. A truncated or short descriptor gives its subtype only (usbscope reads its missing fields as 0,
 * tshark does not show them).
 */
export function classFields(d: DescriptorBase): OurField[] | undefined {
  const spec = CLASS_FIELDS[d.kind];
  if (!spec) return undefined;
  const rec = d as unknown as Record<string, unknown>;
  const out: OurField[] = [];
  if (d.raw.length >= 3) out.push({ name: spec.subtype, value: rec["bDescriptorSubtype"] as number });
  if (d.truncated || d.short) return out;
  for (const [ours, theirs] of Object.entries(spec.fields)) {
    const v = rec[ours];
    if (typeof v === "number")
      out.push({ name: theirs, value: BCD_AS_NUMBER.has(theirs) ? Number(bcdText(v)) : v });
    else if (Array.isArray(v)) for (const x of v as number[]) out.push({ name: theirs, value: x });
  }
  return out;
}

/** Endpoint bits tshark splits out (USB 2.0 §9.6.6), from usbscope's endpoint helpers. */
export function endpointBits(
  bEndpointAddress: number,
  bmAttributes: number,
  wMaxPacketSize: number,
  present: { address: boolean; attributes: boolean; maxPacket: boolean },
): OurField[] {
  const out: OurField[] = [];
  const type = ["control", "isochronous", "bulk", "interrupt"].indexOf(endpointType(bmAttributes));
  if (present.address) {
    out.push({
      name: "usb.bEndpointAddress.direction",
      value: endpointDirection(bEndpointAddress) === "IN" ? 1 : 0,
    });
    out.push({ name: "usb.bEndpointAddress.number", value: bEndpointAddress & 0x0f });
  }
  if (present.attributes) out.push({ name: "usb.bmAttributes.transfer", value: type });
  if (present.maxPacket) {
    // Bits 12..11 (additional transactions) mean something for periodic endpoints only; tshark shows them there.
    if (present.attributes && (type === 1 || type === 3))
      out.push({ name: "usb.wMaxPacketSize.slots", value: additionalTransactions(wMaxPacketSize) });
    out.push({ name: "usb.wMaxPacketSize.size", value: maxPacketBytes(wMaxPacketSize) });
  }
  return out;
}

/** DFU 1.1 Table 4.2 bmAttributes bits, under packet-usb-dfu.c's names. */
export function dfuAttributeBits(bmAttributes: number): OurField[] {
  const p = "usbdfu.descriptor.bmAttributes.";
  return [
    { name: p + "WillDetach", value: (bmAttributes >> 3) & 1 },
    { name: p + "ManifestationTolerant", value: (bmAttributes >> 2) & 1 },
    { name: p + "CanUpload", value: (bmAttributes >> 1) & 1 },
    { name: p + "CanDownload", value: bmAttributes & 1 },
  ];
}

/** Configuration bmAttributes D6 self-powered, D5 remote wakeup (USB 2.0 §9.6.3). */
export function configurationBits(bmAttributes: number): OurField[] {
  return [
    { name: "usb.configuration.selfpowered", value: (bmAttributes >> 6) & 1 },
    { name: "usb.configuration.remotewakeup", value: (bmAttributes >> 5) & 1 },
  ];
}

/** Every tshark field name this module can produce. */
export const CLASS_FIELD_NAMES: readonly string[] = [
  ...new Set(Object.values(CLASS_FIELDS).flatMap((s) => [s.subtype, ...Object.values(s.fields)])),
  "usb.bEndpointAddress.direction",
  "usb.bEndpointAddress.number",
  "usb.bmAttributes.transfer",
  "usb.wMaxPacketSize.slots",
  "usb.wMaxPacketSize.size",
  ...["WillDetach", "ManifestationTolerant", "CanUpload", "CanDownload"].map(
    (n) => "usbdfu.descriptor.bmAttributes." + n,
  ),
  "usb.configuration.selfpowered",
  "usb.configuration.remotewakeup",
];
