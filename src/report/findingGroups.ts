// How the text report lists findings: ranked (errors, then warnings, then info, each in capture order)
// and repeats grouped: the same rule with the same cause on the same device and endpoint is one line
// with its count and record range. A text-report matter only: the JSON lists every finding.
import type { Finding, Severity } from "../usb/finding.js";

/** One line of the findings list: a finding, or a run of findings that differ only in where they happened. */
export interface FindingGroup {
  /** The first finding of the group in capture order: its message, time and severity stand for all. */
  first: Finding;
  /** The last one (the end of the record range). */
  last: Finding;
  count: number;
  /** Whether every member said exactly the same thing (else the values in the message are the first one's). */
  sameMessage: boolean;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Findings ranked by severity, each severity in capture order (record index, then arrival: a stable sort). */
export function rankFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => RANK[a.severity] - RANK[b.severity] || (a.packet ?? Infinity) - (b.packet ?? Infinity),
  );
}

/**
 * The cause of a finding, as far as grouping goes: its message with the numbers that change from one
 * occurrence to the next (byte counts, record and line numbers, URB tags, frame numbers, DATA0/DATA1) taken out. The
 * words stay, so `-2 ENOENT` and `-32 EPIPE`, or `SET_ADDRESS` and `GET_DESCRIPTOR`, never share a line.
 */
export function causeOf(f: Finding): string {
  return f.message.replace(/\b[0-9a-f]*[0-9][0-9a-f]*\b/gi, "#").replace(/[0-9]+/g, "#");
}

function groupKey(f: Finding): string {
  return [f.severity, f.rule, f.device ?? "", f.endpoint ?? "", causeOf(f)].join("\u0000");
}

/**
 * Ranked findings with repeats grouped. A group sits where its first member would: findings are ranked
 * first, and each later member joins the group of the first finding with its key.
 */
export function groupFindings(findings: readonly Finding[]): FindingGroup[] {
  const groups: FindingGroup[] = [];
  const byKey = new Map<string, FindingGroup>();
  for (const f of rankFindings(findings)) {
    const key = groupKey(f);
    const g = byKey.get(key);
    if (g) {
      g.count++;
      g.last = f;
      if (f.message !== g.first.message) g.sameMessage = false;
    } else {
      const group = { first: f, last: f, count: 1, sameMessage: true };
      byKey.set(key, group);
      groups.push(group);
    }
  }
  return groups;
}

/** Every finding as a group of one, ranked: what `--all` lists. */
export function ungroupedFindings(findings: readonly Finding[]): FindingGroup[] {
  return rankFindings(findings).map((f) => ({ first: f, last: f, count: 1, sameMessage: true }));
}
