// Every sub-descriptor's bLength is at least 2 and stays inside the set (Linux config.c "invalid descriptor of
// length %d, skipping remainder of the config"; USB 2.0 §9.5).
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, configs } from "./helpers.js";

export const info: RuleInfo = {
  id: "DESC_BLENGTH_INVALID",
  severity: "error",
  spec: "USB 2.0 §9.5; K-CFG",
  title: "sub-descriptor bLength is at least 2 and within the configuration set",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const c of configs(ctx.device)) {
    const inv = c.config.invalidAt;
    if (inv)
      out.push(
        hit(
          info,
          ctx,
          c.transfer,
          `${cfgName(c.config)}: descriptor at offset ${inv.offset} has bLength ${inv.bLength} (less than 2); the remaining ${c.config.length - inv.offset} bytes cannot be parsed`,
          { descriptor: "configuration", config: c.index, offset: inv.offset, field: "bLength" },
        ),
      );
    const last = c.config.descriptors[c.config.descriptors.length - 1];
    // Only when the whole set was returned: a short read is a transfer problem, not a bad bLength.
    if (last && last.truncated && !c.config.truncated)
      out.push(
        hit(
          info,
          ctx,
          c.transfer,
          `${cfgName(c.config)}: descriptor at offset ${last.offset} has bLength ${last.bLength} and runs past the end of the ${c.config.length}-byte set`,
          { descriptor: "configuration", config: c.index, offset: last.offset, field: "bLength" },
        ),
      );
  }
  return out;
}
