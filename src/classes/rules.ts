// Rule facts of the class layer (src/classes/): mass storage Bulk-Only Transport (BOT 1.0 §5, §6); HID, DFU
// and CDC in their own files.
import type { RuleInfo } from "../usb/finding.js";
import { hidRules } from "./hidRules.js";
import { dfuRules } from "./dfuRules.js";
import { cdcRules } from "./cdcRules.js";

export const MSC_CBW_INVALID: RuleInfo = {
  id: "MSC_CBW_INVALID",
  severity: "error",
  spec: "USB MSC BOT 1.0 §5.1, §6.2.1",
  title: "a CBW that is not 31 bytes, lacks the 'USBC' signature, or has a CB length outside 1..16",
};
export const MSC_CSW_INVALID: RuleInfo = {
  id: "MSC_CSW_INVALID",
  severity: "error",
  spec: "USB MSC BOT 1.0 §5.2, §6.3",
  title: "a CSW whose signature is not 'USBS', or whose tag does not match its CBW's",
};
export const MSC_CSW_MISSING: RuleInfo = {
  id: "MSC_CSW_MISSING",
  severity: "error",
  otherSeverities: ["info"], // the capture ends before the CSW
  spec: "USB MSC BOT 1.0 §5.3, §6.7",
  title: "a command that never got its CSW before the next CBW or a reset",
};
export const MSC_PHASE_ERROR: RuleInfo = {
  id: "MSC_PHASE_ERROR",
  severity: "error",
  spec: "USB MSC BOT 1.0 §5.2 Table 5.3, §6.7",
  title: "a CSW with bCSWStatus 2, phase error: the host must reset the device",
};
export const MSC_RESIDUE: RuleInfo = {
  id: "MSC_RESIDUE",
  severity: "error",
  otherSeverities: ["info"], // a residue below the bytes not moved, or padding called residue
  spec: "USB MSC BOT 1.0 §5.2, §6.7.2, §6.7.3",
  title:
    "dCSWDataResidue inconsistent with the data moved: error above dCBWDataTransferLength; info below the bytes not moved (hosts measure it) or above them (padding)",
};
export const MSC_DATA_OVERRUN: RuleInfo = {
  id: "MSC_DATA_OVERRUN",
  severity: "error",
  spec: "USB MSC BOT 1.0 §6.7.2, §6.7.3 (cases 7, 13)",
  title: "the data phase moved more bytes than the CBW's dCBWDataTransferLength, or in the wrong direction",
};

export const classRules: readonly RuleInfo[] = [
  MSC_CBW_INVALID,
  MSC_CSW_INVALID,
  MSC_CSW_MISSING,
  MSC_PHASE_ERROR,
  MSC_RESIDUE,
  MSC_DATA_OVERRUN,
  ...hidRules,
  ...dfuRules,
  ...cdcRules,
];
