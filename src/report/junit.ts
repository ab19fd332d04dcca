// JUnit XML for CI: one test suite per capture, one test case per rule that was checked; a rule
// with error findings is a failure, listing them. CI systems show these natively.
import type { AnalysisResult } from "../result.js";
import type { Finding } from "../usb/finding.js";
import type { Verdict } from "../verify/check.js";

// XML 1.0 forbids most C0 controls even escaped: they are dropped.
// eslint-disable-next-line no-control-regex -- the pattern must name what XML forbids
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

export function escapeXml(s: string): string {
  return s
    .replace(XML_FORBIDDEN, "")
    .replace(
      /[<>&"']/g,
      (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!,
    );
}

export interface JunitCase {
  file: string;
  result?: AnalysisResult;
  /** Input error (unreadable file, unknown format). */
  error?: string;
  /** The findings alone (what a verify worker sends back), instead of the whole result. */
  findings?: { sorted: Finding[]; countByRule: ReadonlyMap<string, number> };
  /** verify --expect: one test case per expectation (check) instead of one per rule. */
  verdict?: Verdict;
  seconds: number;
}

/** The test cases of a verdict: one per check, named by the check, so CI history lines up run after run. */
function verdictCases(file: string, v: Verdict): { lines: string[]; failures: number; skipped: number } {
  const lines: string[] = [];
  let failures = 0;
  let skipped = 0;
  const cls = escapeXml(file);
  for (const c of v.checks) {
    const notes = c.notes.length ? `<system-out>${escapeXml(c.notes.join("\n"))}</system-out>` : "";
    if (c.outcome === "failed") {
      failures++;
      lines.push(
        `    <testcase classname="${cls}" name="${escapeXml(c.check)}"><failure message="${escapeXml(c.messages[0]!)}" type="${escapeXml(c.check)}">${escapeXml(c.messages.join("\n"))}</failure>${notes}</testcase>`,
      );
    } else if (c.outcome === "skipped") {
      skipped++;
      lines.push(
        `    <testcase classname="${cls}" name="${escapeXml(c.check)}"><skipped message="${escapeXml(c.notes[0] ?? "skipped")}"/></testcase>`,
      );
    } else lines.push(`    <testcase classname="${cls}" name="${escapeXml(c.check)}">${notes}</testcase>`);
  }
  return { lines, failures, skipped };
}

export function junitXml(cases: JunitCase[]): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  const suites: string[] = [];
  for (const c of cases) {
    const lines: string[] = [];
    let sTests: number;
    let sFail = 0;
    let sErr = 0;
    let sSkip = 0;
    if (c.verdict && !c.error) {
      const v = verdictCases(c.file, c.verdict);
      lines.push(...v.lines);
      sTests = c.verdict.checks.length;
      sFail = v.failures;
      sSkip = v.skipped;
    } else if (c.error || !(c.result || c.findings)) {
      sTests = 1;
      sErr = 1;
      lines.push(
        `    <testcase classname="${escapeXml(c.file)}" name="read capture"><error message="${escapeXml(c.error ?? "no result")}"/></testcase>`,
      );
    } else {
      const byRule = new Map<string, Finding[]>();
      const found = c.findings ?? {
        sorted: c.result!.findings.sorted(),
        countByRule: c.result!.findings.countByRule,
      };
      for (const f of found.sorted) {
        if (!byRule.has(f.rule)) byRule.set(f.rule, []);
        byRule.get(f.rule)!.push(f);
      }
      sTests = 1;
      lines.push(
        `    <testcase classname="${escapeXml(c.file)}" name="decode" time="${c.seconds.toFixed(3)}"/>`,
      );
      for (const [rule, list] of [...byRule.entries()].sort()) {
        sTests++;
        const errs = list.filter((f) => f.severity === "error");
        const total = found.countByRule.get(rule) ?? list.length;
        if (errs.length) {
          sFail++;
          const body = errs
            .map(
              (f) =>
                `${f.packet !== undefined ? `#${f.packet} ` : ""}${f.message}${f.spec ? ` [${f.spec}]` : ""}`,
            )
            .join("\n");
          lines.push(
            `    <testcase classname="${escapeXml(c.file)}" name="${escapeXml(rule)}"><failure message="${escapeXml(`${total} ${rule} finding(s): ${errs[0]!.message}`)}" type="${escapeXml(rule)}">${escapeXml(body)}</failure></testcase>`,
          );
        } else {
          lines.push(
            `    <testcase classname="${escapeXml(c.file)}" name="${escapeXml(rule)}"><system-out>${escapeXml(list.map((f) => `${f.severity}: ${f.message}`).join("\n"))}</system-out></testcase>`,
          );
        }
      }
    }
    tests += sTests;
    failures += sFail;
    errors += sErr;
    suites.push(
      `  <testsuite name="${escapeXml(c.file)}" tests="${sTests}" failures="${sFail}" errors="${sErr}"${sSkip ? ` skipped="${sSkip}"` : ""} time="${c.seconds.toFixed(3)}">`,
      ...lines,
      "  </testsuite>",
    );
  }
  out.push(
    `<testsuites name="usbscope" tests="${tests}" failures="${failures}" errors="${errors}">`,
    ...suites,
    "</testsuites>",
  );
  return out.join("\n") + "\n";
}
