// What a descriptor rule sees: one device's descriptor state and its control transfers.
import type { ControlTransfer, Finding, Speed } from "../../model.js";
import { finding, type RuleInfo } from "../rule.js";
import type { UsbDevice } from "../../devices/device.js";
import type { FieldRef } from "../../descriptors/fieldRef.js";

export type { FieldRef };

export interface DescriptorRuleContext {
  device: UsbDevice;
  /** The speed limits apply to: from the link type, else the device's own clues, else "unknown". */
  speed: Speed;
  /** The speed from the link type only ("unknown" for 288 and URB captures). */
  linkSpeed: Speed;
}

export interface RuleHit {
  finding: Finding;
  where?: FieldRef;
}

export interface DescriptorRule {
  info: RuleInfo;
  check(ctx: DescriptorRuleContext): RuleHit[];
}

/** A hit located at the transfer that carried the descriptor. */
export function hit(info: RuleInfo, ctx: DescriptorRuleContext, ct: ControlTransfer, message: string, where?: FieldRef, severity = info.severity): RuleHit {
  const f = finding(info, message, { packet: ct.firstPacket, time: ct.start, device: ctx.device.address, transfer: ct.index }, severity);
  return where ? { finding: f, where } : { finding: f };
}
