// USB 2.0 §9.6.1: a device descriptor is 18 bytes of type DEVICE (1).
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { DescriptorType } from "../../usb/descriptorTypes.js";

export const info: RuleInfo = {
  id: "DEV_BLENGTH",
  severity: "error",
  spec: "USB 2.0 §9.6.1; K-CH9; ELL TD9.1",
  title: "device descriptor bLength is 18 and bDescriptorType is DEVICE",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const h = ctx.device.device;
  if (!h || h.descriptor.length < 2) return [];
  const d = h.descriptor;
  const out: RuleHit[] = [];
  if (d.bLength !== 18)
    out.push(
      hit(info, ctx, h.transfer, `device descriptor bLength is ${d.bLength}, must be 18`, {
        descriptor: "device",
        field: "bLength",
      }),
    );
  if (d.bDescriptorType !== DescriptorType.DEVICE)
    out.push(
      hit(
        info,
        ctx,
        h.transfer,
        `device descriptor bDescriptorType is 0x${d.bDescriptorType.toString(16)}, must be 0x01 (DEVICE)`,
        { descriptor: "device", field: "bDescriptorType" },
      ),
    );
  return out;
}
