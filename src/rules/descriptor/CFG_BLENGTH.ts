// Configuration header: 9 bytes, type CONFIGURATION (2) or OTHER_SPEED_CONFIGURATION (7) (USB 2.0 §9.6.3, §9.6.4).
// Covers Linux config.c "invalid descriptor for config index" (CFG_HEADER_INVALID).
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { DescriptorType } from "../../usb/descriptorTypes.js";

export const info: RuleInfo = {
  id: "CFG_BLENGTH",
  severity: "error",
  spec: "USB 2.0 §9.6.3; K-TEST is_good_config; K-CFG (CFG_HEADER_INVALID)",
  title: "configuration bLength is 9 and the type is CONFIGURATION or OTHER_SPEED_CONFIGURATION",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const [index, h] of [...ctx.device.configurations, ...ctx.device.otherSpeed]) {
    const c = h.descriptor;
    if (c.length < 2) continue;
    const where = { descriptor: "configuration", config: index, offset: 0 };
    if (c.bLength !== 9)
      out.push(
        hit(info, ctx, h.transfer, `configuration index ${index}: bLength is ${c.bLength}, must be 9`, {
          ...where,
          field: "bLength",
        }),
      );
    if (
      c.bDescriptorType !== DescriptorType.CONFIGURATION &&
      c.bDescriptorType !== DescriptorType.OTHER_SPEED_CONFIGURATION
    )
      out.push(
        hit(
          info,
          ctx,
          h.transfer,
          `configuration index ${index}: bDescriptorType is 0x${c.bDescriptorType.toString(16)}, must be 0x02 (CONFIGURATION) or 0x07`,
          { ...where, field: "bDescriptorType" },
        ),
      );
  }
  return out;
}
