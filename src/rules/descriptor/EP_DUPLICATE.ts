// An endpoint address belongs to one interface; within an alternate setting it appears once (USB 2.0 §9.6.6;
// Linux config.c "duplicate endpoint with address"; control endpoints collide by number alone). An interface
// descriptor that repeats an interface number and alternate setting already seen is another interface (one
// added at run time beside the built-in ones, its number colliding too): its endpoints are checked against the
// first one's like any other interface's.
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
    /** Endpoint key → the interface that first used it: its number and which interface of that number. */
    const owner = new Map<number, { number: number; instance: number }>();
    /** Interface number → the interface of that number the descriptors are at (a repeat starts another). */
    const current = new Map<number, number>();
    const alternates = new Set<string>();
    let instances = 0;
    for (const i of c.config.interfaces) {
      const alt = `${i.bInterfaceNumber}/${i.bAlternateSetting}`;
      if (alternates.has(alt) || !current.has(i.bInterfaceNumber))
        current.set(i.bInterfaceNumber, instances++);
      alternates.add(alt);
      const instance = current.get(i.bInterfaceNumber)!;
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
          const ep = `endpoint 0x${hex2(e.bEndpointAddress)}`;
          const same = o !== undefined && o.number === i.bInterfaceNumber;
          const users = same
            ? `interface ${o.number} and a second interface numbered ${o.number} (its interface number collides too)`
            : `interface ${o?.number} and interface ${i.bInterfaceNumber}`;
          if (o !== undefined && o.instance !== instance)
            out.push({
              ...hit(info, ctx, c.transfer, `${cfgName(c.config)}: ${ep} is used by ${users}`, where),
              cause: {
                verdict: `${cfgName(c.config)}: ${ep} is used by ${same ? users : `interfaces ${o.number} and ${i.bInterfaceNumber}`}: two functions collide on one endpoint`,
                evidence: `${ep} at offset ${e.offset}`,
              },
            });
          else if (o === undefined) owner.set(k, { number: i.bInterfaceNumber, instance });
        }
        inAlt.add(k);
      }
    }
  }
  return out;
}
