// bmAttributes D4..D0 are reserved and zero (USB 2.0 §9.6.3).
import type { RuleInfo } from "../../usb/finding.js";
import { hex2 } from "../../usb/bytes.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, configs } from "./helpers.js";

export const info: RuleInfo = {
  id: "CFG_ATTR_RESERVED",
  severity: "error",
  spec: "USB 2.0 §9.6.3; K-TEST; WWH",
  title: "configuration bmAttributes bits 4..0 are zero",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  return configs(ctx.device)
    .filter((c) => (c.config.bmAttributes & 0x1f) !== 0)
    .map((c) =>
      hit(
        info,
        ctx,
        c.transfer,
        `${cfgName(c.config)}: bmAttributes is 0x${hex2(c.config.bmAttributes)}, reserved bits 4..0 are 0x${hex2(c.config.bmAttributes & 0x1f)} (must be 0)`,
        { descriptor: "configuration", config: c.index, offset: 0, field: "bmAttributes" },
      ),
    );
}
