// bmAttributes D7 is reserved and "must be set to one for historical reasons" (USB 2.0 §9.6.3; ch9.h USB_CONFIG_ATT_ONE).
import type { RuleInfo } from "../../usb/finding.js";
import { hex2 } from "../../usb/bytes.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, configs } from "./helpers.js";

export const info: RuleInfo = {
  id: "CFG_ATTR_D7",
  severity: "warning",
  spec: "USB 2.0 §9.6.3; K-CH9 USB_CONFIG_ATT_ONE; K-TEST",
  title: "configuration bmAttributes bit 7 is set",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  return configs(ctx.device)
    .filter((c) => (c.config.bmAttributes & 0x80) === 0)
    .map((c) =>
      hit(
        info,
        ctx,
        c.transfer,
        `${cfgName(c.config)}: bmAttributes is 0x${hex2(c.config.bmAttributes)}, bit 7 must be set`,
        { descriptor: "configuration", config: c.index, offset: 0, field: "bmAttributes" },
      ),
    );
}
