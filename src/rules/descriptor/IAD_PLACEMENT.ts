// IAD (IAD ECN; Microsoft "USB Interface Association Descriptor"): 8 bytes of type 0x0B, placed directly before the
// first interface it groups, and the grouped interfaces contiguous. Covers Linux config.c IAD_BLENGTH.
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, configs } from "./helpers.js";

export const info: RuleInfo = {
  id: "IAD_PLACEMENT",
  severity: "error",
  spec: "IAD ECN; MS-IAD; K-CFG (IAD_BLENGTH)",
  title: "IAD is 8 bytes, directly before its first interface, and its interfaces are contiguous",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const c of configs(ctx.device)) {
    const all = c.config.descriptors;
    for (const a of c.config.associations) {
      const name = `${cfgName(c.config)}: IAD at offset ${a.offset} (interfaces ${a.bFirstInterface}..${a.bFirstInterface + a.bInterfaceCount - 1})`;
      const where = { descriptor: "configuration", config: c.index, offset: a.offset };
      if (a.bLength !== 8)
        out.push(
          hit(info, ctx, c.transfer, `${name}: bLength is ${a.bLength}, must be 8`, {
            ...where,
            field: "bLength",
          }),
        );
      if (a.truncated) continue;
      const pos = all.indexOf(a);
      const next = all[pos + 1];
      if (
        !next ||
        next.kind !== "interface" ||
        (next as unknown as { bInterfaceNumber: number }).bInterfaceNumber !== a.bFirstInterface
      ) {
        out.push(
          hit(info, ctx, c.transfer, `${name}: not directly followed by interface ${a.bFirstInterface}`, {
            ...where,
            field: "bFirstInterface",
          }),
        );
        continue;
      }
      // Walk the interfaces after the IAD: members must come first, without an outsider between them.
      const inGroup = (n: number) => n >= a.bFirstInterface && n < a.bFirstInterface + a.bInterfaceCount;
      const seen = new Set<number>();
      let left = false;
      for (let k = pos + 1; k < all.length; k++) {
        const d = all[k]!;
        if (d.kind === "interface-association") break;
        if (d.kind !== "interface") continue;
        const n = (d as unknown as { bInterfaceNumber: number }).bInterfaceNumber;
        if (inGroup(n)) {
          if (left) {
            out.push(
              hit(
                info,
                ctx,
                c.transfer,
                `${name}: interface ${n} at offset ${d.offset} is separated from the rest of its group by another interface`,
                where,
              ),
            );
            break;
          }
          seen.add(n);
        } else left = true;
      }
      if (seen.size < a.bInterfaceCount && !c.config.truncated)
        out.push(
          hit(
            info,
            ctx,
            c.transfer,
            `${name}: only ${seen.size} of its ${a.bInterfaceCount} interfaces follow it`,
            { ...where, field: "bInterfaceCount" },
          ),
        );
    }
  }
  return out;
}
