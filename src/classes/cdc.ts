// CDC class requests and notifications (CDC 1.2 §6.2 Table 19, §6.3 Table 20; PSTN 1.2 §6.3 Tables 13,
// 17, 30, 31; ECM 1.2 §6.2; NCM 1.0 §6.2): line coding as "115200 8N1", control line state as "DTR on,
// RTS off", SERIAL_STATE bits by name.
import type { SetupPacket } from "../usb/model.js";
import { decoded, bitNames, uint, unknownCode, type DecodedRequest } from "./decoded.js";

const CDC = "CDC";

/** CDC 1.2 Table 19 (with the PSTN, ECM and NCM requests it lists). */
export const CDC_REQUESTS: Record<number, string> = {
  0x00: "SEND_ENCAPSULATED_COMMAND",
  0x01: "GET_ENCAPSULATED_RESPONSE",
  0x02: "SET_COMM_FEATURE",
  0x03: "GET_COMM_FEATURE",
  0x04: "CLEAR_COMM_FEATURE",
  0x10: "SET_AUX_LINE_STATE",
  0x11: "SET_HOOK_STATE",
  0x12: "PULSE_SETUP",
  0x13: "SEND_PULSE",
  0x14: "SET_PULSE_TIME",
  0x15: "RING_AUX_JACK",
  0x20: "SET_LINE_CODING",
  0x21: "GET_LINE_CODING",
  0x22: "SET_CONTROL_LINE_STATE",
  0x23: "SEND_BREAK",
  0x30: "SET_RINGER_PARMS",
  0x31: "GET_RINGER_PARMS",
  0x32: "SET_OPERATION_PARMS",
  0x33: "GET_OPERATION_PARMS",
  0x34: "SET_LINE_PARMS",
  0x35: "GET_LINE_PARMS",
  0x36: "DIAL_DIGITS",
  0x40: "SET_ETHERNET_MULTICAST_FILTERS",
  0x41: "SET_ETHERNET_POWER_MANAGEMENT_PATTERN_FILTER",
  0x42: "GET_ETHERNET_POWER_MANAGEMENT_PATTERN_FILTER",
  0x43: "SET_ETHERNET_PACKET_FILTER",
  0x44: "GET_ETHERNET_STATISTIC",
  0x80: "GET_NTB_PARAMETERS",
  0x81: "GET_NET_ADDRESS",
  0x82: "SET_NET_ADDRESS",
  0x83: "GET_NTB_FORMAT",
  0x84: "SET_NTB_FORMAT",
  0x85: "GET_NTB_INPUT_SIZE",
  0x86: "SET_NTB_INPUT_SIZE",
  0x87: "GET_MAX_DATAGRAM_SIZE",
  0x88: "SET_MAX_DATAGRAM_SIZE",
  0x89: "GET_CRC_MODE",
  0x8a: "SET_CRC_MODE",
};

/** PSTN 1.2 Table 17: bCharFormat, bParityType. */
const STOP_BITS = ["1", "1.5", "2"];
const PARITY = ["N", "O", "E", "M", "S"];
const PARITY_NAMES = ["none", "odd", "even", "mark", "space"];

/** PSTN 1.2 Table 17: the 7-byte line coding as "115200 8N1" (fields into `fields`). */
export function lineCoding(
  data: Uint8Array,
  fields: Record<string, number | string | boolean>,
): string | undefined {
  if (data.length < 7) return undefined;
  const rate = uint(data, 0, 4);
  const stop = data[4]!;
  const parity = data[5]!;
  const bits = data[6]!;
  fields.dwDTERate = rate;
  fields.bCharFormat = stop;
  fields.bParityType = parity;
  fields.bDataBits = bits;
  fields.stopBits = STOP_BITS[stop] ?? `reserved (${stop})`;
  fields.parity = PARITY_NAMES[parity] ?? `reserved (${parity})`;
  return `${rate} ${bits}${PARITY[parity] ?? "?"}${STOP_BITS[stop] ?? "?"}`;
}

/** PSTN 1.2 §6.3.12: wValue bit 0 DTR, bit 1 RTS (carrier control for half duplex). */
export function controlLineState(wValue: number): string {
  return `DTR ${wValue & 1 ? "on" : "off"}, RTS ${wValue & 2 ? "on" : "off"}`;
}

/** A CDC request to interface `wIndex`. */
export function cdcRequest(setup: SetupPacket, data: Uint8Array | undefined): DecodedRequest {
  const name = CDC_REQUESTS[setup.bRequest] ?? unknownCode(setup.bRequest);
  const iface = setup.wIndex & 0xff;
  const fields: Record<string, number | string | boolean> = { interface: iface };
  let target = `interface ${iface}`;
  let summary: string | undefined;
  switch (setup.bRequest) {
    case 0x20: // SET_LINE_CODING
    case 0x21: // GET_LINE_CODING
      if (data) summary = lineCoding(data, fields);
      break;
    case 0x22: // SET_CONTROL_LINE_STATE
      fields.DTR = (setup.wValue & 1) !== 0;
      fields.RTS = (setup.wValue & 2) !== 0;
      target += `: ${controlLineState(setup.wValue)}`;
      break;
    case 0x23: // SEND_BREAK: wValue is the duration in ms; 0xFFFF until a SEND_BREAK of 0 (PSTN 1.2 §6.3.13)
      fields.wValue = setup.wValue;
      target +=
        setup.wValue === 0xffff
          ? ": break on until cleared"
          : setup.wValue === 0
            ? ": break off"
            : `: ${setup.wValue} ms`;
      break;
    case 0x02:
    case 0x03:
    case 0x04: // COMM_FEATURE: wValue 1 ABSTRACT_STATE, 2 COUNTRY_SETTING (PSTN 1.2 Table 14)
      fields.featureSelector =
        setup.wValue === 1 ? "ABSTRACT_STATE" : setup.wValue === 2 ? "COUNTRY_SETTING" : setup.wValue;
      target += ` ${fields.featureSelector}`;
      break;
    case 0x43: // SET_ETHERNET_PACKET_FILTER (ECM 1.2 Table 8)
      fields.wValue = setup.wValue;
      target += `: ${bitNames(setup.wValue, PACKET_FILTER).join(", ") || "none"}`;
      break;
  }
  return decoded(CDC, name, target, fields, summary);
}

const PACKET_FILTER: Record<number, string> = {
  0: "PROMISCUOUS",
  1: "ALL_MULTICAST",
  2: "DIRECTED",
  3: "BROADCAST",
  4: "MULTICAST",
};

/** CDC 1.2 Table 20 / PSTN 1.2 Table 30: notification codes. */
export const CDC_NOTIFICATIONS: Record<number, string> = {
  0x00: "NETWORK_CONNECTION",
  0x01: "RESPONSE_AVAILABLE",
  0x08: "AUX_JACK_HOOK_STATE",
  0x09: "RING_DETECT",
  0x20: "SERIAL_STATE",
  0x28: "CALL_STATE_CHANGE",
  0x29: "LINE_STATE_CHANGE",
  0x2a: "CONNECTION_SPEED_CHANGE",
};

/** PSTN 1.2 Table 31: the UART state bitmap of SERIAL_STATE. */
const SERIAL_STATE_BITS: Record<number, string> = {
  0: "DCD",
  1: "DSR",
  2: "break",
  3: "ring",
  4: "framing error",
  5: "parity error",
  6: "overrun",
};

/**
 * A notification on the communication interface's interrupt IN endpoint (CDC 1.2 §6.3): an 8-byte header
 * like a SETUP (bmRequestType 0xA1, bNotification, wValue, wIndex, wLength) and wLength bytes of data.
 */
export function cdcNotification(b: Uint8Array): DecodedRequest | undefined {
  if (b.length < 8 || b[0] !== 0xa1) return undefined;
  const code = b[1]!;
  const wValue = uint(b, 2, 2);
  const iface = uint(b, 4, 2);
  const wLength = uint(b, 6, 2);
  const name = CDC_NOTIFICATIONS[code] ?? `notification 0x${code.toString(16).padStart(2, "0")}`;
  const fields: Record<string, number | string | boolean> = { interface: iface, wValue, wLength };
  let summary: string | undefined;
  if (code === 0x00) summary = wValue ? "connected" : "disconnected";
  else if (code === 0x20 && b.length >= 10) {
    const state = uint(b, 8, 2);
    fields.bmUartState = state;
    summary = bitNames(state, SERIAL_STATE_BITS).join(", ") || "no line signals";
  } else if (code === 0x2a && b.length >= 16) {
    fields.DLBitRate = uint(b, 8, 4);
    fields.ULBitRate = uint(b, 12, 4);
    summary = `down ${fields.DLBitRate} bit/s, up ${fields.ULBitRate} bit/s`;
  }
  return decoded(CDC, name, `interface ${iface}`, fields, summary);
}

/** Serial data as text when it is printable (tabs, CR and LF allowed), else undefined. */
export function printableText(b: Uint8Array, max = 64): string | undefined {
  if (b.length === 0) return undefined;
  for (const c of b) if ((c < 0x20 || c > 0x7e) && c !== 0x09 && c !== 0x0a && c !== 0x0d) return undefined;
  const text = String.fromCharCode(...b.subarray(0, max))
    .replace(/\r/g, "\\r")
    .replace(/\n/g, "\\n")
    .replace(/\t/g, "\\t");
  return `"${text}"${b.length > max ? "…" : ""}`;
}
