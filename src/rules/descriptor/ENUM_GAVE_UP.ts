// The host retries enumeration and then gives up (Linux hub.c "unable to enumerate USB device"): a device seen
// from address 0 whose enumeration requests failed and that never reached the configured state.
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { statusText } from "./helpers.js";
import { DescriptorType } from "../../usb/descriptorTypes.js";
import { Request, RequestType, requestTypeBits } from "../../usb/requests.js";

export const info: RuleInfo = {
  id: "ENUM_GAVE_UP",
  severity: "error",
  spec: "USB 2.0 §9.1.2; K-HUB hub_port_connect",
  title: "an enumeration with failed requests ends configured",
};

/** An outcome: silent when the failed requests it rests on are told by their own rules (DescriptorRule.outcome). */
export const outcome = true;

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const d = ctx.device;
  if (!d.enumerationSeen || d.state === "configured") return [];
  const failures = d.transfers.filter(
    (ct) =>
      ct.status !== "ok" &&
      requestTypeBits(ct.setup.bmRequestType) === RequestType.STANDARD &&
      (ct.setup.bRequest === Request.SET_ADDRESS ||
        ct.setup.bRequest === Request.GET_DESCRIPTOR ||
        ct.setup.bRequest === Request.SET_CONFIGURATION),
  );
  // A 64-byte probe cut short by a reset after 8+ bytes is normal host behaviour, not a failure.
  const real = failures.filter(
    (ct) =>
      !(
        ct.setup.bRequest === Request.GET_DESCRIPTOR &&
        ct.setup.wValue >> 8 === DescriptorType.DEVICE &&
        ct.data.length >= 8 &&
        ct.status === "incomplete"
      ),
  );
  if (real.length === 0) return [];
  const last = real[real.length - 1]!;
  return [
    {
      ...hit(
        info,
        ctx,
        last,
        `the device never reached the configured state: ${real.length} enumeration request${real.length === 1 ? "" : "s"} failed (records ${real
          .slice(0, 8)
          .map((c) => c.firstPacket)
          .join(
            ", ",
          )}${real.length > 8 ? ", …" : ""}; the last, ${last.request}, ${statusText(last)}); it stayed ${d.state}${d.address ? ` at address ${d.address}` : " at address 0"}`,
      ),
      // Every failed try is told here, with the last one's status.
      explains: real.map((c) => c.index),
    },
  ];
}
