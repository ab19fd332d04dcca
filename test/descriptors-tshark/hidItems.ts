// HID report descriptor items (HID 1.11 §6.2.2) as usbscope parses them (src/descriptors/hidReport.ts), under the
// names Wireshark 4.0's packet-usb-hid.c gives them: the item prefix (bSize, bType, bTag) and the data of the
// global, local and collection items whose meaning is a single number.
import type { ControlTransfer } from "../../src/usb/model.js";
import { parseHidReportDescriptor, type HidItem } from "../../src/descriptors/hidReport.js";
import { DescriptorType } from "../../src/usb/descriptorTypes.js";
import type { OurDescriptor, OurField } from "./ourDescriptors.js";

const TYPE_CODE: Record<HidItem["type"], number> = { main: 0, global: 1, local: 2, reserved: 3, long: 3 };

/**
 * Item data fields per (bType, bTag); "signed" items are compared through usbscope's text, which shows them signed.
 * No public capture has Physical Minimum/Maximum items, so they are left out rather than listed and never compared.
 */
const DATA: Record<string, { name: string; signed?: true }> = {
  "1:0": { name: "usbhid.item.global.usage" },
  "1:1": { name: "usbhid.item.global.log_min", signed: true },
  "1:2": { name: "usbhid.item.global.log_max" },
  "1:7": { name: "usbhid.item.global.report_size" },
  "1:8": { name: "usbhid.item.global.report_id" },
  "1:9": { name: "usbhid.item.global.report_count" },
  "2:0": { name: "usbhid.item.local.usage" },
  "2:1": { name: "usbhid.item.local.usage_min" },
  "2:2": { name: "usbhid.item.local.usage_max" },
  "0:10": { name: "usbhid.item.main.colltype" },
};

/**
 * Input, Output and Feature flags (HID 1.11 §6.2.2.5) as usbscope shows them in the item's text ("Data,Var,Abs,Null"),
 * against the bits tshark splits out. Bit 7 (Volatile, Output and Feature only) is not in usbscope's text, so not here.
 */
const MAIN_FLAGS: readonly [field: string, token: string][] = [
  ["readonly", "Const"],
  ["variable", "Var"],
  ["relative", "Rel"],
  ["wrap", "Wrap"],
  ["nonlinear", "NonLin"],
  ["no_preferred_state", "NoPref"],
  ["nullstate", "Null"],
  ["buffered_bytes", "Buf"],
];

function mainFlagFields(text: string): OurField[] {
  const tokens = new Set(text.split(","));
  return MAIN_FLAGS.map(([field, token]) => ({
    name: "usbhid.item.main." + field,
    value: tokens.has(token) ? 1 : 0,
  }));
}

export const HID_ITEM_FIELDS: readonly string[] = [
  "usbhid.item.bSize",
  "usbhid.item.bType",
  "usbhid.item.bTag",
  ...Object.values(DATA).map((d) => d.name),
  ...MAIN_FLAGS.map(([f]) => "usbhid.item.main." + f),
];

/** The items of a GET_DESCRIPTOR(REPORT) reply (HID 1.11 §7.1.1, interface recipient); undefined for other requests. */
export function ourHidItems(ct: ControlTransfer): OurDescriptor[] | undefined {
  const s = ct.setup;
  if (s.bmRequestType !== 0x81 || s.bRequest !== 6 || s.wValue >> 8 !== DescriptorType.HID_REPORT)
    return undefined;
  return parseHidReportDescriptor(ct.data).items.map((item) => {
    const fields: OurField[] = [];
    if (item.type !== "long" && item.name !== "Truncated item") {
      // HID 1.11 §6.2.2.2: bSize 3 means 4 data bytes.
      fields.push({ name: "usbhid.item.bSize", value: item.size === 4 ? 3 : item.size });
      fields.push({ name: "usbhid.item.bType", value: TYPE_CODE[item.type] });
      fields.push({ name: "usbhid.item.bTag", value: item.tag });
      const data = DATA[`${TYPE_CODE[item.type]}:${item.tag}`];
      if (data && item.size > 0)
        fields.push({ name: data.name, value: data.signed ? Number(item.text) : item.value });
      if (item.type === "main" && (item.tag === 0x8 || item.tag === 0x9 || item.tag === 0xb))
        fields.push(...mainFlagFields(item.text));
    }
    return { kind: `hid-item ${item.name}`, offset: item.offset, fields };
  });
}
