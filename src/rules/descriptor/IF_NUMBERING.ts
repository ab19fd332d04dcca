// Interfaces are numbered 0..bNumInterfaces-1 and alternate settings 0..n-1, each (interface, alt) once
// (USB 2.0 §9.6.5). Covers Linux config.c IF_NUMBER_RANGE, IF_NUMBER_GAP, IF_ALT_GAP and IF_ALT_DUPLICATE.
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, configs } from "./helpers.js";

export const info: RuleInfo = {
  id: "IF_NUMBERING",
  severity: "error",
  spec: "USB 2.0 §9.6.5; K-CFG (IF_NUMBER_RANGE, IF_NUMBER_GAP, IF_ALT_GAP, IF_ALT_DUPLICATE); K-TEST",
  title: "interfaces are numbered 0..n-1 and alternate settings 0..m-1 without duplicates",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const c of configs(ctx.device)) {
    const name = cfgName(c.config);
    /** Interface number → alternate setting → offset of its first descriptor. */
    const alts = new Map<number, Map<number, number>>();
    for (const i of c.config.interfaces) {
      if (i.truncated) continue;
      const where = { descriptor: "configuration", config: c.index, offset: i.offset };
      let set = alts.get(i.bInterfaceNumber);
      if (!set) alts.set(i.bInterfaceNumber, (set = new Map()));
      const first = set.get(i.bAlternateSetting);
      if (first !== undefined)
        out.push({
          ...hit(
            info,
            ctx,
            c.transfer,
            `${name}: interface ${i.bInterfaceNumber} alternate setting ${i.bAlternateSetting} appears twice (second at offset ${i.offset})`,
            { ...where, field: "bAlternateSetting" },
          ),
          cause: {
            verdict: `${name}: interface ${i.bInterfaceNumber} alt ${i.bAlternateSetting} is described twice (offsets ${first} and ${i.offset}): two functions were given the same interface number`,
            evidence: `duplicate interface ${i.bInterfaceNumber}/${i.bAlternateSetting}`,
          },
        });
      else set.set(i.bAlternateSetting, i.offset);
      if (i.bInterfaceNumber >= c.config.bNumInterfaces && !c.config.truncated)
        out.push(
          hit(
            info,
            ctx,
            c.transfer,
            `${name}: bInterfaceNumber ${i.bInterfaceNumber} is not below bNumInterfaces ${c.config.bNumInterfaces}`,
            { ...where, field: "bInterfaceNumber" },
          ),
        );
    }
    if (c.config.truncated) continue;
    const count = Math.max(alts.size, 0);
    for (let n = 0; n < count; n++)
      if (!alts.has(n))
        out.push(
          hit(
            info,
            ctx,
            c.transfer,
            `${name} has no interface number ${n} (interfaces are ${[...alts.keys()].sort((a, b) => a - b).join(", ")})`,
            { descriptor: "configuration", config: c.index, offset: 0 },
          ),
        );
    for (const [n, set] of alts)
      for (let a = 0; a < set.size; a++)
        if (!set.has(a))
          out.push(
            hit(
              info,
              ctx,
              c.transfer,
              `${name}: interface ${n} has no alternate setting ${a} (it has ${[...set.keys()].sort((x, y) => x - y).join(", ")})`,
              { descriptor: "configuration", config: c.index, offset: 0 },
            ),
          );
  }
  return out;
}
