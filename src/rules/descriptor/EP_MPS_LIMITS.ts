// Max packet size limits per speed and type (USB 2.0 §5.5.3, §5.6.3, §5.7.3, §5.8.3): low speed allows only
// control and interrupt (≤ 8); full speed control/bulk 8, 16, 32 or 64, interrupt ≤ 64, iso ≤ 1023; high speed
// control 64, bulk 512, interrupt/iso ≤ 1024. Covers Linux config.c EP_MPS_TOO_BIG, EP_HS_BULK_512, EP_LS_BULK.
import type { RuleInfo } from "../../usb/finding.js";
import type { EndpointType, Speed } from "../../usb/model.js";
import { endpointType, maxPacketBytes } from "../../descriptors/endpoint.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, endpoints, epName, ifName } from "./helpers.js";

export const info: RuleInfo = {
  id: "EP_MPS_LIMITS",
  severity: "error",
  spec: "USB 2.0 §5.5.3-§5.8.3; K-CFG (EP_MPS_TOO_BIG, EP_HS_BULK_512, EP_LS_BULK); WS-USB; S553",
  title: "endpoint max packet size and type are allowed at the speed",
};

const POW2 = new Set([8, 16, 32, 64]);

/** Why `size` is not allowed for `type` at `speed`, or "" when it is. */
export function mpsProblem(speed: Speed, type: EndpointType, size: number): string {
  if (size === 0) return "";
  switch (speed) {
    case "low":
      if (type === "bulk" || type === "isochronous") return `${type} endpoints are not allowed at low speed`;
      return size > 8 ? `${size} exceeds the low-speed limit of 8` : "";
    case "full":
      if (type === "control" || type === "bulk")
        return POW2.has(size) ? "" : `full-speed ${type} max packet size must be 8, 16, 32 or 64`;
      if (type === "interrupt")
        return size > 64 ? `${size} exceeds the full-speed interrupt limit of 64` : "";
      return size > 1023 ? `${size} exceeds the full-speed isochronous limit of 1023` : "";
    case "high":
      if (type === "control") return size === 64 ? "" : "high-speed control max packet size must be 64";
      if (type === "bulk") return size === 512 ? "" : "high-speed bulk max packet size must be 512";
      return size > 1024 ? `${size} exceeds the high-speed ${type} limit of 1024` : "";
    default:
      return size > 1024 ? `${size} exceeds 1024, the largest packet at any speed` : "";
  }
}

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const x of endpoints(ctx.device)) {
    const type = endpointType(x.ep.bmAttributes);
    const size = maxPacketBytes(x.ep.wMaxPacketSize);
    const why = mpsProblem(ctx.speed, type, size);
    if (why)
      out.push(
        hit(
          info,
          ctx,
          x.transfer,
          `${cfgName(x.config)} ${ifName(x.iface)} ${type} ${epName(x.ep)}: wMaxPacketSize ${size}: ${why}`,
          { descriptor: "configuration", config: x.index, offset: x.ep.offset, field: "wMaxPacketSize" },
        ),
      );
  }
  return out;
}
