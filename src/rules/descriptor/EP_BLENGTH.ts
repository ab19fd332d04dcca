// An endpoint descriptor is 7 bytes, 9 in audio interfaces (USB 2.0 §9.6.6; Audio 1.0 §4.6.1.1).
// Shared by Linux config.c ("invalid endpoint descriptor of length") and chapter 9.
import type { RuleInfo } from "../../usb/finding.js";
import { UsbClass } from "../../descriptors/classes.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, configs, epName, ifName } from "./helpers.js";

export const info: RuleInfo = {
  id: "EP_BLENGTH",
  severity: "error",
  spec: "USB 2.0 §9.6.6; K-CH9; K-CFG; ELL TD9.5",
  title: "endpoint descriptor bLength is 7 (9 for audio)",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const c of configs(ctx.device)) {
    for (const i of c.config.interfaces) {
      for (const e of i.endpoints) {
        const audio = i.bInterfaceClass === UsbClass.AUDIO;
        if (e.bLength === 7 || (e.bLength === 9 && audio)) continue;
        out.push(
          hit(
            info,
            ctx,
            c.transfer,
            `${cfgName(c.config)} ${ifName(i)} ${epName(e)}: bLength is ${e.bLength}, must be 7${audio ? " or 9" : ""}`,
            { descriptor: "configuration", config: c.index, offset: e.offset, field: "bLength" },
          ),
        );
      }
    }
  }
  return out;
}
