// bMaxPower is in 2 mA units and a USB 2.0 port supplies at most 500 mA (USB 2.0 §7.2.1, §9.6.3).
// Covers Linux generic.c "insufficient available bus power" (PWR_OVER_BUDGET) for a standard 500 mA port.
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, configs } from "./helpers.js";

export const info: RuleInfo = {
  id: "CFG_MAXPOWER",
  severity: "warning",
  spec: "USB 2.0 §7.2.1, §9.6.3; WWH; K-GEN (PWR_OVER_BUDGET)",
  title: "bMaxPower is at most 250 (500 mA)",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  return configs(ctx.device)
    .filter((c) => c.config.bMaxPower > 250)
    .map((c) =>
      hit(
        info,
        ctx,
        c.transfer,
        `${cfgName(c.config)}: bMaxPower is ${c.config.bMaxPower} (${c.config.bMaxPower * 2} mA), more than the 500 mA a USB 2.0 port supplies`,
        { descriptor: "configuration", config: c.index, offset: 0, field: "bMaxPower" },
      ),
    );
}
