// One capture checked against an expectations file: each expectation a named check (the names are stable, so
// a CI system's history of each check lines up build after build), each failure in plain words.
import type { AnalysisResult } from "../result.js";
import type { Finding, Severity } from "../usb/finding.js";
import type { Expectation } from "./expectation.js";
import { productOf } from "./product.js";
import { compareProducts, differenceText } from "./compare.js";
import { enumerationMs, findDevice } from "./select.js";

/** The checks, in the order a failure is ranked: the first failing one is the trace's reason. */
export const CHECKS = ["device", "state", "descriptors", "speed", "rules", "enumeration time"] as const;
export type CheckName = (typeof CHECKS)[number];

export interface CheckResult {
  check: CheckName;
  /** passed, failed, or skipped (no device to check, or nothing expected). */
  outcome: "passed" | "failed" | "skipped";
  /** Why it failed (or was skipped), one line each, most telling first. */
  messages: string[];
  /** What could not be checked, and passes that are worth saying (an allowed rule and its reason). */
  notes: string[];
}

export interface Verdict {
  ok: boolean;
  /** The first failure in words, ranked by CHECKS. */
  reason?: string;
  checks: CheckResult[];
  /** The device checked (when one was found). */
  device?: { address: number; bus?: number };
}

export interface VerifyOptions {
  /** The lowest finding severity that fails a trace (default "error"). */
  failOn?: "error" | "warning";
}

const RANK: Record<Severity, number> = { error: 2, warning: 1, info: 0 };

/** The findings of the device at `addresses`, and those of the capture that name no device. */
function deviceFindings(result: AnalysisResult, addresses: readonly number[]): Finding[] {
  return result.findings.sorted().filter((f) => f.device === undefined || addresses.includes(f.device));
}

function findingText(f: Finding): string {
  return `${f.rule} (${f.severity})${f.packet !== undefined ? ` #${f.packet}` : ""}: ${f.message}`;
}

/** Check `result` against `e`. */
export function verifyCapture(result: AnalysisResult, e: Expectation, options: VerifyOptions = {}): Verdict {
  const checks = new Map<CheckName, CheckResult>(
    CHECKS.map((c) => [c, { check: c, outcome: "passed", messages: [], notes: [] }]),
  );
  const set = (c: CheckName, messages: string[], notes: string[] = []) => {
    const r = checks.get(c)!;
    r.messages.push(...messages);
    r.notes.push(...notes);
    if (messages.length) r.outcome = "failed";
  };
  const skip = (c: CheckName, why: string) => {
    const r = checks.get(c)!;
    r.outcome = "skipped";
    r.notes.push(why);
  };
  const found = findDevice(result, e.identity);
  let device: Verdict["device"];
  if ("problem" in found) {
    set("device", [found.problem]);
    for (const c of CHECKS) if (c !== "device") skip(c, "no device to check");
  } else {
    const d = result.descriptors.tracked[found.index]!;
    const report = result.descriptors.devices[found.index]!;
    const diagnosis = result.descriptors.diagnoses[found.index];
    device = { address: d.address, bus: d.bus };
    // State reached (USB 2.0 §9.1.1), with where and why the enumeration stopped.
    if (e.state === undefined) skip("state", "no state expected");
    else if (report.state !== e.state)
      set("state", [
        `state reached: expected ${e.state}, got ${report.state}${diagnosis && !diagnosis.ok && report.state !== "configured" ? `: ${diagnosis.verdict}` : ""}`,
      ]);
    // Descriptors, field by field.
    const { product, cut } = productOf(d);
    const cmp = compareProducts(e.descriptors, product, { ignore: e.tolerances.ignore, cut });
    set(
      "descriptors",
      cmp.differences.map((x) => differenceText(x)),
      cmp.notes,
    );
    // Speed.
    const want = e.identity.speed;
    if (want === undefined || want === "unknown") skip("speed", "no speed expected");
    else if (report.speed === "unknown")
      skip("speed", `the capture does not show the device's speed (${report.speedReason})`);
    else if (report.speed !== want)
      set("speed", [`speed: expected ${want}, got ${report.speed} (${report.speedReason})`]);
    // Rules: allowed ones never fail, forbidden ones always do, the rest from the severity up.
    const allowed = new Map(e.tolerances.allowRules.map((r) => [r.rule, r.reason ?? ""]));
    const forbidden = new Set(e.tolerances.forbidRules.map((r) => r.rule));
    const floor = RANK[options.failOn ?? "error"];
    const failing: string[] = [];
    const allowedSeen = new Map<string, number>();
    for (const f of deviceFindings(result, d.addresses)) {
      if (allowed.has(f.rule)) {
        allowedSeen.set(f.rule, (allowedSeen.get(f.rule) ?? 0) + 1);
        continue;
      }
      if (forbidden.has(f.rule)) failing.push(`forbidden rule ${findingText(f)}`);
      else if (RANK[f.severity] >= floor) failing.push(findingText(f));
    }
    set(
      "rules",
      failing,
      [...allowedSeen].map(([rule, n]) => `${rule} ×${n} allowed: ${allowed.get(rule)}`),
    );
    // Enumeration time against the budget.
    const budget = e.tolerances.enumerationBudgetMs;
    if (budget === null) skip("enumeration time", "no time budget");
    else {
      const ms = enumerationMs(report, d);
      if (ms === undefined) {
        if (report.state === "configured" || !d.enumerationSeen)
          set("enumeration time", [
            d.enumerationSeen
              ? "enumeration time: the capture shows no successful SET_CONFIGURATION to time it by"
              : "enumeration time: the capture does not show the enumeration from address 0",
          ]);
        else skip("enumeration time", "the device was not configured (see state)");
      } else if (ms > budget)
        set("enumeration time", [
          `enumeration took ${ms.toFixed(1)} ms, over the budget of ${budget} ms${typeof e.enumerationMs === "number" ? ` (the good capture took ${e.enumerationMs.toFixed(1)} ms)` : ""}`,
        ]);
    }
  }
  const list = CHECKS.map((c) => checks.get(c)!);
  const first = list.find((c) => c.outcome === "failed");
  return { ok: !first, reason: first?.messages[0], checks: list, device };
}
