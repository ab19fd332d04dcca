// The full 18-byte device descriptor read must succeed (Linux hub.c "device descriptor read/all, error %d").
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { statusText } from "./helpers.js";
import { DescriptorType } from "../../usb/descriptorTypes.js";
import { Recipient, recipientBits } from "../../usb/requests.js";

export const info: RuleInfo = {
  id: "ENUM_DEVDESC_ALL_FAIL",
  severity: "error",
  spec: "USB 2.0 §9.4.3; K-HUB usb_get_device_descriptor",
  title: "the 18-byte device descriptor read succeeds",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const r of ctx.device.reads) {
    const ct = r.transfer;
    if (
      r.type !== DescriptorType.DEVICE ||
      ct.setup.wLength !== 18 ||
      recipientBits(ct.setup.bmRequestType) !== Recipient.DEVICE
    )
      continue;
    if (ct.status !== "ok")
      out.push(
        hit(
          info,
          ctx,
          ct,
          `GET_DESCRIPTOR(DEVICE) for 18 bytes ${statusText(ct)}${ct.data.length ? ` after ${ct.data.length} bytes` : ""}`,
          { descriptor: "device" },
        ),
      );
    else if (ct.data.length < 18)
      out.push(
        hit(info, ctx, ct, `GET_DESCRIPTOR(DEVICE) for 18 bytes returned only ${ct.data.length}`, {
          descriptor: "device",
        }),
      );
  }
  return out;
}
