// A configuration set holds interface, endpoint, IAD, OTG/interface-power and class or vendor descriptors only
// (USB 2.0 §9.4.3). Covers Linux config.c "contains an unexpected descriptor" (CFG_UNEXPECTED_DESC).
import type { RuleInfo } from "../../usb/finding.js";
import { descriptorTypeName } from "../../usb/descriptorTypes.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, configs } from "./helpers.js";

export const info: RuleInfo = {
  id: "CFG_CONTENTS",
  severity: "error",
  spec: "USB 2.0 §9.4.3; ELL TD9.2; K-CFG (CFG_UNEXPECTED_DESC)",
  title: "only interface, endpoint, IAD and class-specific descriptors follow a configuration",
};

/** Standard types that never belong inside a configuration set. */
const FORBIDDEN = new Set([0x00, 0x01, 0x02, 0x03, 0x06, 0x07, 0x0f, 0x10]);

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const c of configs(ctx.device)) {
    for (const d of c.config.descriptors) {
      if (!FORBIDDEN.has(d.bDescriptorType)) continue;
      out.push(
        hit(
          info,
          ctx,
          c.transfer,
          `${cfgName(c.config)} contains a ${descriptorTypeName(d.bDescriptorType)} descriptor (type 0x${d.bDescriptorType.toString(16)}) at offset ${d.offset}`,
          { descriptor: "configuration", config: c.index, offset: d.offset, field: "bDescriptorType" },
        ),
      );
    }
  }
  return out;
}
