// The same agreement one level up: what usbscope reports per device (AnalysisResult.descriptors.devices[].descriptors,
// src/descriptors/json.ts) for the reads the DeviceTracker kept, against tshark's dissection of those very reads.
// This checks the tracker's choice of read and the JSON plumbing, not just the parsers.
import { descriptorsJson, type Json } from "../../src/report/deviceJson.js";
import type { ControlTransfer } from "../../src/usb/model.js";
import { CONFIGURATION_LAYOUT } from "../../src/descriptors/configuration.js";
import { DEVICE_LAYOUT } from "../../src/descriptors/device.js";
import { ENDPOINT_LAYOUT } from "../../src/descriptors/endpoint.js";
import { IAD_LAYOUT, INTERFACE_LAYOUT } from "../../src/descriptors/interface.js";
import type { FieldSpec } from "../../src/descriptors/layout.js";
import type { Comparison, Disagreement } from "./compare.js";
import type { TsharkDescriptor } from "./tsharkDescriptors.js";

export interface JsonComparison {
  compared: number;
  disagreements: Disagreement[];
}

type Obj = { [k: string]: Json };

function tsharkName(kind: string, name: string): string {
  return kind === "configuration" && name === "bmAttributes"
    ? "usb.configuration.bmAttributes"
    : "usb." + name;
}

/** Compare the layout fields of one JSON descriptor with the tshark descriptor, on the fields tshark shows. */
function compareObject(
  frame: number,
  kind: string,
  json: Obj,
  group: TsharkDescriptor | undefined,
  layout: readonly FieldSpec[],
  out: JsonComparison,
): void {
  if (!group) {
    out.disagreements.push({ frame, kind, field: "descriptor", ours: `devices[].descriptors ${kind}` });
    return;
  }
  for (const [name] of layout) {
    const t = group.fields.find((f) => f.name === tsharkName(kind, name));
    const v = json[name];
    if (!t || typeof v !== "number") continue;
    out.compared++;
    if (Number(t.show) !== v)
      out.disagreements.push({ frame, kind, field: t.name, ours: String(v), theirs: JSON.stringify(t.show) });
  }
}

function ofType(groups: readonly TsharkDescriptor[], type: number): TsharkDescriptor[] {
  return groups.filter((g) => Number(g.fields.find((f) => f.name === "usb.bDescriptorType")?.show) === type);
}

export function compareDeviceJson(c: Comparison): JsonComparison {
  const out: JsonComparison = { compared: 0, disagreements: [] };
  const layer = c.result!.descriptors;
  layer.tracked.forEach((dev) => {
    const json = descriptorsJson(dev);
    // Reads tshark did not dissect are already reported, and allow-listed, by the transfer comparison.
    const reply = (ct: ControlTransfer | undefined) => (ct ? c.replies.get(ct) : undefined);

    const d = reply(dev.device?.transfer);
    if (d && json["device"])
      compareObject(d.frame, "device", json["device"] as Obj, d.groups[0], DEVICE_LAYOUT, out);

    const configs = (json["configurations"] ?? []) as Obj[];
    [...dev.configurations.entries()]
      .sort((a, b) => a[0] - b[0])
      .forEach(([, held], k) => {
        const r = reply(held.transfer);
        const cj = configs[k];
        if (!r || !cj) return;
        compareObject(r.frame, "configuration", cj, r.groups[0], CONFIGURATION_LAYOUT, out);
        const interfaces = (cj["interfaces"] ?? []) as Obj[];
        const ifGroups = ofType(r.groups, 0x04);
        const epGroups = ofType(r.groups, 0x05);
        const iadGroups = ofType(r.groups, 0x0b);
        const endpoints = interfaces.flatMap((x) => (x["endpoints"] ?? []) as Obj[]);
        const associations = (cj["associations"] ?? []) as Obj[];
        if (interfaces.length !== ifGroups.length)
          out.disagreements.push({
            frame: r.frame,
            kind: "interface",
            field: "descriptor",
            ours: `${interfaces.length} interfaces`,
            theirs: `${ifGroups.length}`,
          });
        if (endpoints.length !== epGroups.length)
          out.disagreements.push({
            frame: r.frame,
            kind: "endpoint",
            field: "descriptor",
            ours: `${endpoints.length} endpoints`,
            theirs: `${epGroups.length}`,
          });
        if (associations.length !== iadGroups.length)
          out.disagreements.push({
            frame: r.frame,
            kind: "interface-association",
            field: "descriptor",
            ours: `${associations.length} IADs`,
            theirs: `${iadGroups.length}`,
          });
        interfaces.forEach((x, j) =>
          compareObject(r.frame, "interface", x, ifGroups[j], INTERFACE_LAYOUT, out),
        );
        endpoints.forEach((x, j) => compareObject(r.frame, "endpoint", x, epGroups[j], ENDPOINT_LAYOUT, out));
        associations.forEach((x, j) =>
          compareObject(r.frame, "interface-association", x, iadGroups[j], IAD_LAYOUT, out),
        );
      });

    const strings = (json["strings"] ?? {}) as Obj;
    for (const [index, held] of dev.strings) {
      const r = reply(held.transfer);
      const sj = strings[String(index)];
      if (!r || sj === undefined) continue;
      const g = r.groups[0]!;
      if (index === 0) {
        const ids = g.fields.filter((f) => f.name === "usb.wLANGID").map((f) => Number(f.show));
        out.compared++;
        if (JSON.stringify(ids) !== JSON.stringify(sj))
          out.disagreements.push({
            frame: r.frame,
            kind: "string",
            field: "usb.wLANGID",
            ours: JSON.stringify(sj),
            theirs: JSON.stringify(ids),
          });
        continue;
      }
      const t = g.fields.find((f) => f.name === "usb.bString");
      if (!t) continue;
      out.compared++;
      if (t.show !== sj)
        out.disagreements.push({
          frame: r.frame,
          kind: "string",
          field: "usb.bString",
          ours: JSON.stringify(sj),
          theirs: JSON.stringify(t.show),
        });
    }
  });
  return out;
}
