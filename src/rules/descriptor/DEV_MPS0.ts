// EP0 max packet size: 8, 16, 32 or 64 at full speed, 8 at low speed, 64 at high speed (USB 2.0 §5.5.3,
// §9.6.1). Also covers Linux hub.c "Invalid ep0 maxpacket" (ENUM_EP0_MPS_INVALID) and "Using ep0 maxpacket"
// (ENUM_EP0_MPS_HS), and the bMaxPacketSize0 half of ENUM_DEVDESC_PROBE_FAIL (get_bMaxPacketSize0). Every device
// descriptor read is checked, not only the one kept, so a bad first reply is not hidden by a later good one.
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { DescriptorType } from "../../usb/descriptorTypes.js";

export const info: RuleInfo = {
  id: "DEV_MPS0",
  severity: "error",
  spec: "USB 2.0 §5.5.3, §9.6.1; S553; KEIL-C; K-HUB (ENUM_EP0_MPS_INVALID, ENUM_EP0_MPS_HS, get_bMaxPacketSize0)",
  title: "bMaxPacketSize0 is valid for the speed",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const where = { descriptor: "device", field: "bMaxPacketSize0" };
  const seen = new Set<number>();
  const out: RuleHit[] = [];
  for (const h of ctx.device.deviceReads) {
    if (h.descriptor.length < 8 || h.descriptor.bDescriptorType !== DescriptorType.DEVICE) continue;
    const m = h.descriptor.bMaxPacketSize0;
    if (seen.has(m)) continue;
    seen.add(m);
    // A SuperSpeed device (bcdUSB ≥ 3.0, seen on a host capture) gives an exponent: 9 means 512 bytes
    // (USB 3.2 §9.6.1; Linux get_bMaxPacketSize0 accepts 9). Not a USB 2.0 fault.
    if (m === 9 && h.descriptor.length >= 4 && h.descriptor.bcdUSB >= 0x0300) continue;
    if (m !== 8 && m !== 16 && m !== 32 && m !== 64)
      out.push(hit(info, ctx, h.transfer, `bMaxPacketSize0 is ${m}; it must be 8, 16, 32 or 64`, where));
    else if (ctx.speed === "low" && m !== 8)
      out.push(
        hit(info, ctx, h.transfer, `bMaxPacketSize0 is ${m} on a low-speed device; it must be 8`, where),
      );
    else if (ctx.speed === "high" && m !== 64)
      out.push(
        hit(info, ctx, h.transfer, `bMaxPacketSize0 is ${m} on a high-speed device; it must be 64`, where),
      );
  }
  return out;
}
