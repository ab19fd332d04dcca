// What a descriptor rule sees: one device's descriptor state and its control transfers.
import type { ControlTransfer } from "../../usb/model.js";
import { finding, type RuleInfo } from "../../usb/finding.js";
import type { FieldRef } from "../../descriptors/fieldRef.js";
import type { DescriptorRuleContext, RuleHit } from "../../devices/descriptorRule.js";

export type { DescriptorRule, DescriptorRuleContext, RuleHit } from "../../devices/descriptorRule.js";
export type { FieldRef };

/** A hit located at the transfer that carried the descriptor. */
export function hit(
  info: RuleInfo,
  ctx: DescriptorRuleContext,
  ct: ControlTransfer,
  message: string,
  where?: FieldRef,
  severity = info.severity,
): RuleHit {
  const f = finding(
    info,
    message,
    { packet: ct.firstPacket, time: ct.start, device: ctx.device.address, transfer: ct.index },
    severity,
  );
  return where ? { finding: f, where } : { finding: f };
}
