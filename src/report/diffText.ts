// `usbscope diff A B` as text (sections of differences, safe for a terminal) and as one JSON document.
import type { DiffResult } from "../verify/diff.js";
import { sanitizeTerminal } from "./sanitize.js";

const MAX_LINE = 400;
const line = (s: string) => "  " + sanitizeTerminal(s.length > MAX_LINE ? s.slice(0, MAX_LINE) + "…" : s);

export function diffText(a: string, b: string, d: DiffResult): string {
  const out: string[] = [`A ${sanitizeTerminal(a)}`, `B ${sanitizeTerminal(b)}`, `device ${d.device}`];
  const section = (title: string, lines: string[]) => {
    if (lines.length) out.push("", title, ...lines.map(line));
  };
  section(
    "Identity and state",
    d.identity.map((x) => x.message),
  );
  section(
    "Descriptors",
    d.descriptors.map((x) => x.message),
  );
  section(
    "Enumeration timeline",
    d.timeline.map((x) => x.message),
  );
  section("Findings", [
    ...d.findings.onlyA.map((f) => `only in A: ${f.rule} (${f.severity}) ×${f.count}: ${f.message}`),
    ...d.findings.onlyB.map((f) => `only in B: ${f.rule} (${f.severity}) ×${f.count}: ${f.message}`),
  ]);
  section("Notes", d.notes);
  if (d.same) out.push("", "no differences");
  return out.join("\n") + "\n";
}

/** `{ a, b, device, same, identity, descriptors, timeline, findings: { onlyA, onlyB }, notes }`. */
export function diffJson(a: string, b: string, d: DiffResult): Record<string, unknown> {
  return {
    a,
    b,
    device: d.device,
    same: d.same,
    identity: d.identity,
    descriptors: d.descriptors,
    timeline: d.timeline,
    findings: d.findings,
    notes: d.notes,
  };
}
