// A high-speed hub talks to full- and low-speed devices through its transaction translator (USB 2.0 §11.14,
// §11.23.1: bDeviceProtocol 1 single TT, 2 multi TT). A hub running at high speed that reports protocol 0 (the
// full-speed hub code) leaves Linux with hub->tt unset, so every FS/LS device below it fails with "parent hub
// has no TT" (K-HUB hub_port_init). The capture shows the hub's descriptor, not the topology, so the rule flags
// the hub whose children cannot enumerate.
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { deviceDesc } from "./helpers.js";

export const info: RuleInfo = {
  id: "ENUM_NO_TT",
  severity: "error",
  spec: "USB 2.0 §11.14, §11.23.1; K-HUB hub_port_init",
  title: "a high-speed hub has a transaction translator for full/low-speed devices",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  if (ctx.speed !== "high") return [];
  const h = deviceDesc(ctx.device, 7);
  if (!h || h.descriptor.bDeviceClass !== 0x09 || h.descriptor.bDeviceProtocol !== 0) return [];
  return [
    hit(
      info,
      ctx,
      h.transfer,
      "hub runs at high speed but bDeviceProtocol is 0 (no transaction translator): full- and low-speed devices below it cannot be enumerated",
      { descriptor: "device", field: "bDeviceProtocol" },
    ),
  ];
}
