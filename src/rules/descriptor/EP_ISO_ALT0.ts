// "All devices with isochronous endpoints must have a zero-bandwidth default interface setting" (USB 2.0 §5.6.3).
import type { RuleInfo } from "../../usb/finding.js";
import { endpointType, maxPacketBytes } from "../../descriptors/endpoint.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, endpoints, epName } from "./helpers.js";

export const info: RuleInfo = {
  id: "EP_ISO_ALT0",
  severity: "warning",
  spec: "USB 2.0 §5.6.3; K-CFG",
  title: "isochronous endpoints reserve no bandwidth in alternate setting 0",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const x of endpoints(ctx.device)) {
    if (
      x.iface.bAlternateSetting !== 0 ||
      endpointType(x.ep.bmAttributes) !== "isochronous" ||
      maxPacketBytes(x.ep.wMaxPacketSize) === 0
    )
      continue;
    out.push(
      hit(
        info,
        ctx,
        x.transfer,
        `${cfgName(x.config)} interface ${x.iface.bInterfaceNumber} alt 0 has isochronous ${epName(x.ep)} with wMaxPacketSize ${maxPacketBytes(x.ep.wMaxPacketSize)}; the default setting should reserve no bandwidth`,
        { descriptor: "configuration", config: x.index, offset: x.ep.offset, field: "wMaxPacketSize" },
      ),
    );
  }
  return out;
}
