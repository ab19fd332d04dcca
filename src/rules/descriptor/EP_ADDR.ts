// bEndpointAddress: bits 3..0 the number (not 0: EP0 has no descriptor), bits 6..4 reserved zero (USB 2.0 §9.6.6).
// Covers Linux config.c EP_ADDRESS_INVALID.
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, endpoints, epName, ifName } from "./helpers.js";

export const info: RuleInfo = {
  id: "EP_ADDR",
  severity: "error",
  spec: "USB 2.0 §9.6.6; ELL TD9.5; K-CFG (EP_ADDRESS_INVALID)",
  title: "endpoint address is not 0 and reserved bits 6..4 are zero",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const x of endpoints(ctx.device)) {
    const a = x.ep.bEndpointAddress;
    const why =
      (a & 0x0f) === 0
        ? "endpoint number 0 is the default control pipe and has no descriptor"
        : (a & 0x70) !== 0
          ? "reserved bits 6..4 are set"
          : "";
    if (why)
      out.push(
        hit(info, ctx, x.transfer, `${cfgName(x.config)} ${ifName(x.iface)} ${epName(x.ep)}: ${why}`, {
          descriptor: "configuration",
          config: x.index,
          offset: x.ep.offset,
          field: "bEndpointAddress",
        }),
      );
  }
  return out;
}
