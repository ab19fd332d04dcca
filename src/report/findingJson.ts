// A finding in JSON: its fields in the contract's order, its time as ISO 8601 with nanoseconds.
import type { Finding } from "../usb/finding.js";
import { isoTime } from "../usb/time.js";

/** A finding as printed: the same fields, its time as an ISO 8601 string. */
export type FindingJson = Omit<Finding, "time"> & { time?: string };

export function findingJson(f: Finding): FindingJson {
  const out: FindingJson = { rule: f.rule, severity: f.severity, message: f.message };
  if (f.time) out.time = isoTime(f.time);
  if (f.packet !== undefined) out.packet = f.packet;
  if (f.offset !== undefined) out.offset = f.offset;
  if (f.transaction !== undefined) out.transaction = f.transaction;
  if (f.transfer !== undefined) out.transfer = f.transfer;
  if (f.device !== undefined) out.device = f.device;
  if (f.endpoint !== undefined) out.endpoint = f.endpoint;
  if (f.spec) out.spec = f.spec;
  if (f.occurrences !== undefined) out.occurrences = f.occurrences;
  return out;
}
