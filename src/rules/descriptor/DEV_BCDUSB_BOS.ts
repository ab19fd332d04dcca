// A device with bcdUSB ≥ 0x0201 must answer GET_DESCRIPTOR(BOS) (USB 2.0 LPM ECN; Linux hub.c reads BOS
// for bcdUSB ≥ 0x0201). A malformed BOS is BOS_INVALID.
import type { RuleInfo } from "../../usb/finding.js";
import { hex4 } from "../../usb/bytes.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { deviceDesc, failed, statusText } from "./helpers.js";
import { DescriptorType } from "../../usb/descriptorTypes.js";

export const info: RuleInfo = {
  id: "DEV_BCDUSB_BOS",
  severity: "error",
  spec: "USB 2.0 LPM ECN; K-HUB; K-TEST",
  title: "a device with bcdUSB ≥ 0x0201 answers GET_DESCRIPTOR(BOS)",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const h = deviceDesc(ctx.device, 4);
  if (!h || h.descriptor.bcdUSB < 0x0201) return [];
  if (ctx.device.bos) return [];
  const out: RuleHit[] = [];
  for (const r of ctx.device.reads) {
    if (r.type !== DescriptorType.BOS || !failed(r.transfer)) continue;
    out.push(
      hit(
        info,
        ctx,
        r.transfer,
        `bcdUSB is 0x${hex4(h.descriptor.bcdUSB)} (≥ 0x0201) but GET_DESCRIPTOR(BOS) ${statusText(r.transfer)}`,
        { descriptor: "device", field: "bcdUSB" },
      ),
    );
    break;
  }
  return out;
}
