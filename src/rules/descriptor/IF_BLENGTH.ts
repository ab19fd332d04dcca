// An interface descriptor is 9 bytes (USB 2.0 §9.6.5; Linux config.c "invalid interface descriptor of length").
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, configs } from "./helpers.js";

export const info: RuleInfo = {
  id: "IF_BLENGTH",
  severity: "error",
  spec: "USB 2.0 §9.6.5; K-CFG",
  title: "interface descriptor bLength is at least 9",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const c of configs(ctx.device))
    for (const i of c.config.interfaces)
      if (i.bLength < 9)
        out.push(
          hit(
            info,
            ctx,
            c.transfer,
            `${cfgName(c.config)}: interface descriptor at offset ${i.offset} has bLength ${i.bLength} (must be 9)`,
            { descriptor: "configuration", config: c.index, offset: i.offset, field: "bLength" },
          ),
        );
  return out;
}
