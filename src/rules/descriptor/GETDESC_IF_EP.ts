// INTERFACE and ENDPOINT descriptors cannot be read directly: "only ... DEVICE, CONFIGURATION, STRING" are valid
// for GET_DESCRIPTOR (USB 2.0 §9.4.3), so the device must STALL these (usbtest ch9 subcases 7 and 11).
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { DescriptorType, descriptorTypeName } from "../../usb/descriptorTypes.js";
import { hexBytes } from "../../usb/bytes.js";

export const info: RuleInfo = {
  id: "GETDESC_IF_EP",
  severity: "error",
  spec: "USB 2.0 §9.4.3; K-TEST; WS-USB",
  title: "GET_DESCRIPTOR(INTERFACE) and GET_DESCRIPTOR(ENDPOINT) are STALLed",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const r of ctx.device.reads) {
    const ct = r.transfer;
    if ((r.type !== DescriptorType.INTERFACE && r.type !== DescriptorType.ENDPOINT) || ct.status !== "ok")
      continue;
    const name = `GET_DESCRIPTOR(${descriptorTypeName(r.type)})`;
    out.push({
      ...hit(info, ctx, ct, `${name} was answered with ${ct.data.length} bytes instead of a STALL`),
      cause: {
        verdict: `the device answered ${name} with ${ct.data.length} bytes; INTERFACE and ENDPOINT descriptors cannot be requested directly and must be STALLed (§9.4.3)`,
        evidence: `${name} returned ${hexBytes(ct.data, 24)}`,
      },
    });
  }
  return out;
}
