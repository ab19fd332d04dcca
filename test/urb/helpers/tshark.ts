// Runs tshark once per file and caches the rows (tests compare every record against them). The class
// dissectors are off, so payloads stay usb.capdata (with them on, HID reports, mass-storage blocks and
// audio would be decoded instead); the URB header fields and standard descriptors are the usb dissector's.

import { tsharkFields } from "../../helpers/tshark.js";

export const TSHARK_FIELDS = [
  "frame.number",
  "usb.urb_type",
  "usb.transfer_type",
  "usb.endpoint_address",
  "usb.device_address",
  "usb.bus_id",
  "usb.urb_status",
  "usb.usbpcap_header_len",
  "usb.bmRequestType",
  "usb.setup.bRequest",
  "usb.setup.wValue",
  "usb.setup.wIndex",
  "usb.setup.wLength",
  // Extras checked where present (field names verified with `tshark -G fields` on 4.0.17).
  "usb.usbd_status",
  "usb.irp_info.direction",
  "usb.control_stage",
  "usb.urb_id",
  "usb.irp_id",
  "usb.data_len",
  "usb.urb_len",
  "usb.DescriptorIndex",
  "usb.bDescriptorType",
  "usb.idVendor",
  "usb.idProduct",
  "usb.request_in",
  "usb.capdata",
  "usb.iso.data",
] as const;

/** Dissectors that would decode a payload instead of leaving it as usb.capdata. */
const CLASS_DISSECTORS = [
  "usbms",
  "usbmsclass",
  "usbhid",
  "usbaudio",
  "usbccid",
  "usbcom",
  "usbvideo",
  "usbhub",
  "usbdfu",
  "usbprinter",
];

export type TsharkRow = Record<(typeof TSHARK_FIELDS)[number], string>;

const cache = new Map<string, TsharkRow[]>();

/** One row per frame; fields that occur several times keep their first occurrence. */
export function tsharkRows(path: string): TsharkRow[] {
  let rows = cache.get(path);
  if (rows !== undefined) return rows;
  const extra = CLASS_DISSECTORS.flatMap((p) => ["--disable-protocol", p]);
  rows = tsharkFields(path, TSHARK_FIELDS, extra, "f").map((cols) => {
    const row = {} as TsharkRow;
    TSHARK_FIELDS.forEach((f, i) => (row[f] = cols[i] ?? ""));
    return row;
  });
  cache.set(path, rows);
  return rows;
}

/** "0x80" / "128" / "" → number | undefined. */
export function num(s: string): number | undefined {
  if (s === "") return undefined;
  return s.startsWith("0x") ? parseInt(s.slice(2), 16) : Number(s);
}
