// Devices that use IADs report class EF/02/01 so Windows loads the composite driver (Microsoft, "USB Interface
// Association Descriptor"; IAD ECN §2).
import type { RuleInfo } from "../../usb/finding.js";
import { hex2 } from "../../usb/bytes.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, configs, deviceDesc } from "./helpers.js";

export const info: RuleInfo = {
  id: "DEV_IAD_CLASS",
  severity: "warning",
  spec: "IAD ECN; MS-IAD",
  title: "a device with IADs has class triple EF/02/01",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const h = deviceDesc(ctx.device, 7);
  if (!h) return [];
  const d = h.descriptor;
  if (d.bDeviceClass === 0xef && d.bDeviceSubClass === 0x02 && d.bDeviceProtocol === 0x01) return [];
  for (const c of configs(ctx.device)) {
    if (c.config.associations.length === 0) continue;
    return [
      hit(
        info,
        ctx,
        h.transfer,
        `${cfgName(c.config)} has ${c.config.associations.length} interface association descriptor(s) but the device class is ${hex2(d.bDeviceClass)}/${hex2(d.bDeviceSubClass)}/${hex2(d.bDeviceProtocol)}, not EF/02/01`,
        { descriptor: "device", field: "bDeviceClass" },
      ),
    ];
  }
  return [];
}
