// An endpoint address belongs to one interface; within an alternate setting it appears once (USB 2.0 §9.6.6;
// Linux config.c "duplicate endpoint with address"; control endpoints collide by number alone).
import type { RuleInfo } from "../../usb/finding.js";
import { endpointType } from "../../descriptors/endpoint.js";
import { hex2 } from "../../usb/bytes.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, configs, ifName } from "./helpers.js";

export const info: RuleInfo = {
  id: "EP_DUPLICATE",
  severity: "error",
  spec: "USB 2.0 §9.6.6; K-CFG; ELL TD9.5",
  title: "an endpoint address is used by one interface, once per alternate setting",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const c of configs(ctx.device)) {
    const owner = new Map<number, number>();
    for (const i of c.config.interfaces) {
      const inAlt = new Set<number>();
      for (const e of i.endpoints) {
        if (e.truncated) continue;
        const k =
          endpointType(e.bmAttributes) === "control" ? e.bEndpointAddress & 0x0f : e.bEndpointAddress & 0x8f;
        const where = {
          descriptor: "configuration",
          config: c.index,
          offset: e.offset,
          field: "bEndpointAddress",
        };
        if (inAlt.has(k))
          out.push(
            hit(
              info,
              ctx,
              c.transfer,
              `${cfgName(c.config)} ${ifName(i)}: endpoint 0x${hex2(e.bEndpointAddress)} appears twice in the same alternate setting`,
              where,
            ),
          );
        else {
          const o = owner.get(k);
          if (o !== undefined && o !== i.bInterfaceNumber)
            out.push({
              ...hit(
                info,
                ctx,
                c.transfer,
                `${cfgName(c.config)}: endpoint 0x${hex2(e.bEndpointAddress)} is used by interface ${o} and interface ${i.bInterfaceNumber}`,
                where,
              ),
              cause: {
                verdict: `${cfgName(c.config)}: endpoint 0x${hex2(e.bEndpointAddress)} is used by interfaces ${o} and ${i.bInterfaceNumber}: two functions collide on one endpoint`,
                evidence: `endpoint 0x${hex2(e.bEndpointAddress)} at offset ${e.offset}`,
              },
            });
          else owner.set(k, i.bInterfaceNumber);
        }
        inAlt.add(k);
      }
    }
  }
  return out;
}
