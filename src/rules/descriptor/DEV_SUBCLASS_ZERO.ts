// USB 2.0 §9.6.1: "If the bDeviceClass field is reset to zero, this field must also be reset to zero."
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { deviceDesc } from "./helpers.js";

export const info: RuleInfo = {
  id: "DEV_SUBCLASS_ZERO",
  severity: "error",
  spec: "USB 2.0 §9.6.1; ELL TD9.1",
  title: "bDeviceSubClass is 0 when bDeviceClass is 0",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const h = deviceDesc(ctx.device, 7);
  if (!h || h.descriptor.bDeviceClass !== 0 || h.descriptor.bDeviceSubClass === 0) return [];
  return [
    hit(
      info,
      ctx,
      h.transfer,
      `bDeviceClass is 0 but bDeviceSubClass is ${h.descriptor.bDeviceSubClass} (must be 0)`,
      { descriptor: "device", field: "bDeviceSubClass" },
    ),
  ];
}
