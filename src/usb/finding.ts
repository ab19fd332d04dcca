// A finding: what a rule saw, in plain words, where (record, device, endpoint) and why (the spec).
// Every layer makes findings through `finding()` from its rules' fixed facts (RuleInfo).
import type { DeviceAddr, EndpointAddr } from "./ids.js";
import type { Timestamp } from "./model.js";

export type Severity = "error" | "warning" | "info";

/** A finding as the JSON contract defines it (time is kept as a Timestamp until reported). */
export interface Finding {
  /** Stable rule ID from RULES.md, e.g. "CRC16", "TOGGLE_BULK_INT". */
  rule: string;
  severity: Severity;
  /** Plain words: what went wrong, with the values seen. */
  message: string;
  time?: Timestamp;
  /** 0-based index of the record in the capture file (Wireshark frame number - 1). */
  packet?: number;
  /** Byte offset in the file, for framing errors and malformed records. */
  offset?: number;
  transaction?: number;
  transfer?: number;
  /** Device address (or usbmon devnum). */
  device?: DeviceAddr;
  /** Endpoint address, direction bit included (0x81 is endpoint 1 IN). */
  endpoint?: EndpointAddr;
  /** Spec section or kernel source, e.g. "USB 2.0 §9.6.3". */
  spec?: string;
  /** A capture note (captureNotes.ts): how many times the capture showed it; the finding is said once. */
  occurrences?: number;
}

export interface FindingSink {
  add(finding: Finding): void;
}

/** A rule's fixed facts: its stable ID from RULES.md, severity and source (STYLE convention 10). */
export interface RuleInfo {
  id: string;
  severity: Severity;
  /** Spec section or source, e.g. "USB 2.0 §8.3.5.2; WS-LL ei_wrong_crc16". */
  spec: string;
  /** One line: what the rule checks. */
  title: string;
  /**
   * The rule is about what the capture tool could not record, not about the device: its findings are one capture
   * note (captureNotes.ts), info, with this text saying what could not be checked.
   */
  note?: string;
  /**
   * The other severities the rule reports with, besides `severity` (its usual one): a toggle repeat that is a
   * legal retransmission is info, a low-speed bInterval below 10 ms a warning. `usbscope rules` lists them all.
   */
  otherSeverities?: readonly Severity[];
}

const SEVERITY_ORDER: readonly Severity[] = ["error", "warning", "info"];

/** Every severity `rule` reports with, most severe first: a capture note (RuleInfo.note) is always info. */
export function severitiesOf(rule: RuleInfo): Severity[] {
  if (rule.note !== undefined) return ["info"];
  const all = new Set<Severity>([rule.severity, ...(rule.otherSeverities ?? [])]);
  return SEVERITY_ORDER.filter((s) => all.has(s));
}

/** Where a finding points: everything but the rule's own facts and the message. */
export type FindingPlace = Omit<Finding, "rule" | "severity" | "message" | "spec" | "occurrences">;

/** Build a finding for `rule`; `extra` carries packet, time, device, endpoint... */
export function finding(
  rule: RuleInfo,
  message: string,
  extra: FindingPlace = {},
  severity: Severity = rule.severity,
): Finding {
  return { rule: rule.id, severity, message, spec: rule.spec, ...extra };
}
