// A finding (or a group of repeats) as one row of the text report: severity, count and rule ID in columns,
// then where, when and on which device, and the message, wrapped under the start of that text. The rule ID
// column is as wide as the widest ID listed (live: the widest in the catalogue), so an ID never pushes the text.
import type { Finding, Severity } from "../usb/finding.js";
import type { Timestamp } from "../usb/model.js";
import { secondsBetween } from "../usb/time.js";
import type { FindingGroup } from "./findingGroups.js";
import { paint, SEVERITY_PAINT, wrap, type TextLayout } from "./layout.js";
import { sanitizeTerminal } from "./sanitize.js";

export interface FindingRow {
  severity: Severity;
  /** "48×" for a group, "" for one finding. */
  count: string;
  rule: string;
  /** Where, when, which device, then the message and its sources: sanitised, ready to wrap. */
  text: string;
}

/** Column widths; a report computes them from its rows (widthsOf), live uses fixed ones. */
export interface RowWidths {
  count: number;
  rule: number;
}

function whereOf(f: Finding): string {
  return f.packet !== undefined ? `#${f.packet}` : f.offset !== undefined ? `@${f.offset}` : "";
}

export function findingRow(g: FindingGroup, origin: Timestamp | undefined): FindingRow {
  const f = g.first;
  const last = whereOf(g.last);
  const where = g.count > 1 && last !== whereOf(f) ? `${whereOf(f)}-${last}` : whereOf(f);
  const when = f.time && origin ? `+${secondsBetween(origin, f.time).toFixed(6)}s` : "";
  const dev = f.device !== undefined ? `dev ${f.device}` : "";
  const place = [where, when, dev].filter((s) => s !== "").join(" ");
  // A group whose messages differ in their values shows the first one's.
  const first = g.count > 1 && !g.sameMessage ? "first: " : "";
  const spec = f.spec ? ` [${f.spec}]` : "";
  return {
    severity: f.severity,
    count: g.count > 1 ? `${g.count}×` : "",
    rule: f.rule,
    text: sanitizeTerminal(`${place ? `${place}  ` : ""}${first}${f.message}${spec}`),
  };
}

/** The narrowest widths that fit every row. */
export function widthsOf(rows: readonly FindingRow[]): RowWidths {
  let count = 0;
  let rule = 0;
  for (const r of rows) {
    count = Math.max(count, r.count.length);
    rule = Math.max(rule, r.rule.length);
  }
  return { count, rule };
}

const SEVERITY_COLUMN = 7;

/** One row as lines: the columns, then the text wrapped at the layout's width, indented under itself. */
export function rowLines(r: FindingRow, w: RowWidths, layout: TextLayout): string[] {
  const cells = [
    r.severity.padEnd(SEVERITY_COLUMN),
    ...(w.count ? [r.count.padStart(w.count)] : []),
    r.rule.padEnd(w.rule),
  ];
  const lines = wrap(`  ${cells.join(" ")}  `, r.text, layout.width);
  if (layout.color)
    lines[0] = `  ${paint(r.severity, SEVERITY_PAINT[r.severity], layout)}${lines[0]!.slice(2 + r.severity.length)}`;
  return lines;
}
