// USB 2.0 §9.6.1: bcdUSB is binary-coded decimal (0x0200 = 2.00).
import type { RuleInfo } from "../../usb/finding.js";
import { isBcd } from "../../usb/bcd.js";
import { hex4 } from "../../usb/bytes.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { deviceDesc } from "./helpers.js";

export const info: RuleInfo = {
  id: "DEV_BCDUSB",
  severity: "error",
  spec: "USB 2.0 §9.6.1; ELL TD9.1",
  title: "bcdUSB is a valid BCD version",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const h = deviceDesc(ctx.device, 4);
  if (!h) return [];
  const v = h.descriptor.bcdUSB;
  if (isBcd(v) && v >= 0x0100) return [];
  return [
    hit(
      info,
      ctx,
      h.transfer,
      `bcdUSB is 0x${hex4(v)}, not a valid BCD USB version (expected e.g. 0x0110, 0x0200, 0x0210)`,
      { descriptor: "device", field: "bcdUSB" },
    ),
  ];
}
