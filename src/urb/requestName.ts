// Human names for control requests (USB 2.0 §9.4, Tables 9-4 and 9-5). A small local version
// until a shared one exists; the names match ControlTransfer.request's documented examples.

import type { SetupPacket } from "../model.js";

/** USB 2.0 Table 9-4 standard request codes, by bRequest. */
const STANDARD_REQUESTS: readonly (string | undefined)[] = [
  "GET_STATUS", "CLEAR_FEATURE", undefined, "SET_FEATURE", undefined, "SET_ADDRESS",
  "GET_DESCRIPTOR", "SET_DESCRIPTOR", "GET_CONFIGURATION", "SET_CONFIGURATION",
  "GET_INTERFACE", "SET_INTERFACE", "SYNCH_FRAME",
];

/** USB 2.0 Table 9-5 descriptor types, plus the OTG/BOS types of later ECNs. */
const DESCRIPTOR_TYPES: ReadonlyMap<number, string> = new Map([
  [1, "DEVICE"], [2, "CONFIGURATION"], [3, "STRING"], [4, "INTERFACE"], [5, "ENDPOINT"],
  [6, "DEVICE_QUALIFIER"], [7, "OTHER_SPEED_CONFIGURATION"], [8, "INTERFACE_POWER"],
  [9, "OTG"], [10, "DEBUG"], [11, "INTERFACE_ASSOCIATION"], [15, "BOS"],
  [0x21, "HID"], [0x22, "HID_REPORT"], [0x29, "HUB"],
]);

const hex2 = (n: number) => `0x${n.toString(16).padStart(2, "0")}`;

/**
 * "GET_DESCRIPTOR DEVICE", "GET_DESCRIPTOR STRING 2", "SET_ADDRESS 5", "SET_CONFIGURATION 1",
 * "class IN 0x01", "vendor OUT 0x0c".
 */
export function requestName(setup: SetupPacket): string {
  const type = (setup.bmRequestType >> 5) & 3; // §9.3.1 bmRequestType D6..5
  const dir = setup.bmRequestType & 0x80 ? "IN" : "OUT";
  if (type === 1) return `class ${dir} ${hex2(setup.bRequest)}`;
  if (type === 2) return `vendor ${dir} ${hex2(setup.bRequest)}`;
  if (type === 3) return `reserved ${dir} ${hex2(setup.bRequest)}`;
  const name = STANDARD_REQUESTS[setup.bRequest];
  if (name === undefined) return `standard ${dir} ${hex2(setup.bRequest)}`;
  switch (setup.bRequest) {
    case 6: // GET_DESCRIPTOR / SET_DESCRIPTOR: wValue = type << 8 | index (§9.4.3)
    case 7: {
      const dtype = setup.wValue >> 8;
      const index = setup.wValue & 0xff;
      const dname = DESCRIPTOR_TYPES.get(dtype) ?? `type ${hex2(dtype)}`;
      return dtype === 3 || index !== 0 ? `${name} ${dname} ${index}` : `${name} ${dname}`;
    }
    case 5: // SET_ADDRESS
    case 9: // SET_CONFIGURATION
      return `${name} ${setup.wValue}`;
    case 11: // SET_INTERFACE: wValue alternate setting, wIndex interface
      return `${name} ${setup.wIndex} alt ${setup.wValue}`;
    default:
      return name;
  }
}
