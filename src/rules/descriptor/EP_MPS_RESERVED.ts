// wMaxPacketSize bits 15..13 are reserved; bits 12..11 (additional transactions) only on high-speed
// interrupt and isochronous endpoints (USB 2.0 §9.6.6, §5.9).
import type { RuleInfo } from "../../usb/finding.js";
import { hex4 } from "../../usb/bytes.js";
import { endpointType } from "../../descriptors/endpoint.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, endpoints, epName, ifName } from "./helpers.js";

export const info: RuleInfo = {
  id: "EP_MPS_RESERVED",
  severity: "error",
  spec: "USB 2.0 §9.6.6, §5.9; ELL TD9.5; K-CFG",
  title: "wMaxPacketSize reserved bits are zero",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const x of endpoints(ctx.device)) {
    const w = x.ep.wMaxPacketSize;
    const type = endpointType(x.ep.bmAttributes);
    const periodic = type === "interrupt" || type === "isochronous";
    let why = "";
    if (w & 0xe000) why = "bits 15..13 are set";
    else if (w & 0x1800 && !(periodic && (ctx.speed === "high" || ctx.speed === "unknown")))
      why = `bits 12..11 (additional transactions) are set on a ${ctx.speed === "unknown" ? "" : ctx.speed + "-speed "}${type} endpoint; only high-speed interrupt and isochronous endpoints may use them`;
    if (why)
      out.push(
        hit(
          info,
          ctx,
          x.transfer,
          `${cfgName(x.config)} ${ifName(x.iface)} ${epName(x.ep)}: wMaxPacketSize is 0x${hex4(w)}, ${why}`,
          { descriptor: "configuration", config: x.index, offset: x.ep.offset, field: "wMaxPacketSize" },
        ),
      );
  }
  return out;
}
