// Vendor requests a BOS platform capability announces: Microsoft OS 2.0 (Microsoft OS 2.0 Descriptors
// Specification, Table 8 and §2: MS_OS_20_DESCRIPTOR_INDEX 0x07, MS_OS_20_SET_ALT_ENUMERATION 0x08, with
// bMS_VendorCode as bRequest) and WebUSB (WebUSB §4.1, §4.3: GET_URL 0x02 with bVendorCode, wValue the
// URL index, the URL descriptor with bScheme).
import type { SetupPacket } from "../usb/model.js";
import { decoded, uint, type DecodedRequest } from "./decoded.js";

/** MS OS 2.0 Table 9: wDescriptorType of the descriptors in a descriptor set. */
const MSOS20_TYPES: Record<number, string> = {
  0: "MS_OS_20_SET_HEADER_DESCRIPTOR",
  1: "MS_OS_20_SUBSET_HEADER_CONFIGURATION",
  2: "MS_OS_20_SUBSET_HEADER_FUNCTION",
  3: "MS_OS_20_FEATURE_COMPATBLE_ID",
  4: "MS_OS_20_FEATURE_REG_PROPERTY",
  5: "MS_OS_20_FEATURE_MIN_RESUME_TIME",
  6: "MS_OS_20_FEATURE_MODEL_ID",
  7: "MS_OS_20_FEATURE_CCGP_DEVICE",
  8: "MS_OS_20_FEATURE_VENDOR_REVISION",
};

export function msOs20Request(setup: SetupPacket, data: Uint8Array | undefined): DecodedRequest {
  const index = setup.wIndex;
  const fields: Record<string, number | string | boolean> = { bMS_VendorCode: setup.bRequest };
  if (index === 0x07) {
    const summary = data && data.length >= 10 ? descriptorSetText(data, fields) : undefined;
    return decoded("MS OS 2.0", "MS_OS_20_DESCRIPTOR_INDEX", "(descriptor set)", fields, summary);
  }
  if (index === 0x08) {
    fields.bAltEnumCode = setup.wValue >> 8;
    return decoded("MS OS 2.0", "MS_OS_20_SET_ALT_ENUMERATION", `code ${setup.wValue >> 8}`, fields);
  }
  return decoded("MS OS 2.0", `wIndex 0x${index.toString(16).padStart(4, "0")}`, "", fields);
}

/** The descriptor set (MS OS 2.0 §3): its header, then each feature descriptor by type; CompatibleID and property names told. */
function descriptorSetText(b: Uint8Array, fields: Record<string, number | string | boolean>): string {
  const total = uint(b, 8, 2);
  fields.dwWindowsVersion = uint(b, 4, 4);
  fields.wTotalLength = total;
  const parts: string[] = [];
  let at = uint(b, 0, 2) || 10;
  const end = Math.min(b.length, total || b.length);
  let count = 0;
  while (at + 4 <= end && count < 64) {
    const len = uint(b, at, 2);
    const type = uint(b, at + 2, 2);
    if (len < 4) break;
    count++;
    if (type === 3 && at + 20 <= end)
      parts.push(`compatible ID ${ascii(b.subarray(at + 4, at + 12)) || "(none)"}`);
    else if (type === 4 && at + 10 <= end) {
      const nameLen = uint(b, at + 6, 2);
      parts.push(`registry property ${utf16(b.subarray(at + 8, Math.min(end, at + 8 + nameLen)))}`);
    } else if (type === 2 && at + 8 <= end) parts.push(`function ${b[at + 4]}`);
    else if (type === 1 && at + 8 <= end) parts.push(`configuration ${b[at + 4]}`);
    else if (type !== 0) parts.push(MSOS20_TYPES[type] ?? `type ${type}`);
    // Subset headers (types 1, 2) hold the descriptors after them: step over the header only.
    at += type === 1 || type === 2 ? 8 : len;
  }
  fields.descriptors = count;
  return `${total} bytes${parts.length ? `: ${parts.join(", ")}` : ""}`;
}

export function webUsbRequest(setup: SetupPacket, data: Uint8Array | undefined): DecodedRequest {
  const fields: Record<string, number | string | boolean> = { bVendorCode: setup.bRequest };
  if (setup.wIndex === 0x02) {
    fields.urlIndex = setup.wValue & 0xff;
    let summary: string | undefined;
    // WebUSB §4.3.1 URL descriptor: bLength, bDescriptorType 3, bScheme (0 http://, 1 https://, 255 none), URL.
    if (data && data.length >= 3 && data[1] === 3) {
      const scheme = data[2] === 0 ? "http://" : data[2] === 1 ? "https://" : "";
      fields.url =
        scheme + new TextDecoder("utf-8").decode(data.subarray(3, Math.min(data.length, data[0]!)));
      summary = fields.url;
    }
    return decoded("WebUSB", "GET_URL", `index ${fields.urlIndex}`, fields, summary);
  }
  if (setup.wIndex === 0x01) return decoded("WebUSB", "GET_ALLOWED_ORIGINS", "", fields);
  return decoded("WebUSB", `wIndex 0x${setup.wIndex.toString(16).padStart(4, "0")}`, "", fields);
}

/** Printable ASCII of the bytes (NUL padding and anything else dropped). */
function ascii(b: Uint8Array): string {
  let s = "";
  for (const c of b) if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
  return s;
}

/** UTF-16LE text, NULs dropped. */
function utf16(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i + 1 < b.length; i += 2) {
    const c = b[i]! | (b[i + 1]! << 8);
    if (c !== 0) s += String.fromCharCode(c);
  }
  return s;
}
