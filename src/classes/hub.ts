// Hub class requests (USB 2.0 §11.24.2, Tables 11-15, 11-16, 11-17; USB 3.2 §10.16.2 for SuperSpeed
// hubs): port GET_STATUS with the status and change bits named (Tables 11-21, 11-22), SET_FEATURE and
// CLEAR_FEATURE by feature selector, the hub descriptor (§11.23.2.1), the TT requests.
import type { SetupPacket } from "../usb/model.js";
import { recipientOf, Recipient } from "../usb/requests.js";
import { decoded, bitNames, uint, unknownCode, type DecodedRequest } from "./decoded.js";

/** Table 11-16 (and USB 3.2 Table 10-8: SET_HUB_DEPTH, GET_PORT_ERR_COUNT). */
export const HUB_REQUESTS: Record<number, string> = {
  0: "GET_STATUS",
  1: "CLEAR_FEATURE",
  3: "SET_FEATURE",
  6: "GET_DESCRIPTOR",
  7: "SET_DESCRIPTOR",
  8: "CLEAR_TT_BUFFER",
  9: "RESET_TT",
  10: "GET_TT_STATE",
  11: "STOP_TT",
  12: "SET_HUB_DEPTH",
  13: "GET_PORT_ERR_COUNT",
};

/** Table 11-17: hub and port feature selectors (USB 3.2 Table 10-9 adds the SuperSpeed ones). */
export const HUB_FEATURES: Record<number, string> = { 0: "C_HUB_LOCAL_POWER", 1: "C_HUB_OVER_CURRENT" };
export const PORT_FEATURES: Record<number, string> = {
  0: "PORT_CONNECTION",
  1: "PORT_ENABLE",
  2: "PORT_SUSPEND",
  3: "PORT_OVER_CURRENT",
  4: "PORT_RESET",
  5: "PORT_LINK_STATE",
  8: "PORT_POWER",
  9: "PORT_LOW_SPEED",
  16: "C_PORT_CONNECTION",
  17: "C_PORT_ENABLE",
  18: "C_PORT_SUSPEND",
  19: "C_PORT_OVER_CURRENT",
  20: "C_PORT_RESET",
  21: "PORT_TEST",
  22: "PORT_INDICATOR",
  23: "PORT_U1_TIMEOUT",
  24: "PORT_U2_TIMEOUT",
  25: "C_PORT_LINK_STATE",
  26: "C_PORT_CONFIG_ERROR",
  27: "PORT_REMOTE_WAKE_MASK",
  28: "BH_PORT_RESET",
  29: "C_BH_PORT_RESET",
  30: "FORCE_LINKPM_ACCEPT",
};

/** Table 11-21: wPortStatus bits of a USB 2.0 hub. */
const PORT_STATUS: Record<number, string> = {
  0: "PORT_CONNECTION",
  1: "PORT_ENABLE",
  2: "PORT_SUSPEND",
  3: "PORT_OVER_CURRENT",
  4: "PORT_RESET",
  8: "PORT_POWER",
  9: "PORT_LOW_SPEED",
  10: "PORT_HIGH_SPEED",
  11: "PORT_TEST",
  12: "PORT_INDICATOR",
};
/** Table 11-22: wPortChange bits. */
const PORT_CHANGE: Record<number, string> = {
  0: "C_PORT_CONNECTION",
  1: "C_PORT_ENABLE",
  2: "C_PORT_SUSPEND",
  3: "C_PORT_OVER_CURRENT",
  4: "C_PORT_RESET",
};
/** USB 3.2 Table 10-13 and 10-14: a SuperSpeed hub's wPortStatus (link state in bits 8..5) and wPortChange. */
const SS_PORT_STATUS: Record<number, string> = {
  0: "PORT_CONNECTION",
  1: "PORT_ENABLE",
  3: "PORT_OVER_CURRENT",
  4: "PORT_RESET",
  9: "PORT_POWER",
};
const SS_PORT_CHANGE: Record<number, string> = {
  0: "C_PORT_CONNECTION",
  3: "C_PORT_OVER_CURRENT",
  4: "C_PORT_RESET",
  5: "C_BH_PORT_RESET",
  6: "C_PORT_LINK_STATE",
  7: "C_PORT_CONFIG_ERROR",
};
const SS_LINK_STATES = [
  "U0",
  "U1",
  "U2",
  "U3",
  "SS.Disabled",
  "Rx.Detect",
  "SS.Inactive",
  "Polling",
  "Recovery",
  "Hot Reset",
  "Compliance Mode",
  "Loopback",
];
/** Table 11-19, 11-20: wHubStatus and wHubChange. */
const HUB_STATUS: Record<number, string> = { 0: "HUB_LOCAL_POWER (local power lost)", 1: "HUB_OVER_CURRENT" };
const HUB_CHANGE: Record<number, string> = { 0: "C_HUB_LOCAL_POWER", 1: "C_HUB_OVER_CURRENT" };
/** §11.24.2.13 Table 11-24 and §11.24.2.7.1.10: PORT_TEST and PORT_INDICATOR selectors in wIndex's high byte. */
const TEST_SELECTORS: Record<number, string> = {
  1: "Test_J",
  2: "Test_K",
  3: "Test_SE0_NAK",
  4: "Test_Packet",
  5: "Test_Force_Enable",
};
const INDICATOR_SELECTORS: Record<number, string> = { 0: "automatic", 1: "amber", 2: "green", 3: "off" };

/**
 * A hub class request: to the hub (recipient device) or to a port (recipient other, port in wIndex).
 * `superSpeed`: the hub is a USB 3 hub (its port status bits differ).
 */
export function hubRequest(
  setup: SetupPacket,
  data: Uint8Array | undefined,
  superSpeed = false,
): DecodedRequest {
  const toPort = recipientOf(setup) === Recipient.OTHER;
  const port = setup.wIndex & 0xff;
  const fields: Record<string, number | string | boolean> = {};
  let name = HUB_REQUESTS[setup.bRequest] ?? unknownCode(setup.bRequest);
  let target = toPort ? `port ${port}` : "hub";
  let summary: string | undefined;
  if (toPort) fields.port = port;
  switch (setup.bRequest) {
    case 0: // GET_STATUS (§11.24.2.6, §11.24.2.7)
      name = toPort ? "GET_PORT_STATUS" : "GET_HUB_STATUS";
      if (data && data.length >= 4) {
        const status = uint(data, 0, 2);
        const change = uint(data, 2, 2);
        fields[toPort ? "wPortStatus" : "wHubStatus"] = status;
        fields[toPort ? "wPortChange" : "wHubChange"] = change;
        const on = toPort
          ? bitNames(status, superSpeed ? SS_PORT_STATUS : PORT_STATUS)
          : bitNames(status, HUB_STATUS);
        if (toPort && superSpeed) {
          const link = (status >> 5) & 0xf;
          fields.linkState = SS_LINK_STATES[link] ?? `reserved (${link})`;
          on.push(`link ${fields.linkState}`);
        }
        const changed = bitNames(change, toPort ? (superSpeed ? SS_PORT_CHANGE : PORT_CHANGE) : HUB_CHANGE);
        summary = `${on.join(", ") || "no status bits"}; ${changed.length ? `changed: ${changed.join(", ")}` : "no change"}`;
      }
      break;
    case 1: // CLEAR_FEATURE
    case 3: {
      // SET_FEATURE
      const feature = (toPort ? PORT_FEATURES : HUB_FEATURES)[setup.wValue] ?? `feature ${setup.wValue}`;
      fields.feature = feature;
      name = `${setup.bRequest === 1 ? "CLEAR" : "SET"}_${toPort ? "PORT" : "HUB"}_FEATURE`;
      target = `${feature}${toPort ? ` port ${port}` : ""}`;
      const selector = setup.wIndex >> 8;
      if (toPort && setup.wValue === 21) {
        fields.testSelector = TEST_SELECTORS[selector] ?? selector;
        target += ` ${fields.testSelector}`;
      } else if (toPort && setup.wValue === 22) {
        fields.indicatorSelector = INDICATOR_SELECTORS[selector] ?? selector;
        target += ` ${fields.indicatorSelector}`;
      }
      break;
    }
    case 6: // GET_DESCRIPTOR: the hub descriptor (§11.23.2.1; USB 3.2 §10.15.2.1 type 0x2A)
    case 7: {
      const type = setup.wValue >> 8;
      name = `${setup.bRequest === 6 ? "GET" : "SET"}_HUB_DESCRIPTOR`;
      target = type === 0x2a ? "(SuperSpeed)" : type === 0x29 ? "" : `type 0x${type.toString(16)}`;
      if (data && data.length >= 7) summary = hubDescriptorText(data, fields);
      break;
    }
    case 8: // CLEAR_TT_BUFFER (§11.24.2.3): wValue device address, endpoint number, type, direction
      fields.deviceAddress = (setup.wValue >> 4) & 0x7f;
      fields.endpoint = setup.wValue & 0xf;
      fields.endpointType = ["control", "isochronous", "bulk", "interrupt"][(setup.wValue >> 11) & 3]!;
      fields.direction = setup.wValue & 0x8000 ? "IN" : "OUT";
      fields.ttPort = port;
      target = `device ${fields.deviceAddress} endpoint ${fields.endpoint} ${fields.direction} (${fields.endpointType}), TT port ${port}`;
      break;
    case 9: // RESET_TT
    case 10: // GET_TT_STATE
    case 11: // STOP_TT
      fields.ttPort = port;
      target = `TT port ${port}`;
      break;
    case 12:
      fields.hubDepth = setup.wValue;
      target = `depth ${setup.wValue}`;
      break;
  }
  return decoded("hub", name, target, fields, summary);
}

/** §11.23.2.1 Table 11-13: bNbrPorts, wHubCharacteristics, bPwrOn2PwrGood (2 ms units), bHubContrCurrent. */
function hubDescriptorText(b: Uint8Array, fields: Record<string, number | string | boolean>): string {
  fields.bNbrPorts = b[2]!;
  const ch = uint(b, 3, 2);
  fields.wHubCharacteristics = ch;
  fields.bPwrOn2PwrGood = b[5]!;
  fields.bHubContrCurrent = b[6]!;
  const power = ["ganged power", "individual port power", "no power switching", "no power switching"][
    ch & 3
  ]!;
  const compound = ch & 4 ? ", compound device" : "";
  return `${b[2]} ports, ${power}${compound}, power on to good ${b[5]! * 2} ms`;
}
