// A nonzero i* index must name a string the device returns (USB 2.0 §9.6.7; Keil "String Descriptor").
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { statusText, stringIndexes } from "./helpers.js";
import { DescriptorType } from "../../usb/descriptorTypes.js";

export const info: RuleInfo = {
  id: "STR_DANGLING_INDEX",
  severity: "error",
  spec: "USB 2.0 §9.6.7; KEIL-S; K-MSG",
  title: "every string index used is answered",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const d = ctx.device;
  const out: RuleHit[] = [];
  const done = new Set<number>();
  for (const u of stringIndexes(d)) {
    if (done.has(u.index) || d.strings.has(u.index)) continue;
    const r = d.reads.find(
      (r) => r.type === DescriptorType.STRING && r.index === u.index && r.transfer.status === "stall",
    );
    if (!r) continue;
    done.add(u.index);
    out.push(
      hit(
        info,
        ctx,
        r.transfer,
        `${u.field} is ${u.index} but GET_DESCRIPTOR(STRING ${u.index}) ${statusText(r.transfer)}`,
        { descriptor: "string", index: u.index },
      ),
    );
  }
  return out;
}
