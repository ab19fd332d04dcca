// Every rule usbscope checks, in one list: the packet layer, transactions and transfers, URBs, and
// descriptors and enumeration. IDs are those of RULES.md (plus the few FMT_* rules usbscope adds).
import { packetRules } from "../packets/rules.js";
import { transferRules } from "../transfers/rules.js";
import { urbRules } from "../urb/rules.js";
import { descriptorRules } from "./descriptor/index.js";
import { classRules } from "../classes/rules.js";
import { severitiesOf, type RuleInfo, type Severity } from "../usb/finding.js";

export interface RegisteredRule extends RuleInfo {
  layer: "packet" | "transfer" | "urb" | "descriptor" | "class";
  /** Every severity the rule reports with, most severe first (severitiesOf). */
  severities: Severity[];
}

let registered: readonly RegisteredRule[] | undefined;

/** Every rule, built once: the rule tables are constants, and each analysis asks for the list (CaptureNotes). */
export function allRules(): readonly RegisteredRule[] {
  return (registered ??= register());
}

function register(): RegisteredRule[] {
  const rules: Omit<RegisteredRule, "severities">[] = [
    ...packetRules.map((r) => ({ ...r, layer: "packet" as const })),
    ...transferRules.map((r) => ({ ...r, layer: "transfer" as const })),
    ...urbRules.map((r) => ({ ...r, layer: "urb" as const })),
    ...descriptorRules.map((r) => ({ ...r.info, layer: "descriptor" as const })),
    ...classRules.map((r) => ({ ...r, layer: "class" as const })),
  ];
  return rules.map((r) => ({ ...r, severities: severitiesOf(r) }));
}
