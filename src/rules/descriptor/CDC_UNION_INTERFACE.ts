// A CDC Union functional descriptor names the function's control interface and its subordinate interfaces
// (CDC 1.2 §5.2.3.2, Table 16): each must be an interface of the configuration. Linux's cdc-acm and the
// usbnet CDC drivers look the named interfaces up and give up when one is missing (drivers/usb/class/
// cdc-acm.c acm_probe: "no interfaces"), so the serial port or network interface never appears.
import type { RuleInfo } from "../../usb/finding.js";
import { UsbClass } from "../../descriptors/classes.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, configs } from "./helpers.js";
import { firstSettings, unionOf } from "./functions.js";

export const info: RuleInfo = {
  id: "CDC_UNION_INTERFACE",
  severity: "error",
  spec: "CDC 1.2 §5.2.3.2 Table 16; Linux drivers/usb/class/cdc-acm.c",
  title: "a CDC Union descriptor names a control or subordinate interface the configuration does not have",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const c of configs(ctx.device)) {
    const cfg = c.config;
    // A set the capture or the device cut short may lack interfaces that exist.
    if (cfg.truncated || cfg.invalidAt) continue;
    const ifs = firstSettings(cfg);
    const have = new Set(ifs.map((i) => i.bInterfaceNumber));
    const list = [...have].sort((a, b) => a - b).join(", ");
    for (const i of ifs) {
      if (i.bInterfaceClass !== UsbClass.COMM) continue;
      const u = unionOf(i);
      if (!u) continue;
      const named: [string, number][] = [
        ["bControlInterface", u.control],
        ...u.subordinates.map((n): [string, number] => ["bSubordinateInterface", n]),
      ];
      for (const [field, n] of named) {
        if (have.has(n)) continue;
        const role = field === "bControlInterface" ? "control" : "subordinate";
        out.push(
          hit(
            info,
            ctx,
            c.transfer,
            `${cfgName(cfg)}: the Union descriptor of interface ${i.bInterfaceNumber} (communication) names interface ${n} as its ${role} interface (${field}), but the configuration has no interface ${n} (it has ${list}); Linux's CDC drivers then find no ${role === "control" ? "control" : "data"} interface and do not bind the function`,
            { descriptor: "configuration", config: c.index, offset: u.descriptor.offset, field },
          ),
        );
      }
    }
  }
  return out;
}
