// Standard GET replies (USB 2.0 §9.4.2 GET_CONFIGURATION: one byte, the current value; §9.4.4 GET_INTERFACE: one
// byte, the current alternate setting; §9.4.5 GET_STATUS: two bytes) — usbtest ch9_postconfig.
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import {
  Request,
  RequestType,
  STANDARD_DEVICE_OUT,
  STANDARD_DEVICE_IN,
  STANDARD_INTERFACE_OUT,
  STANDARD_INTERFACE_IN,
  requestTypeBits,
} from "../../usb/requests.js";

export const info: RuleInfo = {
  id: "STD_GET_RESPONSES",
  severity: "error",
  spec: "USB 2.0 §9.4.2, §9.4.4, §9.4.5; K-TEST ch9_postconfig",
  title: "GET_CONFIGURATION, GET_INTERFACE and GET_STATUS replies have the right size and value",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  // Replay the state the device should be in at each request.
  let configuration: number | undefined;
  const alts = new Map<number, number>();
  for (const ct of ctx.device.transfers) {
    const s = ct.setup;
    if (requestTypeBits(s.bmRequestType) !== RequestType.STANDARD) continue;
    if (
      s.bmRequestType === STANDARD_DEVICE_OUT &&
      s.bRequest === Request.SET_CONFIGURATION &&
      ct.status === "ok"
    ) {
      configuration = s.wValue & 0xff;
      alts.clear();
      continue;
    }
    if (
      s.bmRequestType === STANDARD_INTERFACE_OUT &&
      s.bRequest === Request.SET_INTERFACE &&
      ct.status === "ok"
    ) {
      alts.set(s.wIndex & 0xff, s.wValue & 0xff);
      continue;
    }
    if (ct.status !== "ok" || !(s.bmRequestType & 0x80)) continue;
    const n = ct.data.length;
    if (s.bRequest === Request.GET_CONFIGURATION && s.bmRequestType === STANDARD_DEVICE_IN) {
      if (n !== 1) out.push(hit(info, ctx, ct, `GET_CONFIGURATION returned ${n} bytes; it must return 1`));
      else if (configuration !== undefined && ct.data[0] !== configuration)
        out.push(
          hit(
            info,
            ctx,
            ct,
            `GET_CONFIGURATION returned ${ct.data[0]} but the host set configuration ${configuration}`,
          ),
        );
    } else if (s.bRequest === Request.GET_INTERFACE && s.bmRequestType === STANDARD_INTERFACE_IN) {
      const iface = s.wIndex & 0xff;
      if (n !== 1)
        out.push(hit(info, ctx, ct, `GET_INTERFACE ${iface} returned ${n} bytes; it must return 1`));
      else if (configuration !== undefined && ct.data[0] !== (alts.get(iface) ?? 0))
        out.push(
          hit(
            info,
            ctx,
            ct,
            `GET_INTERFACE ${iface} returned alternate setting ${ct.data[0]} but the current one is ${alts.get(iface) ?? 0}`,
          ),
        );
    } else if (s.bRequest === Request.GET_STATUS && s.wLength >= 2 && n !== 2) {
      out.push(hit(info, ctx, ct, `GET_STATUS returned ${n} byte${n === 1 ? "" : "s"}; it must return 2`));
    }
  }
  return out;
}
