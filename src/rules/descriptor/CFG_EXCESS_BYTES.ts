// A single byte after the last descriptor cannot be a descriptor (Linux config.c "descriptor has %d excess byte").
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, configs } from "./helpers.js";

export const info: RuleInfo = {
  id: "CFG_EXCESS_BYTES",
  severity: "warning",
  spec: "K-CFG",
  title: "no stray byte after the last descriptor",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  return configs(ctx.device)
    .filter((c) => c.config.excess > 0)
    .map((c) =>
      hit(
        info,
        ctx,
        c.transfer,
        `${cfgName(c.config)} has ${c.config.excess} excess byte${c.config.excess === 1 ? "" : "s"} after the last descriptor (at offset ${c.config.length - c.config.excess})`,
        { descriptor: "configuration", config: c.index, offset: 0 },
      ),
    );
}
