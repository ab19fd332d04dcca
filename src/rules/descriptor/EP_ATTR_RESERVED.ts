// bmAttributes bits 7..6 are reserved; bits 5..2 (sync and usage type) are reserved for non-isochronous
// endpoints (USB 2.0 §9.6.6).
import type { RuleInfo } from "../../usb/finding.js";
import { hex2 } from "../../usb/bytes.js";
import { endpointType } from "../../descriptors/endpoint.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, endpoints, epName, ifName } from "./helpers.js";

export const info: RuleInfo = {
  id: "EP_ATTR_RESERVED",
  severity: "error",
  spec: "USB 2.0 §9.6.6; USB 3.2 §9.6.6; ELL TD9.5",
  title: "endpoint bmAttributes reserved bits are zero",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  // USB 3.x §9.6.6 gives interrupt endpoints a usage type in bits 5..4 (periodic / notification).
  const usb3 =
    (ctx.device.device?.descriptor.length ?? 0) >= 4 && ctx.device.device!.descriptor.bcdUSB >= 0x0300;
  for (const x of endpoints(ctx.device)) {
    const a = x.ep.bmAttributes;
    const type = endpointType(a);
    const reserved = type === "isochronous" ? 0 : type === "interrupt" && usb3 ? a & 0x0c : a & 0x3c;
    const bad =
      a & 0xc0
        ? "bits 7..6 are set"
        : reserved
          ? `bits 5..2 are 0x${hex2((a >> 2) & 0xf)} on a ${type} endpoint (only isochronous endpoints use them)`
          : "";
    if (bad)
      out.push(
        hit(
          info,
          ctx,
          x.transfer,
          `${cfgName(x.config)} ${ifName(x.iface)} ${epName(x.ep)}: bmAttributes is 0x${hex2(a)}, reserved ${bad}`,
          { descriptor: "configuration", config: x.index, offset: x.ep.offset, field: "bmAttributes" },
        ),
      );
  }
  return out;
}
