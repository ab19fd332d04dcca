// Every rule usbscope checks, in one list: the packet layer, transactions and transfers, URBs, and
// descriptors and enumeration. IDs are those of RULES.md (plus the few FMT_* rules usbscope adds).
import { packetRules } from "../packets/rules.js";
import { transferRules } from "../transfers/rules.js";
import { urbRules } from "../urb/rules.js";
import { descriptorRules } from "./descriptor/index.js";
import { classRules } from "../classes/rules.js";
import type { RuleInfo } from "../usb/finding.js";

export interface RegisteredRule extends RuleInfo {
  layer: "packet" | "transfer" | "urb" | "descriptor" | "class";
}

export function allRules(): RegisteredRule[] {
  return [
    ...packetRules.map((r) => ({ ...r, layer: "packet" as const })),
    ...transferRules.map((r) => ({ ...r, layer: "transfer" as const })),
    ...urbRules.map((r) => ({ ...r, layer: "urb" as const })),
    ...descriptorRules.map((r) => ({ ...r.info, layer: "descriptor" as const })),
    ...classRules.map((r) => ({ ...r, layer: "class" as const })),
  ];
}
