// The human report of `usbscope analyze`: summary, then the devices' diagnoses, then the findings ranked
// (errors, warnings, info, each in capture order) with repeats grouped, wrapped to the terminal.
import type { AnalysisResult } from "../result.js";
import type { Finding } from "../usb/finding.js";
import { secondsBetween } from "../usb/time.js";
import { sanitizeTerminal } from "./sanitize.js";
import { diagnosisRows } from "./diagnosis.js";
import { linktypeName } from "../usb/linkTypes.js";
import { groupFindings, ungroupedFindings } from "./findingGroups.js";
import { findingRow, rowLines, widthsOf, type RowWidths } from "./findingRows.js";
import { paint, wrap, type TextLayout } from "./layout.js";
import { allRules } from "../rules/registry.js";
import { dfuSessionsSection } from "./dfuSessionLines.js";

export interface TextOptions extends TextLayout {
  /** List every finding on its own line instead of grouping repeats (`--all`). */
  all?: boolean;
}

export function analysisText(r: AnalysisResult, options: TextOptions = {}): string {
  const out: string[] = [];
  // A summary line: its label, then the value wrapped under itself (a long file name, many link types).
  const field = (label: string, value: string) =>
    out.push(...wrap(`  ${label.padEnd(14)}`, value, options.width));
  const c = r.findings.countBySeverity;
  out.push(...wrap("usbscope: ", sanitizeTerminal(r.file), options.width));
  const order =
    r.capture.format === "usbmon-text" ? "" : r.capture.bigEndian ? ", big-endian" : ", little-endian";
  field("format", `${r.capture.format}${order}`);
  if (r.linktypes.length)
    field("link types", `${r.linktypes.map((lt) => `${lt} (${linktypeName(lt)})`).join(", ")}`);
  field("speed", r.speed);
  const span = r.firstTime && r.lastTime ? `, ${secondsBetween(r.firstTime, r.lastTime).toFixed(6)} s` : "";
  if (r.capture.format === "usbmon-text") field("URB events", `${r.urbEvents}${span}`);
  else field("records", `${r.capture.records}${span}`);
  if (r.packets > 0) {
    field("packets", `${r.packets}`);
    field(
      "by PID",
      [...r.pidCounts.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([p, n]) => `${p} ${n},`)
        .join(" ")
        .replace(/,$/, ""),
    );
  }
  if (r.transactions > 0) field("transactions", `${r.transactions}`);
  if (r.urbEvents > 0 && r.capture.format !== "usbmon-text") field("URB events", `${r.urbEvents}`);
  field("control", `${r.controlTransferCount} transfers`);
  if (r.busEvents.counts.size)
    field("bus events", [...r.busEvents.counts].map(([e, n]) => `${e} ${n}`).join(", "));
  out.push(
    `  findings      ${paintCount(c.error, "error", options)}, ${paintCount(c.warning, "warning", options)}, ${c.info} info`,
  );
  const diagnosis = diagnosisRows(r);
  if (diagnosis.length) {
    out.push("", "Devices");
    for (const line of diagnosis) {
      const lines = wrap(`  ${line.head}`, sanitizeTerminal(line.text), options.width);
      if (line.status && options.color)
        lines[0] = `  ${paint(line.status.word, line.status.paint, options)}${lines[0]!.slice(2 + line.status.word.length)}`;
      out.push(...lines);
    }
    const more = r.descriptors.notListed;
    if (more > 0) out.push(`  … and ${more} more device${more === 1 ? "" : "s"}, checked but not listed`);
  }
  if (r.busEvents.list.length) {
    out.push(
      "",
      "Bus events (recorded by the sniffer; keepalives, chirp bits and folded frames counted, not listed)",
    );
    for (const e of r.busEvents.list.slice(0, MAX_BUS_EVENT_LINES)) {
      const t = r.firstTime ? `  +${secondsBetween(r.firstTime, e.time).toFixed(6)}s` : "";
      out.push(`  #${String(e.index).padEnd(6)}${t}  ${e.event}`);
    }
    const more = r.busEvents.list.length - MAX_BUS_EVENT_LINES;
    if (more > 0) out.push(`  … and ${more} more (--json lists them)`);
  }
  out.push(...dfuSessionsSection(r, options.width));
  const kept = r.findings.kept;
  if (kept.length) {
    const groups = options.all ? ungroupedFindings(kept) : groupFindings(kept);
    const rows = groups.map((g) => findingRow(g, r.firstTime));
    const widths = widthsOf(rows);
    out.push("", "Findings");
    for (const row of rows) out.push(...rowLines(row, widths, options));
    for (const [rule, n] of r.findings.dropped)
      out.push(`  … and ${n} more ${rule} finding${n === 1 ? "" : "s"} not listed`);
    const notes: string[] = [];
    if (groups.length < kept.length)
      notes.push(
        `${kept.length} findings on ${groups.length} line${groups.length === 1 ? "" : "s"}: repeats are grouped (N×, first-last record); --all lists each one.`,
      );
    notes.push("Sources in brackets: usbscope rules --sources.");
    out.push("", ...wrap("  ", notes.join(" "), options.width));
  }
  return out.join("\n") + "\n";
}

function paintCount(n: number, word: "error" | "warning", layout: TextLayout): string {
  const text = `${n} ${word}${n === 1 ? "" : "s"}`;
  return n > 0 ? paint(text, word === "error" ? "red" : "yellow", layout) : text;
}

/** Bus events listed in the text report; the JSON document has them all. */
const MAX_BUS_EVENT_LINES = 40;

/** Fixed columns for findings printed one at a time (live): the rule column fits every rule ID. */
const LIVE_WIDTHS: RowWidths = { count: 0, rule: Math.max(...allRules().map((r) => r.id.length)) };

/** One finding as a line (live prints them as they are made), wrapped at the layout's width. */
export function findingLine(
  f: Finding,
  r?: Pick<AnalysisResult, "firstTime">,
  layout: TextLayout = {},
): string {
  const row = findingRow({ first: f, last: f, count: 1, sameMessage: true }, r?.firstTime);
  return rowLines(row, LIVE_WIDTHS, layout).join("\n");
}
