// SET_ADDRESS must succeed (USB 2.0 §9.4.6; Linux hub.c "device not accepting address %d, error %d").
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { statusText } from "./helpers.js";
import { Request, STANDARD_DEVICE_OUT } from "../../usb/requests.js";

export const info: RuleInfo = {
  id: "ENUM_SET_ADDRESS_FAIL",
  severity: "error",
  spec: "USB 2.0 §9.4.6; K-HUB hub_set_address",
  title: "the device accepts SET_ADDRESS",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const tries = ctx.device.transfers.filter(
    (ct) => ct.setup.bmRequestType === STANDARD_DEVICE_OUT && ct.setup.bRequest === Request.SET_ADDRESS,
  );
  if (tries.length === 0 || tries.some((ct) => ct.status === "ok")) return [];
  const last = tries[tries.length - 1]!;
  return [
    {
      ...hit(
        info,
        ctx,
        last,
        `SET_ADDRESS ${last.setup.wValue} failed on all ${tries.length} tr${tries.length === 1 ? "y" : "ies"} (last one ${statusText(last)}); the device never left address ${last.address}`,
      ),
      // Every failed try is told here, with the last one's status.
      explains: tries.map((c) => c.index),
    },
  ];
}
