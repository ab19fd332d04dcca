// Device qualifier (USB 2.0 §9.6.2): 10 bytes of type 6, bMaxPacketSize0 valid at the other speed; a high-speed
// device must return it ("a full-speed only device ... must respond with a request error", §9.6.2).
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { failed, statusText } from "./helpers.js";
import { DescriptorType } from "../../usb/descriptorTypes.js";

export const info: RuleInfo = {
  id: "QUALIFIER",
  severity: "error",
  spec: "USB 2.0 §9.6.2; K-CH9; WS-USB; K-TEST",
  title: "device qualifier is well formed, and a high-speed device returns it",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  const q = ctx.device.qualifier;
  if (q && q.descriptor.raw.length >= 2) {
    const d = q.descriptor;
    if (d.bLength !== 10)
      out.push(
        hit(info, ctx, q.transfer, `device qualifier bLength is ${d.bLength}, must be 10`, {
          descriptor: "qualifier",
          field: "bLength",
        }),
      );
    if (d.bDescriptorType !== DescriptorType.DEVICE_QUALIFIER)
      out.push(
        hit(
          info,
          ctx,
          q.transfer,
          `device qualifier bDescriptorType is 0x${d.bDescriptorType.toString(16)}, must be 0x06`,
          { descriptor: "qualifier", field: "bDescriptorType" },
        ),
      );
    if (q.transfer.data.length >= 8) {
      const m = d.bMaxPacketSize0;
      // The qualifier describes the other speed: full speed when running high, high when running full.
      const ok = ctx.speed === "full" ? m === 64 : m === 8 || m === 16 || m === 32 || m === 64;
      if (!ok)
        out.push(
          hit(
            info,
            ctx,
            q.transfer,
            `device qualifier bMaxPacketSize0 is ${m}, not valid at the other speed`,
            { descriptor: "qualifier", field: "bMaxPacketSize0" },
          ),
        );
    }
  } else if (ctx.speed === "high") {
    const r = ctx.device.reads.find((r) => r.type === DescriptorType.DEVICE_QUALIFIER && failed(r.transfer));
    if (r)
      out.push(
        hit(
          info,
          ctx,
          r.transfer,
          `the device runs at high speed but GET_DESCRIPTOR(DEVICE_QUALIFIER) ${statusText(r.transfer)}`,
        ),
      );
  }
  return out;
}
