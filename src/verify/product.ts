// What a device looks like, as plain JSON a person can read and edit: its descriptors (USB 2.0 §9.6) with
// the spec's field names, nested configuration → interfaces (one per alternate setting) → endpoints, the
// class-specific descriptors where the device put them, the BOS (USB 3.2 §9.6.2) and the strings (§9.6.7).
// `expect` writes it into an expectations file; `verify` and `diff` build it from a capture and compare.
import type { UsbDevice, Held } from "../devices/device.js";
import type { DescriptorBase } from "../descriptors/layout.js";
import type { ConfigurationDescriptor } from "../descriptors/configuration.js";
import { hexBytes } from "../usb/bytes.js";
import { HEADER, type FieldSpec } from "../descriptors/layout.js";
import { DEVICE_LAYOUT } from "../descriptors/device.js";
import { CONFIGURATION_LAYOUT } from "../descriptors/configuration.js";
import { IAD_LAYOUT, INTERFACE_LAYOUT } from "../descriptors/interface.js";
import { ENDPOINT_LAYOUT } from "../descriptors/endpoint.js";

/** The standard descriptors' field tables: a descriptor cut short keeps the fields its bytes hold. */
const LAYOUTS: { [kind: string]: readonly FieldSpec[] } = {
  device: DEVICE_LAYOUT,
  configuration: CONFIGURATION_LAYOUT,
  "other-speed-configuration": CONFIGURATION_LAYOUT,
  interface: INTERFACE_LAYOUT,
  "interface-association": IAD_LAYOUT,
  endpoint: ENDPOINT_LAYOUT,
};

export type Value = null | boolean | number | string | Value[] | { [k: string]: Value };
export type Fields = { [name: string]: Value };

/** The keys that nest descriptors instead of naming a field. */
export const NESTED_KEYS = ["interfaces", "endpoints", "classSpecific", "associations", "capabilities"];

/** The descriptors of one device (expectations file "descriptors"). */
export interface Product {
  device?: Fields;
  configurations?: Fields[];
  qualifier?: Fields | null;
  /** null: the device has none (a BOS that STALLs, or bcdUSB below 0x0201 so the host never asked). */
  bos?: Fields | null;
  /** String index → text; "0" → the LANGIDs. */
  strings?: { [index: string]: Value };
}

/** A product with the places where the capture held only part of what the device sent (usbmon text keeps 32 bytes). */
export interface CapturedProduct {
  product: Product;
  /** Places (difference.ts `where` words) whose descriptor the capture cut: what is missing there is not checked. */
  cut: string[];
}

/** isHexField's answers by field name. */
const hexFields = new Map<string, boolean>();
const HEX_FIELD =
  /^(id[A-Z]|bcd|bEndpointAddress$|bmAttributes$|bmCapabilities$|bSynchAddress$|b\w*(Class|SubClass|Protocol)$|wLANGID)/;

/** Fields written in hex: IDs, BCD versions, addresses, bitmaps and class codes read better that way. */
export function isHexField(name: string): boolean {
  let hex = hexFields.get(name);
  if (hex === undefined) {
    hex = HEX_FIELD.test(name);
    // Field names come from the descriptor tables (and an edited file): a few dozen, remembered.
    if (hexFields.size < 1024) hexFields.set(name, hex);
  }
  return hex;
}

/** A number as the expectations file writes `name`: "0x1209" for hex fields, else the number. */
export function fieldValue(name: string, v: number): Value {
  if (!isHexField(name)) return v;
  const digits = name.startsWith("id") || name.startsWith("bcd") || v > 0xff ? (v > 0xffff ? 8 : 4) : 2;
  return "0x" + v.toString(16).padStart(digits, "0");
}

/** The parser's bookkeeping on every descriptor, never a field of the file. */
const BOOKKEEPING: ReadonlySet<string> = new Set(["kind", "offset", "raw", "length", "truncated", "short"]);
const NO_DROP: readonly string[] = [];

/** Drop the parser's bookkeeping (offset, raw bytes, nested lists, cut marks); numbers of hex fields as hex text. */
function fields(d: DescriptorBase, keepKind: boolean, drop: readonly string[] = NO_DROP): Fields {
  const out: Fields = {};
  if (keepKind) out["kind"] = d.kind;
  // Cut short (the reply ended inside it): its missing fields read as 0 and mean nothing; what there is, as bytes.
  if (d.truncated && d.raw.length < Math.max(d.bLength, 2)) {
    const o = d as unknown as { [k: string]: number };
    for (const [name, at, size] of LAYOUTS[d.kind] ?? HEADER)
      if (at + size <= d.raw.length) out[name] = fieldValue(name, o[name]!);
    out["truncated"] = d.raw.length;
    out["bytes"] = hexBytes(Uint8Array.from(d.raw));
    return out;
  }
  const rec = d as unknown as { [k: string]: unknown };
  for (const k of Object.keys(d)) {
    if (BOOKKEEPING.has(k) || drop.includes(k)) continue;
    const v = rec[k];
    if (v === undefined) continue;
    out[k] = typeof v === "number" ? fieldValue(k, v) : (v as Value);
  }
  if (d.kind === "unknown" || d.kind.endsWith("-unknown")) out["bytes"] = hexBytes(Uint8Array.from(d.raw));
  return out;
}

function configurationFields(c: ConfigurationDescriptor): Fields {
  const out = fields(c, false, ["descriptors", "interfaces", "associations", "invalidAt", "excess"]);
  out["interfaces"] = c.interfaces.map((i) => {
    const o = fields(i, false, ["endpoints", "extra"]);
    if (i.extra.length) o["classSpecific"] = i.extra.map((x) => fields(x, true));
    o["endpoints"] = i.endpoints.map((e) => {
      const eo = fields(e, false, ["extra"]);
      if (e.extra.length) eo["classSpecific"] = e.extra.map((x) => fields(x, true));
      return eo;
    });
    return o;
  });
  if (c.associations.length) out["associations"] = c.associations.map((a) => fields(a, false));
  return out;
}

const cutBy = (h: Held<unknown>) => h.transfer.dataTruncated === true;

/** The product `d` shows in a capture. */
export function productOf(d: UsbDevice): CapturedProduct {
  const product: Product = {};
  const cut: string[] = [];
  if (d.device) {
    product.device = fields(d.device.descriptor, false);
    if (cutBy(d.device)) cut.push("device descriptor");
  }
  const configs = [...d.configurations.values()].sort(
    (a, b) => a.descriptor.bConfigurationValue - b.descriptor.bConfigurationValue,
  );
  product.configurations = configs.map((h) => configurationFields(h.descriptor));
  for (const h of configs) if (cutBy(h)) cut.push(`configuration ${h.descriptor.bConfigurationValue}`);
  if (d.qualifier) product.qualifier = fields(d.qualifier.descriptor, false);
  if (d.bos) {
    const b = fields(d.bos.descriptor, false, ["capabilities", "invalidAt"]);
    b["capabilities"] = d.bos.descriptor.capabilities.map((c) => fields(c, false));
    product.bos = b;
    if (cutBy(d.bos)) cut.push("BOS");
  } else if (d.device) product.bos = null;
  const strings: { [k: string]: Value } = {};
  for (const [i, h] of [...d.strings.entries()].sort((a, b) => a[0] - b[0])) {
    strings[String(i)] =
      i === 0 ? (h.descriptor.langIds ?? []).map((l) => fieldValue("wLANGID", l)) : (h.descriptor.text ?? "");
    if (cutBy(h)) cut.push(`string ${i}`);
  }
  product.strings = strings;
  return { product, cut };
}
