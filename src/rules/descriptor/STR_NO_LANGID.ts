// A device that uses string indexes must return string 0 (the LANGIDs); only a device without strings may STALL it
// (USB 2.0 §9.6.7; Keil "String Descriptor"). Covers the STALL half of Linux message.c STR0_BAD.
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { statusText, stringIndexes } from "./helpers.js";
import { DescriptorType } from "../../usb/descriptorTypes.js";

export const info: RuleInfo = {
  id: "STR_NO_LANGID",
  severity: "error",
  spec: "USB 2.0 §9.6.7; S967; KEIL-S; K-MSG (STR0_BAD)",
  title: "string 0 is returned when any string index is used",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const d = ctx.device;
  if (d.strings.has(0)) return [];
  const r = d.reads.find(
    (r) => r.type === DescriptorType.STRING && r.index === 0 && r.transfer.status === "stall",
  );
  if (!r) return [];
  const used = stringIndexes(d);
  if (used.length === 0) return [];
  return [
    hit(
      info,
      ctx,
      r.transfer,
      `GET_DESCRIPTOR(STRING 0) ${statusText(r.transfer)} but the descriptors use string indexes (${used.map((u) => `${u.field} = ${u.index}`).join(", ")})`,
      { descriptor: "string", index: 0 },
    ),
  ];
}
