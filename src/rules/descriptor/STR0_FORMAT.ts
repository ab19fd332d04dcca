// String 0 is the LANGID array: bLength ≥ 4 and even, type STRING (USB 2.0 §9.6.7 Table 9-15).
// Covers the malformed-reply half of Linux message.c STR0_BAD ("string descriptor 0 malformed").
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { DescriptorType } from "../../usb/descriptorTypes.js";

export const info: RuleInfo = {
  id: "STR0_FORMAT",
  severity: "error",
  spec: "USB 2.0 §9.6.7; ELL TD9.8; K-MSG (STR0_BAD)",
  title: "string descriptor 0 is a well-formed LANGID list",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const h = ctx.device.strings.get(0);
  if (!h) return [];
  const s = h.descriptor;
  const where = { descriptor: "string", index: 0 };
  const out: RuleHit[] = [];
  if (h.transfer.setup.wLength >= 4 && s.length < 4)
    out.push(
      hit(
        info,
        ctx,
        h.transfer,
        `string descriptor 0 reply is ${s.length} byte${s.length === 1 ? "" : "s"}, too short for one LANGID`,
        where,
      ),
    );
  else if (s.length >= 2 && (s.bLength < 4 || s.bLength & 1))
    out.push(
      hit(
        info,
        ctx,
        h.transfer,
        `string descriptor 0 bLength is ${s.bLength}; it must be even and at least 4`,
        { ...where, field: "bLength" },
      ),
    );
  if (s.length >= 2 && s.bDescriptorType !== DescriptorType.STRING)
    out.push(
      hit(
        info,
        ctx,
        h.transfer,
        `string descriptor 0 bDescriptorType is 0x${s.bDescriptorType.toString(16)}, must be 0x03 (STRING)`,
        { ...where, field: "bDescriptorType" },
      ),
    );
  return out;
}
