// HID report data read against the interface's report descriptor (HID 1.11 §5.6, §6.2.2.4-§6.2.2.8, §8.4):
// the report ID byte when the descriptor uses IDs, then each Input, Output or Feature item's fields packed
// LSB first. Variable fields give one value per usage; array fields list the usages (keys) they name.
// Constant fields are padding and left out; vendor-page fields are shown as bytes.
import type { ClassDecode, ClassFieldValue } from "../usb/classDecode.js";
import type { HidField, HidReport, HidReportDescriptor } from "../descriptors/hidReport.js";
import { isVendorUsage, usageName, usagePageName } from "../descriptors/hidUsages.js";

export type HidReportType = HidReport["type"];

/** Named values listed per report (a 64-byte vendor report cannot flood a line). */
const MAX_VALUES = 64;
/** Vendor bytes shown per field. */
const MAX_VENDOR_BYTES = 32;
/** Array slots read per field (a keyboard has 6; a hostile Report Count cannot make a loop per bit). */
const MAX_ARRAY_SLOTS = 4096;

export interface DecodedReport {
  decode: ClassDecode;
  /** The report the data names (by type and ID), when the descriptor declares it. */
  report?: HidReport;
  /** The report ID the data starts with (0 when the descriptor uses none). */
  reportId: number;
  /** Whether the descriptor uses report IDs (§6.2.2.7: then every report starts with one). */
  usesIds: boolean;
}

/** `count` bits at `bit` of `b`, LSB first (§8.4), unsigned; undefined past the end. */
function bits(b: Uint8Array, bit: number, count: number): number | undefined {
  if (bit + count > b.length * 8) return undefined;
  let v = 0;
  for (let i = count - 1; i >= 0; i--) {
    const at = bit + i;
    v = v * 2 + ((b[at >> 3]! >> (at & 7)) & 1);
  }
  return v;
}

/** The usage of a Variable field's `i`th value: the Usage list (its last repeats), else Usage Minimum + i. */
function variableUsage(f: HidField, i: number): number | undefined {
  if (f.usages.length) return f.usages[Math.min(i, f.usages.length - 1)];
  if (f.usageMin !== undefined) {
    const u = f.usageMin + i;
    return f.usageMax !== undefined && u > f.usageMax ? f.usageMax : u;
  }
  return undefined;
}

/** The usage an Array field's value selects (§6.2.2.5: an index from Logical Minimum), or undefined for none. */
function arrayUsage(f: HidField, v: number, max: number): number | undefined {
  if (v < f.logicalMin || v > max) return undefined;
  const index = v - f.logicalMin;
  if (f.usages.length) return f.usages[index];
  if (f.usageMin === undefined) return undefined;
  const u = f.usageMin + index;
  if (f.usageMax !== undefined && u > f.usageMax) return undefined;
  return u;
}

function fieldPage(f: HidField): number | undefined {
  const u = f.usages[0] ?? f.usageMin;
  return u === undefined ? undefined : Math.floor(u / 0x10000);
}

/** The descriptor's fields by report type and ID, built once per descriptor (a report reads only its own). */
const byReport = new WeakMap<HidReportDescriptor, Map<string, HidField[]>>();

function fieldsOf(desc: HidReportDescriptor, type: HidReportType, id: number): HidField[] {
  let m = byReport.get(desc);
  if (!m) {
    m = new Map();
    for (const f of desc.fields) {
      const k = `${f.type}:${f.reportId}`;
      const list = m.get(k);
      if (list) list.push(f);
      else m.set(k, [f]);
    }
    byReport.set(desc, m);
  }
  return m.get(`${type}:${id}`) ?? [];
}

/**
 * Decode one report of `type` against the descriptor. The label is "input report", "output report" or
 * "feature report"; fields: reportId (with IDs), then each usage by name with its value.
 */
export function decodeHidReport(
  desc: HidReportDescriptor,
  type: HidReportType,
  data: Uint8Array,
  extra: Record<string, ClassFieldValue> = {},
): DecodedReport {
  const usesIds = desc.reports.some((r) => r.reportId !== 0);
  const reportId = usesIds ? (data[0] ?? 0) : 0;
  const report = desc.reports.find((r) => r.type === type && r.reportId === reportId);
  const fields: Record<string, ClassFieldValue> = { ...extra };
  if (usesIds) fields.reportId = reportId;
  const said: string[] = [];
  const name = `${type} report`;
  if (!report) {
    const summary = usesIds
      ? `report ID ${reportId}: not in the report descriptor`
      : "not in the report descriptor";
    return { decode: { class: "HID", name, fields, summary }, reportId, usesIds };
  }
  const payload = usesIds ? data.subarray(1) : data;
  let listed = 0;
  const put = (key: string, value: ClassFieldValue) => {
    if (listed >= MAX_VALUES) return;
    let k = key;
    for (let n = 2; k in fields; n++) k = `${key} #${n}`;
    fields[k] = value;
    listed++;
  };
  for (const f of fieldsOf(desc, type, reportId)) {
    // Past MAX_VALUES nothing more is listed or said: a hostile Report Count does not cost a loop per bit.
    if (listed >= MAX_VALUES) break;
    if (f.flags & 1 || f.size === 0) continue;
    const signed = f.logicalMin < 0;
    // Linux hid-core reads Logical Maximum unsigned while Logical Minimum is not negative.
    const max = signed ? f.logicalMax : f.logicalMaxUnsigned;
    const page = fieldPage(f);
    if (f.size > 32 || (page !== undefined && isVendorUsage(page * 0x10000))) {
      // Vendor data (HUT 1.4 §3), or fields too wide to be numbers (§8.4): their bytes.
      const start = f.bitOffset >> 3;
      const end = Math.min(payload.length, (f.bitOffset + f.size * f.count + 7) >> 3);
      if (start >= end) continue;
      const shown = payload.subarray(start, Math.min(end, start + MAX_VENDOR_BYTES));
      const hexText = [...shown].map((x) => x.toString(16).padStart(2, "0")).join(" ");
      const key = page !== undefined ? usageName(f.usages[0] ?? f.usageMin!) : `field at offset ${f.offset}`;
      put(key, end - start > shown.length ? `${hexText} …` : hexText);
      if (said.length < MAX_VALUES) said.push(`${key}: ${end - start} bytes`);
      continue;
    }
    if (f.flags & 2) {
      for (let i = 0; i < f.count && listed < MAX_VALUES; i++) {
        let v = bits(payload, f.bitOffset + i * f.size, f.size);
        if (v === undefined) break;
        if (signed && v >= 2 ** (f.size - 1)) v -= 2 ** f.size;
        const u = variableUsage(f, i);
        const key = u === undefined ? `field at offset ${f.offset}` : usageName(u);
        put(key, v);
        if (v !== 0 && said.length < MAX_VALUES) said.push(f.size === 1 && max === 1 ? key : `${key} ${v}`);
      }
    } else {
      // Array: each value selects a usage; values outside the logical range (or usage 0) mean none (§6.2.2.5).
      const names: string[] = [];
      for (let i = 0; i < Math.min(f.count, MAX_ARRAY_SLOTS) && names.length < MAX_VALUES; i++) {
        const v = bits(payload, f.bitOffset + i * f.size, f.size);
        if (v === undefined) break;
        const u = arrayUsage(f, v, max);
        if (u !== undefined && u % 0x10000 !== 0) names.push(usageName(u));
      }
      put(
        page !== undefined ? usagePageName(page) : `array at offset ${f.offset}`,
        names.join(", ") || "none",
      );
      for (const n of names) if (said.length < MAX_VALUES) said.push(n);
    }
  }
  const text = said.length ? said.join(", ") : "all zero";
  const summary = usesIds ? `report ID ${reportId}: ${text}` : text;
  return { decode: { class: "HID", name, fields, summary }, report, reportId, usesIds };
}
