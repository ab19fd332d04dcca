// Capture notes: what the capture tool could not record (usbmon text's 32 bytes, a snap length, SOFs the
// sniffer dropped) is a property of the capture, not a finding about the firmware. Each such rule is said once,
// as info, with how often it happened and what could not be checked because of it; the device is not judged on
// what the capture hides.
import type { Finding, FindingSink, RuleInfo } from "./finding.js";

/** Put in front of a sink: findings of note rules (RuleInfo.note) are counted and said once by flush(). */
export class CaptureNotes implements FindingSink {
  private readonly first = new Map<string, { finding: Finding; count: number }>();
  private readonly notes: ReadonlyMap<string, RuleInfo>;

  constructor(
    private readonly inner: FindingSink,
    rules: readonly RuleInfo[],
  ) {
    this.notes = new Map(rules.filter((r) => r.note !== undefined).map((r) => [r.id, r]));
  }

  add(f: Finding): void {
    if (!this.notes.has(f.rule)) {
      this.inner.add(f);
      return;
    }
    const seen = this.first.get(f.rule);
    if (seen) seen.count++;
    else this.first.set(f.rule, { finding: f, count: 1 });
  }

  /** Say each note once (at its first occurrence's place), in the order first seen. */
  flush(): void {
    for (const [id, { finding, count }] of this.first) {
      const rule = this.notes.get(id)!;
      this.inner.add({
        ...finding,
        severity: "info",
        message: `capture note: ${rule.note} (${count} time${count === 1 ? "" : "s"}; the first: ${finding.message})`,
        occurrences: count,
      });
    }
    this.first.clear();
  }
}
