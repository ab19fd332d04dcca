// HID report descriptor items (HID 1.11 §5.2, §6.2.2): short items (prefix: bSize bits 1..0, bType 3..2,
// bTag 7..4), long items (prefix 0xFE), and the report sizes they define per report ID.
import { u8 } from "../usb/bytes.js";
import { usageName, usagePageName } from "./hidUsages.js";

export { usagePageName };

export type HidItemType = "main" | "global" | "local" | "reserved" | "long";

export interface HidItem {
  offset: number;
  type: HidItemType;
  tag: number;
  /** Spec name, e.g. "Usage Page", "Report Size", "Input". */
  name: string;
  /** Data size in bytes (0, 1, 2, 4; long items: bDataSize). */
  size: number;
  /** Unsigned data value (short items). */
  value: number;
  /** Readable value, e.g. "Generic Desktop", "Data,Var,Abs". */
  text: string;
}

export interface HidReport {
  type: "input" | "output" | "feature";
  /** Report ID, 0 when the descriptor uses none (HID 1.11 §6.2.2.7). */
  reportId: number;
  bits: number;
  /** Size on the wire in bytes: the data rounded up to bytes, plus the ID byte when IDs are used. */
  bytes: number;
}

/**
 * One main item's data (HID 1.11 §6.2.2.4, §8.4): `count` fields of `size` bits each at `bitOffset` of its
 * report's data (after the report ID byte), with the usages and the logical range in force at the item.
 */
export interface HidField {
  type: "input" | "output" | "feature";
  reportId: number;
  /** Offset of the Input, Output or Feature item in the descriptor. */
  offset: number;
  /** Bit offset inside the report's data, after the report ID byte (§8.4: fields packed LSB first). */
  bitOffset: number;
  /** Report Size (bits per field) and Report Count. */
  size: number;
  count: number;
  /** The main item's flags (§6.2.2.5): bit 0 Constant, bit 1 Variable, bit 2 Relative, bit 6 Null state. */
  flags: number;
  /** Extended usages (page << 16 | id) of the Usage items, in order; a 1- or 2-byte Usage takes the Usage Page. */
  usages: number[];
  /** Usage Minimum and Maximum as extended usages, when the item had them. */
  usageMin?: number;
  usageMax?: number;
  /** Logical Minimum, signed (§6.2.2.7). */
  logicalMin: number;
  /** Logical Maximum as the spec reads it: signed (§6.2.2.7), so a 1-byte 0xFF is -1. */
  logicalMax: number;
  /** Logical Maximum read unsigned, as Linux does when Logical Minimum is not negative (hid-core.c). */
  logicalMaxUnsigned: number;
  /** Data size in bytes of the Logical Maximum item (0 when there was none). */
  logicalMaxSize: number;
}

export interface HidReportDescriptor {
  items: HidItem[];
  reports: HidReport[];
  /** Every Input, Output and Feature item's fields, in descriptor order. */
  fields: HidField[];
  /** The last item's data ran past the end. */
  truncated?: true;
  /** Structural problems seen, in plain words (unbalanced collections, Pop without Push, Report ID 0). */
  problems: string[];
}

const MAIN: Record<number, string> = {
  0x8: "Input",
  0x9: "Output",
  0xb: "Feature",
  0xa: "Collection",
  0xc: "End Collection",
};
const GLOBAL: Record<number, string> = {
  0x0: "Usage Page",
  0x1: "Logical Minimum",
  0x2: "Logical Maximum",
  0x3: "Physical Minimum",
  0x4: "Physical Maximum",
  0x5: "Unit Exponent",
  0x6: "Unit",
  0x7: "Report Size",
  0x8: "Report ID",
  0x9: "Report Count",
  0xa: "Push",
  0xb: "Pop",
};
const LOCAL: Record<number, string> = {
  0x0: "Usage",
  0x1: "Usage Minimum",
  0x2: "Usage Maximum",
  0x3: "Designator Index",
  0x4: "Designator Minimum",
  0x5: "Designator Maximum",
  0x7: "String Index",
  0x8: "String Minimum",
  0x9: "String Maximum",
  0xa: "Delimiter",
};

const COLLECTIONS = [
  "Physical",
  "Application",
  "Logical",
  "Report",
  "Named Array",
  "Usage Switch",
  "Usage Modifier",
];

/** Main item flags (HID 1.11 §6.2.2.5). */
function mainFlagsText(v: number): string {
  return (
    [v & 1 ? "Const" : "Data", v & 2 ? "Var" : "Array", v & 4 ? "Rel" : "Abs"].join(",") +
    (v & 8 ? ",Wrap" : "") +
    (v & 0x10 ? ",NonLin" : "") +
    (v & 0x20 ? ",NoPref" : "") +
    (v & 0x40 ? ",Null" : "") +
    (v & 0x100 ? ",Buf" : "")
  );
}

function signed(v: number, size: number): number {
  if (size === 1) return (v << 24) >> 24;
  if (size === 2) return (v << 16) >> 16;
  if (size === 4) return v | 0;
  return v;
}

interface Globals {
  usagePage: number;
  reportSize: number;
  reportId: number;
  reportCount: number;
  logicalMin: number;
  logicalMax: number;
  logicalMaxUnsigned: number;
  logicalMaxSize: number;
}

/** Local items (§6.2.2.8): cleared after each main item. */
interface Locals {
  usages: number[];
  usageMin?: number;
  usageMax?: number;
}

/** A Usage, Usage Minimum or Maximum as an extended usage: 4-byte data carries its own page (§6.2.2.8). */
function extendedUsage(value: number, size: number, page: number): number {
  return size === 4 ? value : page * 0x10000 + value;
}

/** Usages kept per main item: a hostile descriptor cannot grow one field's list without bound. */
const MAX_USAGES = 1024;

/** Parse a report descriptor; never throws: a short last item is marked truncated. */
export function parseHidReportDescriptor(b: Uint8Array): HidReportDescriptor {
  const out: HidReportDescriptor = { items: [], reports: [], fields: [], problems: [] };
  let g: Globals = {
    usagePage: 0,
    reportSize: 0,
    reportId: 0,
    reportCount: 0,
    logicalMin: 0,
    logicalMax: 0,
    logicalMaxUnsigned: 0,
    logicalMaxSize: 0,
  };
  let l: Locals = { usages: [] };
  const stack: Globals[] = [];
  const bits = new Map<string, HidReport>();
  let depth = 0;
  let pos = 0;
  while (pos < b.length) {
    const prefix = b[pos]!;
    if (prefix === 0xfe) {
      // Long item: bDataSize, bLongItemTag, data (§6.2.2.3).
      const size = u8(b, pos + 1);
      const item: HidItem = {
        offset: pos,
        type: "long",
        tag: u8(b, pos + 2),
        name: "Long Item",
        size,
        value: 0,
        text: `${size} bytes`,
      };
      out.items.push(item);
      if (pos + 3 + size > b.length) {
        out.truncated = true;
        break;
      }
      pos += 3 + size;
      continue;
    }
    const sizeCode = prefix & 3;
    const size = sizeCode === 3 ? 4 : sizeCode;
    const typeCode = (prefix >> 2) & 3;
    const tag = prefix >> 4;
    if (pos + 1 + size > b.length) {
      out.truncated = true;
      out.items.push({
        offset: pos,
        type: "reserved",
        tag,
        name: "Truncated item",
        size,
        value: 0,
        text: `needs ${size} data bytes, ${b.length - pos - 1} left`,
      });
      break;
    }
    let value = 0;
    for (let k = size - 1; k >= 0; k--) value = value * 256 + b[pos + 1 + k]!;
    const type: HidItemType =
      typeCode === 0 ? "main" : typeCode === 1 ? "global" : typeCode === 2 ? "local" : "reserved";
    const table = typeCode === 0 ? MAIN : typeCode === 1 ? GLOBAL : typeCode === 2 ? LOCAL : {};
    const name = table[tag] ?? `Reserved (tag 0x${tag.toString(16)})`;
    let text = String(value);
    if (type === "global") {
      switch (tag) {
        case 0x0:
          g.usagePage = value;
          text = usagePageName(value);
          break;
        case 0x1:
          g.logicalMin = signed(value, size);
          text = String(g.logicalMin);
          break;
        case 0x2:
          g.logicalMax = signed(value, size);
          g.logicalMaxUnsigned = value;
          g.logicalMaxSize = size;
          break;
        case 0x3:
          text = String(signed(value, size));
          break;
        case 0x7:
          g.reportSize = value;
          break;
        case 0x8:
          g.reportId = value;
          if (value === 0) out.problems.push(`Report ID 0 at offset ${pos} (reserved, HID 1.11 §6.2.2.7)`);
          break;
        case 0x9:
          g.reportCount = value;
          break;
        case 0xa:
          stack.push({ ...g });
          break;
        case 0xb: {
          const top = stack.pop();
          if (top) g = top;
          else out.problems.push(`Pop without Push at offset ${pos}`);
          break;
        }
      }
    } else if (type === "main") {
      if (tag === 0xa) {
        depth++;
        text = COLLECTIONS[value] ?? (value >= 0x80 ? "Vendor-defined" : "Reserved");
      } else if (tag === 0xc) {
        depth--;
        text = "";
        if (depth < 0) {
          out.problems.push(`End Collection without Collection at offset ${pos}`);
          depth = 0;
        }
      } else if (tag === 0x8 || tag === 0x9 || tag === 0xb) {
        text = mainFlagsText(value);
        const rt = tag === 0x8 ? "input" : tag === 0x9 ? "output" : "feature";
        const key = `${rt}:${g.reportId}`;
        let r = bits.get(key);
        if (!r) {
          r = { type: rt, reportId: g.reportId, bits: 0, bytes: 0 };
          bits.set(key, r);
          out.reports.push(r);
        }
        out.fields.push({
          type: rt,
          reportId: g.reportId,
          offset: pos,
          bitOffset: r.bits,
          size: g.reportSize,
          count: g.reportCount,
          flags: value,
          usages: l.usages,
          ...(l.usageMin !== undefined ? { usageMin: l.usageMin } : {}),
          ...(l.usageMax !== undefined ? { usageMax: l.usageMax } : {}),
          logicalMin: g.logicalMin,
          logicalMax: g.logicalMax,
          logicalMaxUnsigned: g.logicalMaxUnsigned,
          logicalMaxSize: g.logicalMaxSize,
        });
        r.bits += g.reportSize * g.reportCount;
      }
      // §6.2.2.8: local items apply to the next main item only.
      l = { usages: [] };
    } else if (type === "local") {
      if (tag === 0x0 && l.usages.length < MAX_USAGES) l.usages.push(extendedUsage(value, size, g.usagePage));
      else if (tag === 0x1) l.usageMin = extendedUsage(value, size, g.usagePage);
      else if (tag === 0x2) l.usageMax = extendedUsage(value, size, g.usagePage);
      // The usage by its HID Usage Tables name; a 4-byte usage names its own page (§6.2.2.8).
      if (tag === 0x0 || tag === 0x1 || tag === 0x2) {
        const u = extendedUsage(value, size, g.usagePage);
        text = size === 4 ? `${usagePageName(Math.floor(u / 0x10000))}: ${usageName(u)}` : usageName(u);
      }
    }
    out.items.push({ offset: pos, type, tag, name, size, value, text });
    pos += 1 + size;
  }
  if (depth > 0) out.problems.push(`${depth} Collection${depth > 1 ? "s" : ""} not closed by End Collection`);
  const usesIds = out.reports.some((r) => r.reportId !== 0);
  for (const r of out.reports) r.bytes = Math.ceil(r.bits / 8) + (usesIds ? 1 : 0);
  return out;
}
