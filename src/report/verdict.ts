// A verify verdict as one terminal line (pass or fail and the first reason) and as one NDJSON object.
import type { Verdict } from "../verify/check.js";
import { sanitizeTerminal } from "./sanitize.js";

/** Messages are capped: a device string can be long, and one line per trace must stay a line. */
const MAX_REASON = 300;

function capped(s: string): string {
  return s.length > MAX_REASON ? s.slice(0, MAX_REASON) + "…" : s;
}

/** `ok   FILE` or `FAIL FILE: first reason (+N more)`, safe for a terminal. */
export function verdictLine(file: string, v: Verdict): string {
  if (v.ok) return `ok    ${sanitizeTerminal(file)}`;
  const more = v.checks.reduce((n, c) => n + c.messages.length, 0) - 1;
  return `FAIL  ${sanitizeTerminal(file)}: ${sanitizeTerminal(capped(v.reason ?? "failed"))}${more > 0 ? ` (+${more} more)` : ""}`;
}

/** The JSON form: `{ file, ok, reason?, device?, checks: [{ check, outcome, messages, notes }] }`. */
export function verdictJson(file: string, v: Verdict): Record<string, unknown> {
  return {
    file,
    ok: v.ok,
    ...(v.reason !== undefined ? { reason: v.reason } : {}),
    ...(v.device ? { device: v.device } : {}),
    checks: v.checks.map((c) => ({
      check: c.check,
      outcome: c.outcome,
      messages: c.messages,
      notes: c.notes,
    })),
  };
}

/** Every failing check with all its messages, indented under the trace's line (verify --verbose). */
export function verdictDetails(v: Verdict): string {
  const out: string[] = [];
  for (const c of v.checks) {
    for (const m of c.messages) out.push(`      ${c.check}: ${sanitizeTerminal(capped(m))}`);
    if (c.outcome !== "skipped")
      for (const n of c.notes) out.push(`      ${c.check} (note): ${sanitizeTerminal(capped(n))}`);
  }
  return out.length ? out.join("\n") + "\n" : "";
}
