// The stable JSON form of a device's descriptors (DESIGN.md devices[].descriptors): spec field names in
// spec order, nested configuration → interfaces → endpoints, class-specific descriptors in order.
import type { UsbDevice } from "../devices/device.js";
import type { DescriptorLayerResult, DeviceReport } from "../devices/descriptorLayer.js";
import { findingJson } from "./findingJson.js";
import type { DescriptorBase } from "../descriptors/layout.js";
import type { ConfigurationDescriptor } from "../descriptors/configuration.js";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Drop the parser's bookkeeping (offset, raw bytes, nested lists); keep kind for class-specific descriptors. */
function fields(d: DescriptorBase, keepKind: boolean, drop: readonly string[] = []): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  if (keepKind) out["kind"] = d.kind;
  for (const [k, v] of Object.entries(d)) {
    if (k === "kind" || k === "offset" || k === "raw" || k === "length" || drop.includes(k)) continue;
    if (v === undefined) continue;
    out[k] = v as Json;
  }
  if (d.kind === "unknown" || d.kind.endsWith("-unknown")) out["bytes"] = d.raw;
  return out;
}

export function configurationJson(c: ConfigurationDescriptor): { [k: string]: Json } {
  const out = fields(c, false, ["descriptors", "interfaces", "associations", "invalidAt", "excess"]);
  out["interfaces"] = c.interfaces.map((i) => {
    const o = fields(i, false, ["endpoints", "extra"]);
    if (i.extra.length) o["extra"] = i.extra.map((x) => fields(x, true));
    o["endpoints"] = i.endpoints.map((e) => {
      const eo = fields(e, false, ["extra"]);
      if (e.extra.length) eo["extra"] = e.extra.map((x) => fields(x, true));
      return eo;
    });
    return o;
  });
  if (c.associations.length) out["associations"] = c.associations.map((a) => fields(a, false));
  // Descriptors before the first interface (rare, but kept so nothing the device sent is lost).
  const first = c.descriptors.findIndex((d) => d.kind === "interface");
  const before = c.descriptors
    .slice(0, first < 0 ? c.descriptors.length : first)
    .filter((d) => d.kind !== "interface-association");
  if (before.length) out["extra"] = before.map((x) => fields(x, true));
  if (c.invalidAt) out["invalidAt"] = c.invalidAt;
  if (c.excess) out["excess"] = c.excess;
  return out;
}

/** `{ device, configurations, strings, bos?, qualifier?, otherSpeed?, hidReports? }` for one device. */
export function descriptorsJson(d: UsbDevice): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  if (d.device) out["device"] = fields(d.device.descriptor, false);
  out["configurations"] = [...d.configurations.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, h]) => configurationJson(h.descriptor));
  const strings: { [k: string]: Json } = {};
  for (const [i, h] of [...d.strings.entries()].sort((a, b) => a[0] - b[0])) {
    strings[String(i)] = i === 0 ? (h.descriptor.langIds ?? []).map((l) => l) : (h.descriptor.text ?? "");
  }
  out["strings"] = strings;
  if (d.bos) {
    const b = fields(d.bos.descriptor, false, ["capabilities", "invalidAt"]);
    b["capabilities"] = d.bos.descriptor.capabilities.map((c) => fields(c, false));
    out["bos"] = b;
  }
  if (d.qualifier) out["qualifier"] = fields(d.qualifier.descriptor, false);
  if (d.otherSpeed.size)
    out["otherSpeed"] = [...d.otherSpeed.values()].map((h) => configurationJson(h.descriptor));
  if (d.hidReports.size) {
    const h: { [k: string]: Json } = {};
    for (const [i, r] of d.hidReports)
      h[String(i)] = {
        reports: r.descriptor.reports.map((x) => ({ ...x })),
        items: r.descriptor.items.length,
        problems: r.descriptor.problems,
      };
    out["hidReports"] = h;
  }
  return out;
}

/** A device as the JSON contract's devices[] shows it: the report's fields, its descriptors before the timeline. */
export function deviceJson(r: DeviceReport, d: UsbDevice): Record<string, unknown> {
  const { timeline, ...head } = r;
  return { ...head, descriptors: descriptorsJson(d), timeline };
}

/** `usbscope descriptors --json`: every device with its descriptors and the findings of the descriptor rules on it. */
export function descriptorsDocument(file: string, layer: DescriptorLayerResult): Record<string, unknown> {
  const devices = layer.devices.map((d, i) => ({
    ...deviceJson(d, layer.tracked[i]!),
    findings: layer.hitsByDevice[i]!.map((h) => findingJson(h.finding)),
  }));
  return { file, devices };
}
