// Human names for control requests (USB 2.0 §9.4, Tables 9-4, 9-5, 9-6).
import type { SetupPacket } from "../model.js";

/** Table 9-4 bRequest codes. */
export enum StandardRequest {
  GET_STATUS = 0, CLEAR_FEATURE = 1, SET_FEATURE = 3, SET_ADDRESS = 5, GET_DESCRIPTOR = 6, SET_DESCRIPTOR = 7,
  GET_CONFIGURATION = 8, SET_CONFIGURATION = 9, GET_INTERFACE = 10, SET_INTERFACE = 11, SYNCH_FRAME = 12,
}

/** Table 9-5 descriptor types (plus the USB 2.0 ECN / 3.x ones a USB 2.0 host asks for). */
const DESCRIPTOR_TYPES: Record<number, string> = {
  1: "DEVICE", 2: "CONFIGURATION", 3: "STRING", 4: "INTERFACE", 5: "ENDPOINT", 6: "DEVICE_QUALIFIER",
  7: "OTHER_SPEED_CONFIGURATION", 8: "INTERFACE_POWER", 9: "OTG", 10: "DEBUG", 11: "INTERFACE_ASSOCIATION", 15: "BOS",
  0x21: "HID", 0x22: "HID_REPORT", 0x29: "HUB",
};

/** Table 9-6 feature selectors. */
const FEATURES: Record<number, string> = { 0: "ENDPOINT_HALT", 1: "DEVICE_REMOTE_WAKEUP", 2: "TEST_MODE" };

const RECIPIENTS = ["device", "interface", "endpoint", "other"];

const hex = (v: number, digits: number) => "0x" + v.toString(16).padStart(digits, "0");

export const isDeviceToHost = (s: SetupPacket) => (s.bmRequestType & 0x80) !== 0;
/** bmRequestType bits 6..5: 0 standard, 1 class, 2 vendor, 3 reserved. */
export const requestTypeOf = (s: SetupPacket) => (s.bmRequestType >> 5) & 3;
export const recipientOf = (s: SetupPacket) => s.bmRequestType & 0x1f;

/** The 8 SETUP bytes at `b[o]` (§9.3, little-endian words). */
export function readSetup(b: Uint8Array, o: number): SetupPacket {
  return { bmRequestType: b[o], bRequest: b[o + 1], wValue: b[o + 2] | (b[o + 3] << 8), wIndex: b[o + 4] | (b[o + 5] << 8), wLength: b[o + 6] | (b[o + 7] << 8) };
}

/** Name a request: "GET_DESCRIPTOR DEVICE", "SET_ADDRESS 5", "class IN 0x01 wValue=... ". */
export function requestName(setup: SetupPacket): string {
  const type = requestTypeOf(setup);
  const dir = isDeviceToHost(setup) ? "IN" : "OUT";
  const recipient = RECIPIENTS[recipientOf(setup)] ?? `recipient ${recipientOf(setup)}`;
  if (type !== 0) {
    const kind = type === 1 ? "class" : type === 2 ? "vendor" : "reserved";
    return `${kind} ${dir} ${hex(setup.bRequest, 2)} to ${recipient} wValue=${hex(setup.wValue, 4)} wIndex=${hex(setup.wIndex, 4)} wLength=${setup.wLength}`;
  }
  const descType = setup.wValue >> 8;
  const descIndex = setup.wValue & 0xff;
  switch (setup.bRequest) {
    case StandardRequest.GET_DESCRIPTOR:
    case StandardRequest.SET_DESCRIPTOR: {
      const name = setup.bRequest === StandardRequest.GET_DESCRIPTOR ? "GET_DESCRIPTOR" : "SET_DESCRIPTOR";
      const t = DESCRIPTOR_TYPES[descType] ?? `type ${hex(descType, 2)}`;
      const idx = descIndex !== 0 || descType === 2 || descType === 3 ? ` index ${descIndex}` : "";
      const lang = descType === 3 && descIndex !== 0 ? ` language ${hex(setup.wIndex, 4)}` : "";
      return `${name} ${t}${idx}${lang}`;
    }
    case StandardRequest.SET_ADDRESS:
      return `SET_ADDRESS ${setup.wValue}`;
    case StandardRequest.SET_CONFIGURATION:
      return `SET_CONFIGURATION ${setup.wValue}`;
    case StandardRequest.GET_CONFIGURATION:
      return "GET_CONFIGURATION";
    case StandardRequest.GET_STATUS:
      return `GET_STATUS ${recipient}${recipient === "device" ? "" : ` ${setup.wIndex}`}`;
    case StandardRequest.CLEAR_FEATURE:
    case StandardRequest.SET_FEATURE: {
      const name = setup.bRequest === StandardRequest.CLEAR_FEATURE ? "CLEAR_FEATURE" : "SET_FEATURE";
      const f = FEATURES[setup.wValue] ?? `feature ${setup.wValue}`;
      const target = recipient === "endpoint" ? ` endpoint ${hex(setup.wIndex & 0xff, 2)}` : recipient === "interface" ? ` interface ${setup.wIndex}` : "";
      return `${name} ${f}${target}`;
    }
    case StandardRequest.SET_INTERFACE:
      return `SET_INTERFACE ${setup.wIndex} alt ${setup.wValue}`;
    case StandardRequest.GET_INTERFACE:
      return `GET_INTERFACE ${setup.wIndex}`;
    case StandardRequest.SYNCH_FRAME:
      return `SYNCH_FRAME endpoint ${hex(setup.wIndex & 0xff, 2)}`;
    default:
      return `standard ${dir} ${hex(setup.bRequest, 2)} to ${recipient} wValue=${hex(setup.wValue, 4)} wIndex=${hex(setup.wIndex, 4)} wLength=${setup.wLength}`;
  }
}
