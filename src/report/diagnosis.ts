// The diagnosis section: per device, where enumeration got to and, when it went wrong, why,
// with the evidence (record indices). Printed before the findings.
import type { AnalysisResult } from "../result.js";
import { hex4 } from "../usb/bytes.js";
import { msBetween } from "../usb/time.js";

export function diagnosisLines(r: AnalysisResult): string[] {
  return r.descriptors.diagnoses.flatMap((_d, i) => deviceDiagnosisLines(r, i));
}

/** The diagnosis lines of device `i` (the viewer shows each device's beside its descriptors). */
export function deviceDiagnosisLines(r: AnalysisResult, i: number): string[] {
  const out: string[] = [];
  const { devices, diagnoses, tracked } = r.descriptors;
  const d = diagnoses[i];
  if (d) {
    const dev = devices[i];
    const desc = tracked[i]?.device?.descriptor;
    const id = desc ? ` ${hex4(desc.idVendor)}:${hex4(desc.idProduct)}` : "";
    const productString = desc && desc.iProduct ? tracked[i]!.strings.get(desc.iProduct) : undefined;
    const product = productString ? ` "${productString.descriptor.text ?? ""}"` : "";
    const bus = d.bus !== undefined ? `bus ${d.bus} ` : "";
    const steps = dev?.timeline ?? [];
    const span =
      steps.length > 1
        ? `, ${steps.length} requests over ${msBetween(steps[0]!.time, steps[steps.length - 1]!.time).toFixed(1)} ms`
        : "";
    out.push(`${d.ok ? "ok  " : "FAIL"} ${bus}device ${d.device}${id}${product}: ${d.reached}${span}`);
    if (!d.ok || d.evidence.length) {
      out.push(`     ${d.verdict}`);
      for (const e of d.evidence.slice(0, 8)) out.push(`       #${e.packet}  ${e.text}`);
      if (d.evidence.length > 8) out.push(`       … ${d.evidence.length - 8} more`);
    }
  }
  return out;
}
