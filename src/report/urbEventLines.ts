// One URB event (a submission, completion or submission error of usbmon or USBPcap) as `usbscope packets`
// prints it: a line in the spirit of tshark's summary, or a JSON object.
//
//        5      0.000412000 C 1.4.1  IN  interrupt   ok                      8
//   index  time since first S/C/E bus.device.endpoint, direction, type, status, length
import type { UrbEvent } from "../urb/urbEvent.js";
import { urbStatusWords } from "../urb/status.js";
import { requestName } from "../usb/requests.js";
import { isoTime } from "../usb/time.js";
import { hexString } from "./hexDump.js";

const LETTER = { submit: "S", complete: "C", error: "E" } as const;

/** The status as a line shows it: "-" for a submission, "ok" for success, else the status in short words. */
function shortStatus(ev: UrbEvent): string {
  if (ev.kind === "submit") return "-";
  const words = urbStatusWords(ev.status, ev.source);
  if (words === "0 success" || words.startsWith("USBD_STATUS_SUCCESS")) return "ok";
  // "-32 EPIPE (endpoint stalled)" → "-32 EPIPE"; "USBD_STATUS_STALL_PID (0xc0000004)" → "USBD_STATUS_STALL_PID".
  return words.replace(/ \(.*\)$/, "");
}

function typeName(ev: UrbEvent): string {
  if (ev.transferType !== undefined) return ev.transferType;
  // USBPcap's pseudo transfers (USBPcap.h): 0xFE IRP information, 0xFF unknown.
  return ev.xferType === 0xfe ? "irp-info" : `type-0x${ev.xferType.toString(16)}`;
}

/** `bus.device.endpoint`, as Wireshark writes a host capture's addresses. */
export function urbWhere(ev: UrbEvent): string {
  return `${ev.bus}.${ev.device}.${ev.endpoint & 0x0f}`;
}

/** The text line of one event; `seconds` is its time since the capture's first record. */
export function urbEventText(index: number, seconds: number, ev: UrbEvent): string {
  const dir = ev.endpoint & 0x80 ? "IN" : "OUT";
  const request = ev.setup !== undefined ? ` ${requestName(ev.setup)}` : "";
  return `${String(index).padStart(8)} ${seconds.toFixed(9).padStart(16)} ${LETTER[ev.kind]} ${urbWhere(ev).padEnd(9)} ${dir.padEnd(3)} ${typeName(ev).padEnd(11)} ${shortStatus(ev).padEnd(24)} ${String(ev.length).padStart(5)}${request}`;
}

/** The JSON object of one event (`packets --json`); `data` (hex) only when asked for. */
export function urbEventJson(
  index: number,
  ev: UrbEvent,
  withData: boolean,
  linktype?: number,
): Record<string, unknown> {
  const o: Record<string, unknown> = {
    index,
    time: isoTime(ev.time),
    urb: LETTER[ev.kind],
    id: ev.id,
    bus: ev.bus,
    device: ev.device,
    endpoint: ev.endpoint & 0x0f,
    direction: ev.endpoint & 0x80 ? "in" : "out",
    transferType: typeName(ev),
    status: ev.kind === "submit" ? "submitted" : urbStatusWords(ev.status, ev.source),
    urbStatus: ev.status,
    length: ev.length,
    captured: ev.dataCaptured,
  };
  if (linktype !== undefined) o.linktype = linktype;
  if (ev.setup !== undefined) {
    o.setup = ev.setup;
    o.request = requestName(ev.setup);
  }
  if (ev.numberOfPackets !== undefined) o.isoPackets = ev.numberOfPackets;
  if (ev.iso !== undefined) o.iso = ev.iso;
  if (withData) o.data = hexString(ev.data);
  return o;
}
