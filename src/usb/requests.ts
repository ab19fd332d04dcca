// Human names for control requests (USB 2.0 §9.4, Tables 9-4, 9-5, 9-6).
import { hex } from "./bytes.js";
import { knownDescriptorTypeName } from "./descriptorTypes.js";
import { DIR_IN } from "./ids.js";
import type { SetupPacket } from "./model.js";

/** Table 9-4 bRequest codes of the standard requests. */
export const Request = {
  GET_STATUS: 0,
  CLEAR_FEATURE: 1,
  SET_FEATURE: 3,
  SET_ADDRESS: 5,
  GET_DESCRIPTOR: 6,
  SET_DESCRIPTOR: 7,
  GET_CONFIGURATION: 8,
  SET_CONFIGURATION: 9,
  GET_INTERFACE: 10,
  SET_INTERFACE: 11,
  SYNCH_FRAME: 12,
} as const;

/** bmRequestType bits 6..5 (§9.3.1 Table 9-2). */
export const RequestType = { STANDARD: 0, CLASS: 1, VENDOR: 2, RESERVED: 3 } as const;

/** bmRequestType bits 4..0 (§9.3.1 Table 9-2). */
export const Recipient = { DEVICE: 0, INTERFACE: 1, ENDPOINT: 2, OTHER: 3 } as const;

/** Table 9-6 standard feature selectors. */
export const Feature = { ENDPOINT_HALT: 0, DEVICE_REMOTE_WAKEUP: 1, TEST_MODE: 2 } as const;

/** bmRequestType from its three fields (§9.3.1). */
export function bmRequestType(dirIn: boolean, type: number, recipient: number): number {
  return (dirIn ? DIR_IN : 0) | (type << 5) | recipient;
}

/** bmRequestType of a standard request to the device: 0x00 host-to-device, 0x80 device-to-host. */
export const STANDARD_DEVICE_OUT = bmRequestType(false, RequestType.STANDARD, Recipient.DEVICE);
export const STANDARD_DEVICE_IN = bmRequestType(true, RequestType.STANDARD, Recipient.DEVICE);
/** bmRequestType of a standard request to an interface: 0x01 host-to-device, 0x81 device-to-host. */
export const STANDARD_INTERFACE_OUT = bmRequestType(false, RequestType.STANDARD, Recipient.INTERFACE);
export const STANDARD_INTERFACE_IN = bmRequestType(true, RequestType.STANDARD, Recipient.INTERFACE);

/** bmRequestType bits 6..5: RequestType.STANDARD, CLASS, VENDOR or RESERVED. */
export function requestTypeBits(bmRequestType: number): number {
  return (bmRequestType >> 5) & 3;
}

/** bmRequestType bits 4..0: Recipient.DEVICE, INTERFACE, ENDPOINT, OTHER (or a reserved value). */
export function recipientBits(bmRequestType: number): number {
  return bmRequestType & 0x1f;
}

const FEATURES: Record<number, string> = Object.fromEntries(
  Object.entries(Feature).map(([name, code]) => [code, name]),
);

const RECIPIENTS = ["device", "interface", "endpoint", "other"];

export const isDeviceToHost = (s: SetupPacket) => (s.bmRequestType & DIR_IN) !== 0;
/** bmRequestType bits 6..5 of a setup packet (RequestType). */
export const requestTypeOf = (s: SetupPacket) => requestTypeBits(s.bmRequestType);
/** bmRequestType bits 4..0 of a setup packet (Recipient). */
export const recipientOf = (s: SetupPacket) => recipientBits(s.bmRequestType);

/** The 8 SETUP bytes at `b[o]` (§9.3, little-endian words). */
export function readSetup(b: Uint8Array, o: number): SetupPacket {
  return {
    bmRequestType: b[o],
    bRequest: b[o + 1],
    wValue: b[o + 2] | (b[o + 3] << 8),
    wIndex: b[o + 4] | (b[o + 5] << 8),
    wLength: b[o + 6] | (b[o + 7] << 8),
  };
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
    case Request.GET_DESCRIPTOR:
    case Request.SET_DESCRIPTOR: {
      const name = setup.bRequest === Request.GET_DESCRIPTOR ? "GET_DESCRIPTOR" : "SET_DESCRIPTOR";
      const t = knownDescriptorTypeName(descType) ?? `type ${hex(descType, 2)}`;
      const idx = descIndex !== 0 || descType === 2 || descType === 3 ? ` index ${descIndex}` : "";
      const lang = descType === 3 && descIndex !== 0 ? ` language ${hex(setup.wIndex, 4)}` : "";
      return `${name} ${t}${idx}${lang}`;
    }
    case Request.SET_ADDRESS:
      return `SET_ADDRESS ${setup.wValue}`;
    case Request.SET_CONFIGURATION:
      return `SET_CONFIGURATION ${setup.wValue}`;
    case Request.GET_CONFIGURATION:
      return "GET_CONFIGURATION";
    case Request.GET_STATUS:
      return `GET_STATUS ${recipient}${recipient === "device" ? "" : ` ${setup.wIndex}`}`;
    case Request.CLEAR_FEATURE:
    case Request.SET_FEATURE: {
      const name = setup.bRequest === Request.CLEAR_FEATURE ? "CLEAR_FEATURE" : "SET_FEATURE";
      const f = FEATURES[setup.wValue] ?? `feature ${setup.wValue}`;
      const target =
        recipient === "endpoint"
          ? ` endpoint ${hex(setup.wIndex & 0xff, 2)}`
          : recipient === "interface"
            ? ` interface ${setup.wIndex}`
            : "";
      return `${name} ${f}${target}`;
    }
    case Request.SET_INTERFACE:
      return `SET_INTERFACE ${setup.wIndex} alt ${setup.wValue}`;
    case Request.GET_INTERFACE:
      return `GET_INTERFACE ${setup.wIndex}`;
    case Request.SYNCH_FRAME:
      return `SYNCH_FRAME endpoint ${hex(setup.wIndex & 0xff, 2)}`;
    default:
      return `standard ${dir} ${hex(setup.bRequest, 2)} to ${recipient} wValue=${hex(setup.wValue, 4)} wIndex=${hex(setup.wIndex, 4)} wLength=${setup.wLength}`;
  }
}
