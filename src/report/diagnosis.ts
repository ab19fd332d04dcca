// The diagnosis section: per device, where enumeration got to and, when it went wrong, why,
// with the evidence (record indices). Printed before the findings.
import type { AnalysisResult } from "../analyze.js";
import { hex4 } from "../descriptors/types.js";
import { msBetween } from "../time.js";

export function diagnosisLines(r: AnalysisResult): string[] {
  const out: string[] = [];
  const { devices, diagnoses } = r.descriptors;
  diagnoses.forEach((d, i) => {
    const dev = devices[i];
    const desc = dev?.descriptors.device as Record<string, unknown> | undefined;
    const id = desc && typeof desc.idVendor === "number" && typeof desc.idProduct === "number" ? ` ${hex4(desc.idVendor)}:${hex4(desc.idProduct)}` : "";
    const product = typeof (dev?.descriptors.strings as Record<string, unknown> | undefined)?.[String(desc?.iProduct ?? -1)] === "string" ? ` "${(dev!.descriptors.strings as Record<string, string>)[String(desc!.iProduct)]}"` : "";
    const bus = d.bus !== undefined ? `bus ${d.bus} ` : "";
    const steps = dev?.timeline ?? [];
    const span = steps.length > 1 ? `, ${steps.length} requests over ${msBetween(steps[0]!.time, steps[steps.length - 1]!.time).toFixed(1)} ms` : "";
    out.push(`${d.ok ? "ok  " : "FAIL"} ${bus}device ${d.device}${id}${product}: ${d.reached}${span}`);
    if (!d.ok || d.evidence.length) {
      out.push(`     ${d.verdict}`);
      for (const e of d.evidence.slice(0, 8)) out.push(`       #${e.packet}  ${e.text}`);
      if (d.evidence.length > 8) out.push(`       … ${d.evidence.length - 8} more`);
    }
  });
  return out;
}
