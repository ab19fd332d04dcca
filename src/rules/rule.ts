import type { Finding, Severity } from "../model.js";

/** A rule's fixed facts: its stable ID from RULES.md, severity and source (STYLE convention 10). */
export interface RuleInfo {
  id: string;
  severity: Severity;
  /** Spec section or source, e.g. "USB 2.0 §8.3.5.2; WS-LL ei_wrong_crc16". */
  spec: string;
  /** One line: what the rule checks. */
  title: string;
}

/** Build a finding for `rule`; `extra` carries packet, time, device, endpoint... */
export function finding(rule: RuleInfo, message: string, extra: Omit<Finding, "rule" | "severity" | "message" | "spec"> = {}, severity: Severity = rule.severity): Finding {
  return { rule: rule.id, severity, message, spec: rule.spec, ...extra };
}
