// A high-speed-capable device (it answers the device qualifier, USB 2.0 §9.6.2) running at full speed
// (Linux hub.c "not running at top speed; connect to a high speed hub").
import type { RuleInfo } from "../../usb/finding.js";
import { hex4 } from "../../usb/bytes.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { deviceDesc } from "./helpers.js";
import { DescriptorType } from "../../usb/descriptorTypes.js";

export const info: RuleInfo = {
  id: "ENUM_NOT_TOP_SPEED",
  severity: "warning",
  spec: "USB 2.0 §9.6.2; K-HUB check_highspeed",
  title: "a high-speed-capable device runs at high speed",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  if (ctx.speed !== "full") return [];
  const dev = deviceDesc(ctx.device, 4);
  const q = ctx.device.qualifier;
  if (
    !dev ||
    dev.descriptor.bcdUSB < 0x0200 ||
    !q ||
    q.transfer.status !== "ok" ||
    q.descriptor.bDescriptorType !== DescriptorType.DEVICE_QUALIFIER
  )
    return [];
  return [
    hit(
      info,
      ctx,
      q.transfer,
      `the device runs at full speed but is high-speed capable (bcdUSB 0x${hex4(dev.descriptor.bcdUSB)}, it returned a device qualifier): connect it to a high-speed port`,
      { descriptor: "qualifier" },
    ),
  ];
}
