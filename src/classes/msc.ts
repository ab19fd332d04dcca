// Mass storage class requests (USB Mass Storage Class Bulk-Only Transport 1.0 §3.1, §3.2; CBI 1.1 §2.2):
// Bulk-Only Mass Storage Reset, Get Max LUN, and CBI's Accept Device-Specific Command.
import type { SetupPacket } from "../usb/model.js";
import { decoded, unknownCode, type DecodedRequest } from "./decoded.js";

export const MSC_REQUESTS: Record<number, string> = {
  0x00: "Accept Device-Specific Command",
  0xfc: "Get Requests",
  0xfd: "Put Requests",
  0xfe: "Get Max LUN",
  0xff: "Bulk-Only Mass Storage Reset",
};

export function mscRequest(setup: SetupPacket, data: Uint8Array | undefined): DecodedRequest {
  const name = MSC_REQUESTS[setup.bRequest] ?? unknownCode(setup.bRequest);
  const iface = setup.wIndex & 0xff;
  const fields: Record<string, number | string | boolean> = { interface: iface };
  let summary: string | undefined;
  if (setup.bRequest === 0xfe && data && data.length >= 1) {
    // BOT 1.0 §3.2: the highest LUN number; a device with one LUN answers 0.
    fields.maxLun = data[0]!;
    summary = `max LUN ${data[0]}: ${data[0]! + 1} LUN${data[0] === 0 ? "" : "s"}`;
  }
  return decoded("mass storage", name, `interface ${iface}`, fields, summary);
}
