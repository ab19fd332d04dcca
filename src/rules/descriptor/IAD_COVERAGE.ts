// An IAD groups exactly the interfaces of its function (IAD ECN §1; MS-IAD): Windows' composite driver
// hands the function's class driver the interfaces the IAD names and no others. When the function's own
// list (the CDC Union descriptor, CDC 1.2 §5.2.3.2; the UAC1 AC header's baInterfaceNr, Audio 1.0 §4.3.2;
// the VC header's baInterfaceNr, UVC 1.1 §3.7.2) names an interface outside the IAD, that driver does not
// get it; an interface inside the IAD the list does not name is taken from the driver of its own class.
// Linux follows the Union and the AC/VC header, so the device works there: a warning.
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, configs } from "./helpers.js";
import { firstSettings, iadsOver, multiInterfaceFunctions, roleList } from "./functions.js";

export const info: RuleInfo = {
  id: "IAD_COVERAGE",
  severity: "warning",
  spec: "IAD ECN; MS-IAD; CDC 1.2 §5.2.3.2; Audio 1.0 §4.3.2; UVC 1.1 §3.7.2",
  title: "an IAD does not group exactly the interfaces its function's Union descriptor or AC/VC header names",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const c of configs(ctx.device)) {
    const cfg = c.config;
    if (cfg.truncated || cfg.invalidAt) continue;
    const have = new Set(firstSettings(cfg).map((i) => i.bInterfaceNumber));
    for (const f of multiInterfaceFunctions(cfg)) {
      if (!f.listed) continue; // UAC2: the IAD is the list
      const [a] = iadsOver(cfg, [f.control.bInterfaceNumber]).concat(iadsOver(cfg, f.members));
      if (!a) continue; // IAD_MISSING
      const last = a.bFirstInterface + a.bInterfaceCount - 1;
      const inside = (n: number) => n >= a.bFirstInterface && n <= last;
      const outside = f.members.filter((n) => !inside(n));
      const extra = [...have].filter((n) => inside(n) && !f.named.includes(n)).sort((x, y) => x - y);
      if (outside.length === 0 && extra.length === 0) continue;
      const group =
        a.bInterfaceCount === 1
          ? `interface ${a.bFirstInterface}`
          : `interfaces ${a.bFirstInterface}..${last}`;
      const parts: string[] = [];
      if (outside.length)
        parts.push(
          `${roleList(cfg, outside)} ${outside.length > 1 ? "are" : "is"} outside it, so Windows does not give ${outside.length > 1 ? "them" : "it"} to the function's driver`,
        );
      if (extra.length)
        parts.push(
          `${roleList(cfg, extra)} ${extra.length > 1 ? "are" : "is"} inside it though ${f.joinedBy.replace(/^its /, "the ")} does not name ${extra.length > 1 ? "them" : "it"}, so Windows hands ${extra.length > 1 ? "them" : "it"} to the function's driver instead of ${extra.length > 1 ? "their" : "its"} own`,
        );
      out.push(
        hit(
          info,
          ctx,
          c.transfer,
          `${cfgName(cfg)}: the IAD at offset ${a.offset} groups ${group}, but the ${f.kind} function's ${f.joinedBy.replace(/^its /, "")} names ${roleList(cfg, f.members)}: ${parts.join("; ")} (Linux follows the ${f.joinedBy.replace(/^its /, "")})`,
          { descriptor: "configuration", config: c.index, offset: a.offset, field: "bInterfaceCount" },
        ),
      );
    }
  }
  return out;
}
