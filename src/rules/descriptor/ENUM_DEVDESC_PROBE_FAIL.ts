// The first device-descriptor read (64 bytes at address 0; old scheme: 8 bytes after SET_ADDRESS) must return a
// DEVICE descriptor (Linux hub.c hub_port_init / get_bMaxPacketSize0: "device descriptor read/64, error %d").
// Its other condition, a bMaxPacketSize0 the host cannot use, is the same as DEV_MPS0's and is reported there.
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { statusText } from "./helpers.js";
import { DescriptorType } from "../../usb/descriptorTypes.js";
import { Recipient, recipientBits } from "../../usb/requests.js";

export const info: RuleInfo = {
  id: "ENUM_DEVDESC_PROBE_FAIL",
  severity: "error",
  spec: "USB 2.0 §9.1.2; K-HUB get_bMaxPacketSize0",
  title: "the first device-descriptor read returns a DEVICE descriptor",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const r of ctx.device.reads) {
    const ct = r.transfer;
    if (r.type !== DescriptorType.DEVICE || recipientBits(ct.setup.bmRequestType) !== Recipient.DEVICE)
      continue;
    const probe = (ct.address === 0 && ct.setup.wLength === 64) || ct.setup.wLength === 8;
    if (!probe) continue;
    const b = ct.data;
    const read = `GET_DESCRIPTOR(DEVICE) with wLength ${ct.setup.wLength} at address ${ct.address}`;
    // Windows and Linux reset after the first packet of the 64-byte read, so an unfinished status stage with 8+ bytes is normal.
    if (b.length < 8)
      out.push(
        hit(
          info,
          ctx,
          ct,
          `${read} ${ct.status === "ok" ? `returned only ${b.length} bytes` : statusText(ct)}${b.length && ct.status !== "ok" ? ` after ${b.length} bytes` : ""}`,
          { descriptor: "device" },
        ),
      );
    else if (b[1] !== 1)
      out.push(
        hit(
          info,
          ctx,
          ct,
          `${read} returned a descriptor of type 0x${b[1]!.toString(16)}, not DEVICE (0x01)`,
          { descriptor: "device", field: "bDescriptorType" },
        ),
      );
  }
  return out;
}
