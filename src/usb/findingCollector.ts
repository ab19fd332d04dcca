// Collecting findings with bounded memory: every finding is counted, and the first
// `perRuleLimit` of each rule are kept for the report (a capture from a bad cable can hold
// millions of CRC errors; the user needs the count and the first ones, not all of them).
import type { Finding, FindingSink, Severity } from "./finding.js";

export class FindingCollector implements FindingSink {
  readonly kept: Finding[] = [];
  readonly countByRule = new Map<string, number>();
  readonly countBySeverity: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  /** Findings seen but not kept, per rule. */
  readonly dropped = new Map<string, number>();
  /** Findings a filter left out (`accept`): neither counted above nor kept. */
  filteredOut = 0;

  constructor(
    private readonly perRuleLimit = 1000,
    private readonly listener?: (finding: Finding) => void,
    /** Which findings the user asked for (--filter, --min-severity, --rule): the others are only counted in `filteredOut`. */
    private readonly accept?: (finding: Finding) => boolean,
  ) {}

  add(finding: Finding): void {
    if (this.accept !== undefined && !this.accept(finding)) {
      this.filteredOut++;
      return;
    }
    this.countBySeverity[finding.severity]++;
    const n = (this.countByRule.get(finding.rule) ?? 0) + 1;
    this.countByRule.set(finding.rule, n);
    if (n <= this.perRuleLimit) this.kept.push(finding);
    else this.dropped.set(finding.rule, (this.dropped.get(finding.rule) ?? 0) + 1);
    this.listener?.(finding);
  }

  /** Kept findings in capture order (by record index, then by arrival). */
  sorted(): Finding[] {
    return this.kept
      .map((f, i) => ({ f, i }))
      .sort((a, b) => (a.f.packet ?? Infinity) - (b.f.packet ?? Infinity) || a.i - b.i)
      .map((x) => x.f);
  }
}
