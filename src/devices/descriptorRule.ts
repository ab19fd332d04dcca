// The contract between the descriptor layer and the descriptor rules it is given (src/rules/descriptor/):
// what a rule sees of one device, and what it returns. The rules live above this layer and are handed in
// by the analysis; this layer never imports them.
import type { Finding, RuleInfo } from "../usb/finding.js";
import type { Speed } from "../usb/model.js";
import type { FieldRef } from "../descriptors/fieldRef.js";
import type { UsbDevice } from "./device.js";

export interface DescriptorRuleContext {
  device: UsbDevice;
  /** The speed limits apply to: from the link type, else the device's own clues, else "unknown". */
  speed: Speed;
  /** The speed from the link type only ("unknown" for 288 and URB captures). */
  linkSpeed: Speed;
}

/** A finding and, when it concerns one field, where that field is in the descriptor tree. */
export interface RuleHit {
  finding: Finding;
  where?: FieldRef;
  /**
   * The firmware mistake the hit points to, in the words of the device diagnosis, when the rule knows it
   * (the diagnosis ranks these; it never detects the same condition again).
   */
  cause?: Cause;
  /**
   * Control transfers (ControlTransfer.index) whose failure the hit explains besides the one it points at
   * (finding.transfer): their own CTRL_STALL / URB_ERROR findings are not reported (one cause, one finding).
   */
  explains?: readonly number[];
}

/** A likely firmware reason: the verdict and the evidence line (at the finding's record). */
export interface Cause {
  verdict: string;
  evidence: string;
}

export interface DescriptorRule {
  info: RuleInfo;
  /**
   * The rule says what became of the enumeration (it gave up, a configuration was never read whole): its hit is
   * dropped when other rules' hits already explain every failed request it rests on (one cause, one finding).
   */
  outcome?: boolean;
  check(ctx: DescriptorRuleContext): RuleHit[];
}
