// Speed guess from descriptors when the link type does not say (LINKTYPE 288, URB captures).
// Clues: HS bulk endpoints are 512 bytes and HS EP0 is 64 (USB 2.0 §5.8.3, §5.5.3); FS bulk ≤ 64;
// only HS-capable devices answer GET_DESCRIPTOR(DEVICE_QUALIFIER) (§9.6.2); LS EP0 is 8 (§5.5.3).
import type { Speed } from "../usb/model.js";
import type { SpeedGuess, UsbDevice } from "./device.js";
import { endpointType, maxPacketBytes } from "../descriptors/endpoint.js";
import { DescriptorType } from "../usb/descriptorTypes.js";

export function guessSpeed(d: UsbDevice, link: Speed): SpeedGuess {
  // A device reached through SPLIT transactions is not at the link's (high) speed (§11.14).
  if (d.ownSpeed) return { speed: d.ownSpeed, reason: "from the S bit of its SPLIT transactions" };
  if (link !== "unknown") return { speed: link, reason: "from the link type" };
  const dev = d.device?.descriptor;
  let bulkMax = 0;
  let bulkSeen = false;
  for (const c of d.configurations.values()) {
    for (const i of c.descriptor.interfaces) {
      for (const e of i.endpoints) {
        if (endpointType(e.bmAttributes) !== "bulk") continue;
        bulkSeen = true;
        bulkMax = Math.max(bulkMax, maxPacketBytes(e.wMaxPacketSize));
      }
    }
  }
  if (bulkSeen && bulkMax === 512) return { speed: "high", reason: "bulk endpoints have wMaxPacketSize 512" };
  if (bulkSeen && bulkMax <= 64)
    return { speed: "full", reason: `bulk endpoints have wMaxPacketSize ${bulkMax} (≤ 64)` };
  // The qualifier describes the other speed (§9.6.2): a high-speed EP0 there means this one is full speed.
  const q = d.qualifier?.descriptor;
  if (
    q &&
    q.bDescriptorType === DescriptorType.DEVICE_QUALIFIER &&
    d.qualifier!.transfer.data.length >= 8 &&
    dev &&
    dev.length >= 8 &&
    q.bMaxPacketSize0 === 64 &&
    dev.bMaxPacketSize0 !== 64
  )
    return {
      speed: "full",
      reason: `device qualifier says bMaxPacketSize0 ${q.bMaxPacketSize0} at the other speed, ${dev.bMaxPacketSize0} now`,
    };
  // A full-speed-only device STALLs the qualifier (§9.6.2); a USB 2.0 device that does so is not running at high speed.
  const qStalled = d.reads.some(
    (r) => r.type === DescriptorType.DEVICE_QUALIFIER && r.transfer.status === "stall",
  );
  if (qStalled && dev && dev.length >= 8 && dev.bMaxPacketSize0 !== 8 && !d.qualifier)
    return { speed: "full", reason: "it STALLs GET_DESCRIPTOR(DEVICE_QUALIFIER): a full-speed-only device" };
  if (dev && dev.length >= 8) {
    if (dev.bMaxPacketSize0 === 16 || dev.bMaxPacketSize0 === 32)
      return { speed: "full", reason: `bMaxPacketSize0 ${dev.bMaxPacketSize0} is a full-speed size` };
    if (dev.length >= 4 && dev.bcdUSB < 0x0200 && dev.bMaxPacketSize0 !== 8)
      return { speed: "full", reason: `bcdUSB ${dev.bcdUSB.toString(16)} predates high speed` };
  }
  return { speed: "unknown", reason: "descriptors do not tell" };
}
