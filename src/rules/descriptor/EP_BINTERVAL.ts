// bInterval (USB 2.0 §9.6.6 Table 9-13): interrupt 1–255 ms at full/low speed (low speed below 10 ms is a
// warning: 10 ms is the official minimum, Axelson), 1–16 (2^(n-1) microframes) at high speed; isochronous 1–16.
// High-speed bulk/control OUT use it as a NAK rate and any value is allowed. Covers Linux config.c EP_BINTERVAL_RANGE;
// a high-speed interrupt value above 16 is EP_BINTERVAL_HS_MS.
import type { RuleInfo } from "../../usb/finding.js";
import { endpointType } from "../../descriptors/endpoint.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, endpoints, epName, ifName } from "./helpers.js";

export const info: RuleInfo = {
  id: "EP_BINTERVAL",
  severity: "error",
  otherSeverities: ["warning"], // low speed below 10 ms
  spec: "USB 2.0 §9.6.6; AXL-I; K-CFG (EP_BINTERVAL_RANGE)",
  title: "bInterval is in range for the endpoint type and speed",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const x of endpoints(ctx.device)) {
    const type = endpointType(x.ep.bmAttributes);
    const v = x.ep.bInterval;
    const say = (why: string, sev = info.severity) =>
      out.push(
        hit(
          info,
          ctx,
          x.transfer,
          `${cfgName(x.config)} ${ifName(x.iface)} ${type} ${epName(x.ep)}: bInterval ${v} ${why}`,
          { descriptor: "configuration", config: x.index, offset: x.ep.offset, field: "bInterval" },
          sev,
        ),
      );
    if (type === "isochronous" && (v < 1 || v > 16))
      say("is outside 1..16 (isochronous: period 2^(bInterval-1))");
    else if (type === "interrupt") {
      if (v === 0) say("is 0; interrupt endpoints need 1..255 (full/low speed) or 1..16 (high speed)");
      else if (ctx.speed === "low" && v < 10)
        say("is below 10 ms, the minimum for low-speed interrupt endpoints", "warning");
    }
  }
  return out;
}
