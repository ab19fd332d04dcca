// BOS (USB 3.2 §9.6.2): at least 5 bytes, wTotalLength bytes returned when asked for, every capability of type
// DEVICE_CAPABILITY (0x10) with bLength ≥ 3 (Linux config.c usb_get_bos_descriptor).
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { DescriptorType } from "../../usb/descriptorTypes.js";

export const info: RuleInfo = {
  id: "BOS_INVALID",
  severity: "error",
  spec: "USB 3.2 §9.6.2; K-CFG usb_get_bos_descriptor",
  title: "BOS descriptor set is well formed",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const h = ctx.device.bos;
  if (!h) return [];
  const b = h.descriptor;
  const out: RuleHit[] = [];
  const ct = h.transfer;
  if (b.length < 5)
    out.push(
      hit(info, ctx, ct, `BOS reply is ${b.length} bytes, shorter than the 5-byte header`, {
        descriptor: "bos",
        offset: 0,
      }),
    );
  else {
    if (b.bDescriptorType !== DescriptorType.BOS)
      out.push(
        hit(info, ctx, ct, `BOS bDescriptorType is 0x${b.bDescriptorType.toString(16)}, must be 0x0F`, {
          descriptor: "bos",
          offset: 0,
          field: "bDescriptorType",
        }),
      );
    if (ct.setup.wLength >= b.wTotalLength && b.length < b.wTotalLength)
      out.push(
        hit(
          info,
          ctx,
          ct,
          `BOS wTotalLength is ${b.wTotalLength} but only ${b.length} bytes were returned to a request for ${ct.setup.wLength}`,
          { descriptor: "bos", offset: 0, field: "wTotalLength" },
        ),
      );
  }
  for (const c of b.capabilities)
    if (c.bDescriptorType !== DescriptorType.DEVICE_CAPABILITY)
      out.push(
        hit(
          info,
          ctx,
          ct,
          `BOS capability at offset ${c.offset} has bDescriptorType 0x${c.bDescriptorType.toString(16)}, must be 0x10 (DEVICE_CAPABILITY)`,
          { descriptor: "bos", offset: c.offset, field: "bDescriptorType" },
        ),
      );
  if (b.invalidAt)
    out.push(
      hit(
        info,
        ctx,
        ct,
        `BOS capability at offset ${b.invalidAt.offset} has bLength ${b.invalidAt.bLength} (less than 3); parsing stops there`,
        { descriptor: "bos", offset: b.invalidAt.offset, field: "bLength" },
      ),
    );
  return out;
}
