// bNumEndpoints counts the endpoint descriptors of the alternate setting, EP0 excluded (USB 2.0 §9.6.5).
// Covers Linux config.c IF_NUM_EPS_MISMATCH.
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, configs, ifName } from "./helpers.js";

export const info: RuleInfo = {
  id: "IF_NUM_EPS",
  severity: "error",
  spec: "USB 2.0 §9.6.5; ELL TD9.2; K-CFG (IF_NUM_EPS_MISMATCH)",
  title: "bNumEndpoints equals the endpoint descriptors that follow",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const c of configs(ctx.device)) {
    if (c.config.truncated) continue;
    for (const i of c.config.interfaces) {
      if (i.truncated || i.endpoints.length === i.bNumEndpoints) continue;
      out.push(
        hit(
          info,
          ctx,
          c.transfer,
          `${cfgName(c.config)} ${ifName(i)}: bNumEndpoints is ${i.bNumEndpoints} but ${i.endpoints.length} endpoint descriptor${i.endpoints.length === 1 ? "" : "s"} follow`,
          { descriptor: "configuration", config: c.index, offset: i.offset, field: "bNumEndpoints" },
        ),
      );
    }
  }
  return out;
}
