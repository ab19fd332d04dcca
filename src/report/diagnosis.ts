// The diagnosis section: per device, where enumeration got to and, when it went wrong, why, with the
// evidence (record indices) and, in the text report, the enumeration timeline with the time between steps.
// Printed before the findings. A device whose enumeration the capture does not show (it was in use before
// the capture began) is `seen`, with what the capture tells of it, not judged `ok`.
import type { AnalysisResult } from "../result.js";
import { hex4 } from "../usb/bytes.js";
import { msBetween } from "../usb/time.js";
import type { Paint } from "./layout.js";

/** One line of the section: `head` (a fixed prefix), then `text`, wrapped under itself by the renderer. */
export interface DiagnosisLine {
  head: string;
  text: string;
  /** The status word that starts `head` and its colour (ok, FAIL, seen). */
  status?: { word: string; paint: Paint };
}

/** Evidence lines and timeline steps shown per device; the JSON document has them all. */
const MAX_EVIDENCE = 8;
const MAX_TIMELINE = 24;

const STATUS = {
  ok: { word: "ok  ", paint: "green" },
  FAIL: { word: "FAIL", paint: "red" },
  seen: { word: "seen", paint: "cyan" },
} as const;

/** Every device's lines, as the text report prints them (a failing device with its timeline). */
export function diagnosisRows(r: AnalysisResult): DiagnosisLine[] {
  return r.descriptors.diagnoses.flatMap((_d, i) => deviceDiagnosisRows(r, i, true));
}

/** Every device's lines as plain strings, without the timeline (unwrapped). */
export function diagnosisLines(r: AnalysisResult): string[] {
  return r.descriptors.diagnoses.flatMap((_d, i) => deviceDiagnosisLines(r, i));
}

/** The diagnosis lines of device `i` as plain strings, without the timeline (the viewer draws its own). */
export function deviceDiagnosisLines(r: AnalysisResult, i: number): string[] {
  return deviceDiagnosisRows(r, i, false).map((l) => l.head + l.text);
}

/** The lines of device `i`: status and identity, verdict, evidence, and with `timeline` a failing device's steps. */
export function deviceDiagnosisRows(r: AnalysisResult, i: number, timeline: boolean): DiagnosisLine[] {
  const out: DiagnosisLine[] = [];
  const { devices, diagnoses, tracked } = r.descriptors;
  const d = diagnoses[i];
  if (!d) return out;
  const dev = devices[i];
  const t = tracked[i];
  const desc = t?.device?.descriptor;
  const id = desc ? ` ${hex4(desc.idVendor)}:${hex4(desc.idProduct)}` : "";
  const productString = desc && desc.iProduct ? t!.strings.get(desc.iProduct) : undefined;
  const product = productString ? ` "${productString.descriptor.text ?? ""}"` : "";
  const bus = d.bus !== undefined ? `bus ${d.bus} ` : "";
  const steps = dev?.timeline ?? [];
  const span =
    steps.length > 1
      ? `, ${steps.length} requests over ${msBetween(steps[0]!.time, steps[steps.length - 1]!.time).toFixed(1)} ms`
      : steps.length === 1
        ? ", 1 request"
        : "";
  // Not configured in view and nothing failed: its enumeration is not in the capture (it was in use before the
  // capture began, or the capture ends first), so there is no verdict to give, only what the device did.
  const enumerated = steps.some((s) => s.address === 0 || s.step.startsWith("SET_ADDRESS"));
  const seen = d.ok && (d.reached !== "configured" || t?.enumerationSeen === false);
  const status = seen ? STATUS.seen : d.ok ? STATUS.ok : STATUS.FAIL;
  const state = !seen
    ? d.reached
    : enumerated
      ? `${d.reached} when the capture ends, after ${d.stage}`
      : `in use before the capture began${d.reached === "configured" ? ", configured in it" : ""}`;
  out.push({
    head: `${status.word} `,
    text: `${bus}device ${d.device}${id}${product}: ${state}${span}`,
    status,
  });
  if (!d.ok || d.evidence.length) {
    out.push({ head: "     ", text: d.verdict });
    for (const e of d.evidence.slice(0, MAX_EVIDENCE))
      out.push({ head: `       #${e.packet}  `, text: e.text });
    if (d.evidence.length > MAX_EVIDENCE)
      out.push({ head: "       ", text: `… ${d.evidence.length - MAX_EVIDENCE} more` });
  }
  if (timeline && !d.ok && steps.length) {
    out.push({ head: "     ", text: "enumeration timeline (time since the previous request):" });
    const shown = steps.slice(0, MAX_TIMELINE);
    const width = Math.max(...shown.map((s) => String(s.packet).length)) + 1;
    for (const s of shown) {
      const gap = s.sincePreviousMs !== undefined ? `+${s.sincePreviousMs.toFixed(1)} ms` : "";
      const end = s.status === "ok" ? "" : `  ${s.status === "stall" ? "STALLed" : s.status}`;
      out.push({
        head: `       ${`#${s.packet}`.padEnd(width)}  ${gap.padStart(12)}  `,
        text: `${s.step}${end}`,
      });
    }
    if (steps.length > MAX_TIMELINE)
      out.push({
        head: "       ",
        text: `… ${steps.length - MAX_TIMELINE} more requests (--json lists them)`,
      });
  }
  return out;
}
