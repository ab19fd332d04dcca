// At high speed an interrupt bInterval is an exponent 1..16 (period 2^(bInterval-1) microframes); a larger value
// is probably a full-speed millisecond count copied over (Linux config.c comment on bInterval).
import type { RuleInfo } from "../../usb/finding.js";
import { endpointType } from "../../descriptors/endpoint.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, endpoints, epName, ifName } from "./helpers.js";

export const info: RuleInfo = {
  id: "EP_BINTERVAL_HS_MS",
  severity: "warning",
  spec: "USB 2.0 §9.6.6; K-CFG",
  title: "high-speed interrupt bInterval is an exponent (≤ 16), not milliseconds",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  if (ctx.speed !== "high") return [];
  const out: RuleHit[] = [];
  for (const x of endpoints(ctx.device)) {
    if (endpointType(x.ep.bmAttributes) !== "interrupt" || x.ep.bInterval <= 16) continue;
    out.push(
      hit(
        info,
        ctx,
        x.transfer,
        `${cfgName(x.config)} ${ifName(x.iface)} interrupt ${epName(x.ep)}: bInterval is ${x.ep.bInterval}, above 16 at high speed: probably a full-speed millisecond value (high speed uses 2^(bInterval-1) microframes)`,
        { descriptor: "configuration", config: x.index, offset: x.ep.offset, field: "bInterval" },
      ),
    );
  }
  return out;
}
