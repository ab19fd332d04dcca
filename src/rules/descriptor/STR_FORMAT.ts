// String descriptors (USB 2.0 §9.6.7 Table 9-16): bLength even and ≥ 2, type STRING, UNICODE text "not
// NULL-terminated". Covers Linux message.c STR_WRONG_TYPE. A reply shorter or longer than bLength is CTRL_DESC_TRUNCATION.
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { DescriptorType } from "../../usb/descriptorTypes.js";

export const info: RuleInfo = {
  id: "STR_FORMAT",
  severity: "error",
  spec: "USB 2.0 §9.6.7; ELL TD9.8; KEIL-S; WS-USB; K-MSG (STR_WRONG_TYPE)",
  title: "string descriptors are well formed UTF-16LE without NUL",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const [index, h] of ctx.device.strings) {
    if (index === 0) continue;
    const s = h.descriptor;
    if (s.length < 2) continue;
    const where = { descriptor: "string", index };
    if (s.bDescriptorType !== DescriptorType.STRING)
      out.push(
        hit(
          info,
          ctx,
          h.transfer,
          `string ${index}: bDescriptorType is 0x${s.bDescriptorType.toString(16)}, must be 0x03 (STRING)`,
          { ...where, field: "bDescriptorType" },
        ),
      );
    if (s.bLength < 2 || s.bLength & 1)
      out.push(
        hit(
          info,
          ctx,
          h.transfer,
          `string ${index}: bLength is ${s.bLength}; it must be even and at least 2`,
          { ...where, field: "bLength" },
        ),
      );
    if (s.text && s.text.includes("\u0000"))
      out.push(
        hit(
          info,
          ctx,
          h.transfer,
          `string ${index} contains a NUL character at position ${s.text.indexOf("\u0000")} (strings are not NUL-terminated)`,
          where,
        ),
      );
  }
  return out;
}
