// An endpoint with wMaxPacketSize 0 can move no data; only isochronous endpoints of alternate setting 0 use it,
// to reserve no bandwidth (USB 2.0 §5.6.3; Linux config.c "invalid wMaxPacketSize 0").
import type { RuleInfo } from "../../usb/finding.js";
import { endpointType, maxPacketBytes } from "../../descriptors/endpoint.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, endpoints, epName, ifName } from "./helpers.js";

export const info: RuleInfo = {
  id: "EP_MPS_ZERO",
  severity: "warning",
  spec: "USB 2.0 §5.6.3; K-CFG",
  title: "wMaxPacketSize is not 0 (except isochronous in alternate setting 0)",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const x of endpoints(ctx.device)) {
    if (maxPacketBytes(x.ep.wMaxPacketSize) !== 0) continue;
    const type = endpointType(x.ep.bmAttributes);
    if (type === "isochronous" && x.iface.bAlternateSetting === 0) continue;
    out.push(
      hit(
        info,
        ctx,
        x.transfer,
        `${cfgName(x.config)} ${ifName(x.iface)} ${type} ${epName(x.ep)}: wMaxPacketSize is 0`,
        { descriptor: "configuration", config: x.index, offset: x.ep.offset, field: "wMaxPacketSize" },
      ),
    );
  }
  return out;
}
