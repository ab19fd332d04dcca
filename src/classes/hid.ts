// HID class requests (HID 1.11 §7.2): GET_REPORT and SET_REPORT with the report type and ID, GET_IDLE and
// SET_IDLE with the duration (4 ms units, 0 = indefinite) and report ID, GET_PROTOCOL and SET_PROTOCOL.
import type { SetupPacket } from "../usb/model.js";
import { decoded, unknownCode, type DecodedRequest } from "./decoded.js";

/** HID 1.11 §7.2 Table: bRequest. */
export const HID_REQUESTS: Record<number, string> = {
  0x01: "GET_REPORT",
  0x02: "GET_IDLE",
  0x03: "GET_PROTOCOL",
  0x09: "SET_REPORT",
  0x0a: "SET_IDLE",
  0x0b: "SET_PROTOCOL",
};

/** HID 1.11 §7.2.1: report type in wValue's high byte. */
export const REPORT_TYPES: Record<number, string> = { 1: "Input", 2: "Output", 3: "Feature" };

/** HID 1.11 §7.2.4: the idle rate in words ("indefinite", "500 ms"). */
function idleText(duration: number): string {
  return duration === 0 ? "indefinite" : `${duration * 4} ms`;
}

export function hidRequest(setup: SetupPacket, data: Uint8Array | undefined): DecodedRequest {
  const name = HID_REQUESTS[setup.bRequest] ?? unknownCode(setup.bRequest);
  const iface = setup.wIndex & 0xff;
  const fields: Record<string, number | string | boolean> = { interface: iface };
  let target = `interface ${iface}`;
  let summary: string | undefined;
  const id = setup.wValue & 0xff;
  switch (setup.bRequest) {
    case 0x01:
    case 0x09: {
      const type = setup.wValue >> 8;
      fields.reportType = REPORT_TYPES[type] ?? `reserved (${type})`;
      fields.reportId = id;
      target += ` ${fields.reportType} report${id ? ` ID ${id}` : ""}`;
      if (data && data.length > 0) summary = `${data.length} report bytes`;
      break;
    }
    case 0x02:
      fields.reportId = id;
      target += id ? ` report ID ${id}` : "";
      if (data && data.length >= 1) {
        fields.duration = data[0]!;
        summary = `idle ${idleText(data[0]!)}`;
      }
      break;
    case 0x0a: {
      const duration = setup.wValue >> 8;
      fields.duration = duration;
      fields.reportId = id;
      target += `: idle ${idleText(duration)}, ${id ? `report ID ${id}` : "all reports"}`;
      break;
    }
    case 0x03:
      if (data && data.length >= 1) {
        fields.protocol = data[0] === 0 ? "boot" : data[0] === 1 ? "report" : data[0]!;
        summary = `${fields.protocol} protocol`;
      }
      break;
    case 0x0b:
      fields.protocol = setup.wValue === 0 ? "boot" : setup.wValue === 1 ? "report" : setup.wValue;
      target += `: ${fields.protocol} protocol`;
      break;
  }
  return decoded("HID", name, target, fields, summary);
}
