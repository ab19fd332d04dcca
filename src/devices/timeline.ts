// Enumeration timeline: the standard requests of a device in order, with the time between steps
// (USB 2.0 §9.2.6 gives the timing budget: SET_ADDRESS 50 ms, descriptor reads 500 ms, §9.2.6.3).
import type { ControlStatus, Timestamp } from "../usb/model.js";
import { descriptorTypeName } from "../usb/descriptorTypes.js";
import { Request, requestTypeBits } from "../usb/requests.js";
import type { UsbDevice } from "./device.js";
import { msBetween } from "../usb/time.js";

export interface EnumerationStep {
  /** e.g. "GET_DESCRIPTOR DEVICE (wLength 64)", "SET_ADDRESS 5", "SET_CONFIGURATION 1". */
  step: string;
  time: Timestamp;
  /** Record index of the SETUP (or submission URB). */
  packet: number;
  address: number;
  status: ControlStatus;
  /** Data-stage bytes seen. */
  length: number;
  /** Milliseconds since the previous step (absent for the first). */
  sincePreviousMs?: number;
}

export function requestText(
  bmRequestType: number,
  bRequest: number,
  wValue: number,
  wIndex: number,
  wLength: number,
): string {
  if (requestTypeBits(bmRequestType) !== 0) return `class/vendor request 0x${bRequest.toString(16)}`;
  switch (bRequest) {
    case Request.GET_DESCRIPTOR:
      return `GET_DESCRIPTOR ${descriptorTypeName(wValue >> 8)}${(wValue & 0xff) !== 0 || wValue >> 8 === 3 ? ` ${wValue & 0xff}` : ""} (wLength ${wLength})`;
    case Request.SET_ADDRESS:
      return `SET_ADDRESS ${wValue}`;
    case Request.SET_CONFIGURATION:
      return `SET_CONFIGURATION ${wValue}`;
    case Request.SET_INTERFACE:
      return `SET_INTERFACE ${wIndex} alt ${wValue}`;
    case Request.GET_CONFIGURATION:
      return "GET_CONFIGURATION";
    case Request.GET_INTERFACE:
      return `GET_INTERFACE ${wIndex}`;
    case Request.GET_STATUS:
      return "GET_STATUS";
    case Request.CLEAR_FEATURE:
      return `CLEAR_FEATURE ${wValue}`;
    case Request.SET_FEATURE:
      return `SET_FEATURE ${wValue}`;
    default:
      return `request ${bRequest}`;
  }
}

/** The standard (chapter 9) requests of a device, in order; class and vendor requests are left out. */
export function enumerationTimeline(d: UsbDevice, max = 256): EnumerationStep[] {
  const steps: EnumerationStep[] = [];
  let prev: Timestamp | undefined;
  for (const ct of d.transfers) {
    const s = ct.setup;
    if (requestTypeBits(s.bmRequestType) !== 0) continue;
    const step: EnumerationStep = {
      step: requestText(s.bmRequestType, s.bRequest, s.wValue, s.wIndex, s.wLength),
      time: ct.start,
      packet: ct.firstPacket,
      address: ct.address,
      status: ct.status,
      length: ct.data.length,
    };
    if (prev) step.sincePreviousMs = Math.round(msBetween(prev, ct.start) * 1000) / 1000;
    prev = ct.start;
    steps.push(step);
    if (steps.length >= max) break;
  }
  return steps;
}
