// bMaxPacketSize0 is fixed for a device; a change between reads (across a reset) breaks the host's EP0 setup
// (Linux hub.c "device reset changed ep0 maxpacket size!").
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { DescriptorType } from "../../usb/descriptorTypes.js";

export const info: RuleInfo = {
  id: "ENUM_EP0_MPS_CHANGED",
  severity: "error",
  spec: "K-HUB hub_port_init",
  title: "bMaxPacketSize0 is the same in every device descriptor read",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const reads = ctx.device.deviceReads.filter(
    (h) => h.descriptor.length >= 8 && h.descriptor.bDescriptorType === DescriptorType.DEVICE,
  );
  const first = reads[0];
  if (!first) return [];
  for (const h of reads) {
    if (h.descriptor.bMaxPacketSize0 !== first.descriptor.bMaxPacketSize0)
      return [
        hit(
          info,
          ctx,
          h.transfer,
          `bMaxPacketSize0 changed from ${first.descriptor.bMaxPacketSize0} (record ${first.transfer.firstPacket}) to ${h.descriptor.bMaxPacketSize0}`,
          { descriptor: "device", field: "bMaxPacketSize0" },
        ),
      ];
  }
  return [];
}
