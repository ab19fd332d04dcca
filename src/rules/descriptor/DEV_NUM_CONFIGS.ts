// A device has at least one configuration (USB 2.0 §9.6.1). Covers Linux config.c "no configurations" (DEV_NO_CONFIGS).
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { deviceDesc } from "./helpers.js";

export const info: RuleInfo = {
  id: "DEV_NUM_CONFIGS",
  severity: "error",
  spec: "USB 2.0 §9.6.1; ELL TD9.1; K-CFG (DEV_NO_CONFIGS)",
  title: "bNumConfigurations is not 0",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const h = deviceDesc(ctx.device, 18);
  if (!h || h.descriptor.bNumConfigurations !== 0) return [];
  return [
    hit(info, ctx, h.transfer, "bNumConfigurations is 0: the device offers no configuration", {
      descriptor: "device",
      field: "bNumConfigurations",
    }),
  ];
}
