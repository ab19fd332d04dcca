// bNumInterfaces is the number of interfaces (not alternate settings) in the configuration (USB 2.0 §9.6.3).
// Covers Linux config.c "has %d interfaces, different from the descriptor's value" (CFG_NUM_IFS_MISMATCH).
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, configs } from "./helpers.js";

export const info: RuleInfo = {
  id: "CFG_NUM_IFS",
  severity: "error",
  spec: "USB 2.0 §9.6.3; ELL TD9.2; K-CFG (CFG_NUM_IFS_MISMATCH)",
  title: "bNumInterfaces equals the number of distinct interfaces",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const c of configs(ctx.device)) {
    if (c.config.truncated) continue;
    const numbers = [
      ...new Set(c.config.interfaces.filter((i) => !i.truncated).map((i) => i.bInterfaceNumber)),
    ].sort((a, b) => a - b);
    const where = { descriptor: "configuration", config: c.index, offset: 0, field: "bNumInterfaces" };
    if (numbers.length === 0)
      out.push(
        hit(
          info,
          ctx,
          c.transfer,
          `${cfgName(c.config)} has no interface descriptors (bNumInterfaces is ${c.config.bNumInterfaces})`,
          where,
        ),
      );
    else if (numbers.length !== c.config.bNumInterfaces) {
      const h = hit(
        info,
        ctx,
        c.transfer,
        `${cfgName(c.config)}: bNumInterfaces is ${c.config.bNumInterfaces} but ${numbers.length} interface${numbers.length === 1 ? "" : "s"} follow (${numbers.join(", ")})`,
        where,
      );
      // More interfaces than declared: the pattern of an interface appended at run time (a composite
      // device adding a function after its descriptor table was built) without updating the count.
      const extra = numbers.filter((n) => n >= c.config.bNumInterfaces);
      if (numbers.length > c.config.bNumInterfaces)
        h.cause = {
          verdict: `${cfgName(c.config)}: bNumInterfaces is ${c.config.bNumInterfaces} but interfaces ${numbers.join(", ")} follow; an interface appended at run time (${extra.join(", ")}) without updating bNumInterfaces`,
          evidence: `bNumInterfaces ${c.config.bNumInterfaces} at offset 4; interface descriptors at offsets ${c.config.interfaces.map((i) => i.offset).join(", ")}`,
        };
      out.push(h);
    }
  }
  return out;
}
