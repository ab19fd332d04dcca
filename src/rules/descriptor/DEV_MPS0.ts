// EP0 max packet size: 8, 16, 32 or 64 at full speed, 8 at low speed, 64 at high speed (USB 2.0 §5.5.3,
// §9.6.1). Also covers Linux hub.c "Invalid ep0 maxpacket" (ENUM_EP0_MPS_INVALID) and "Using ep0 maxpacket"
// (ENUM_EP0_MPS_HS).
import type { RuleInfo } from "../rule.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { deviceDesc } from "./helpers.js";

export const info: RuleInfo = { id: "DEV_MPS0", severity: "error", spec: "USB 2.0 §5.5.3, §9.6.1; S553; KEIL-C; K-HUB (ENUM_EP0_MPS_INVALID, ENUM_EP0_MPS_HS)", title: "bMaxPacketSize0 is valid for the speed" };

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const h = deviceDesc(ctx.device, 8);
  if (!h) return [];
  const m = h.descriptor.bMaxPacketSize0;
  const where = { descriptor: "device", field: "bMaxPacketSize0" };
  if (m !== 8 && m !== 16 && m !== 32 && m !== 64) return [hit(info, ctx, h.transfer, `bMaxPacketSize0 is ${m}; it must be 8, 16, 32 or 64`, where)];
  if (ctx.speed === "low" && m !== 8) return [hit(info, ctx, h.transfer, `bMaxPacketSize0 is ${m} on a low-speed device; it must be 8`, where)];
  if (ctx.speed === "high" && m !== 64) return [hit(info, ctx, h.transfer, `bMaxPacketSize0 is ${m} on a high-speed device; it must be 64`, where)];
  return [];
}
