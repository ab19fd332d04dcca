// Linux caps what it parses: 8 configurations (USB_MAXCONFIG), 32 interfaces (USB_MAXINTERFACES), 128 altsettings
// (USB_MAXALTSETTING), 30 endpoints (USB_MAXENDPOINTS), 16 IADs (USB_MAXIADS) (K-CFG, include/linux/usb.h).
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, configs, deviceDesc, ifName } from "./helpers.js";

export const info: RuleInfo = {
  id: "LINUX_LIMITS",
  severity: "warning",
  spec: "K-CFG; include/linux/usb.h USB_MAXCONFIG, USB_MAXINTERFACES, USB_MAXALTSETTING, USB_MAXENDPOINTS, USB_MAXIADS",
  title: "counts stay within what Linux parses",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  const dev = deviceDesc(ctx.device, 18);
  if (dev && dev.descriptor.bNumConfigurations > 8)
    out.push(
      hit(
        info,
        ctx,
        dev.transfer,
        `bNumConfigurations is ${dev.descriptor.bNumConfigurations}; Linux uses at most 8`,
        { descriptor: "device", field: "bNumConfigurations" },
      ),
    );
  for (const c of configs(ctx.device)) {
    const where = { descriptor: "configuration", config: c.index, offset: 0 };
    if (c.config.bNumInterfaces > 32)
      out.push(
        hit(
          info,
          ctx,
          c.transfer,
          `${cfgName(c.config)}: bNumInterfaces is ${c.config.bNumInterfaces}; Linux uses at most 32`,
          { ...where, field: "bNumInterfaces" },
        ),
      );
    if (c.config.associations.length > 16)
      out.push(
        hit(
          info,
          ctx,
          c.transfer,
          `${cfgName(c.config)} has ${c.config.associations.length} IADs; Linux keeps at most 16`,
          where,
        ),
      );
    const alts = new Map<number, number>();
    for (const i of c.config.interfaces) {
      alts.set(i.bInterfaceNumber, (alts.get(i.bInterfaceNumber) ?? 0) + 1);
      if (i.bNumEndpoints > 30)
        out.push(
          hit(
            info,
            ctx,
            c.transfer,
            `${cfgName(c.config)} ${ifName(i)}: bNumEndpoints is ${i.bNumEndpoints}; Linux uses at most 30`,
            { ...where, offset: i.offset, field: "bNumEndpoints" },
          ),
        );
    }
    for (const [n, count] of alts)
      if (count > 128)
        out.push(
          hit(
            info,
            ctx,
            c.transfer,
            `${cfgName(c.config)}: interface ${n} has ${count} alternate settings; Linux uses at most 128`,
            where,
          ),
        );
  }
  return out;
}
