// Rule facts for the raw-packet transaction and transfer layer (RULES.md A.2, C.2 and the implicit table).
import type { RuleInfo } from "../usb/finding.js";

export const PID_SEQUENCE: RuleInfo = {
  id: "PID_SEQUENCE",
  severity: "error",
  spec: "USB 2.0 §8.5; WS-LL ei_invalid_pid_sequence",
  title: "packet PID does not fit the transaction sequence (token, data, handshake)",
};
export const SETUP_LENGTH: RuleInfo = {
  id: "SETUP_LENGTH",
  severity: "error",
  spec: "USB 2.0 §9.3; WS-LL ei_invalid_setup_data",
  title: "SETUP data payload is not 8 bytes",
};
export const NO_HANDSHAKE: RuleInfo = {
  id: "NO_HANDSHAKE",
  severity: "warning",
  spec: "USB 2.0 §8.5.1, §8.5.2",
  title: "data packet of a non-isochronous transaction with no handshake before the next token",
};
export const SPLIT_S_BIT: RuleInfo = {
  id: "SPLIT_S_BIT",
  severity: "error",
  spec: "USB 2.0 §8.4.2.2; WS-LL ei_invalid_s",
  title: "S bit set on a bulk split or an isochronous IN split",
};
export const SPLIT_EU_BIT: RuleInfo = {
  id: "SPLIT_EU_BIT",
  severity: "error",
  spec: "USB 2.0 §8.4.2.2; WS-LL ei_invalid_e_u",
  title: "E bit set on a non-isochronous start split, or U bit set on a complete split",
};
export const TOGGLE_CTRL_DATA1_FIRST: RuleInfo = {
  id: "TOGGLE_CTRL_DATA1_FIRST",
  severity: "error",
  otherSeverities: ["info"], // an identical repeat is a retransmission (§8.6.4): info
  spec: "USB 2.0 §8.5.3, §8.6; KEIL-C; WS-LL dissect_usbll_data",
  title: "control data stage does not start with DATA1 and alternate",
};
export const TOGGLE_CTRL_STATUS: RuleInfo = {
  id: "TOGGLE_CTRL_STATUS",
  severity: "error",
  spec: "USB 2.0 §8.5.3; KEIL-C; AXL-T",
  title: "status stage is not a zero-length DATA1 in the opposite direction",
};
export const TOGGLE_BULK_INT: RuleInfo = {
  id: "TOGGLE_BULK_INT",
  severity: "error",
  otherSeverities: ["info"], // a retransmission (§8.6.4), or an endpoint of unknown type: info
  spec: "USB 2.0 §8.6; AXL-T; WS-LL",
  title:
    "bulk/interrupt toggle does not alternate per ACKed transaction (an identical retransmission is allowed)",
};
export const TOGGLE_RESET_DATA0: RuleInfo = {
  id: "TOGGLE_RESET_DATA0",
  severity: "error",
  spec: "USB 2.0 §9.1.1.5, §9.4.5, §9.4.10; K-MSG usb_set_interface, usb_clear_halt",
  title: "first packet after SET_CONFIGURATION, SET_INTERFACE or CLEAR_FEATURE(ENDPOINT_HALT) is not DATA0",
};
export const TOGGLE_ISO: RuleInfo = {
  id: "TOGGLE_ISO",
  severity: "error",
  spec: "USB 2.0 §5.9.2, §8.6.5; WS-LL states",
  title: "full-speed isochronous data not DATA0, or DATA2/MDATA outside high-speed isochronous or splits",
};
export const CTRL_SETUP_FORMAT: RuleInfo = {
  id: "CTRL_SETUP_FORMAT",
  severity: "error",
  spec: "USB 2.0 §8.5.3; KEIL-C; WS-LL",
  title: "SETUP stage is not one 8-byte DATA0",
};
export const CTRL_SETUP_NOT_ACKED: RuleInfo = {
  id: "CTRL_SETUP_NOT_ACKED",
  severity: "error",
  spec: "USB 2.0 §8.5.3 (a device must accept a SETUP); WS-LL state table",
  title: "device NAKs or STALLs a SETUP",
};
export const CTRL_RESP_OVER_WLENGTH: RuleInfo = {
  id: "CTRL_RESP_OVER_WLENGTH",
  severity: "error",
  spec: "USB 2.0 §9.3.5; MS-D",
  title: "more than wLength bytes returned",
};
export const CTRL_ZLP_MISSING: RuleInfo = {
  id: "CTRL_ZLP_MISSING",
  severity: "error",
  spec: "USB 2.0 §5.5.3, §8.5.3.2; libopencm3 ZLP",
  title: "IN data shorter than wLength and a multiple of wMaxPacketSize0 with no zero-length packet",
};
export const CTRL_INCOMPLETE: RuleInfo = {
  id: "CTRL_INCOMPLETE",
  severity: "error",
  otherSeverities: ["info"], // cut by the capture's end, or dropped by the host: info
  spec: "USB 2.0 §8.5.3",
  title: "control transfer never reaches its status stage",
};
export const CTRL_STALL: RuleInfo = {
  id: "CTRL_STALL",
  severity: "info",
  spec: "USB 2.0 §8.4.5, §9.2.7",
  title: "request STALLed by the device",
};
export const CTRL_PKT_SIZE: RuleInfo = {
  id: "CTRL_PKT_SIZE",
  severity: "error",
  spec: "USB 2.0 §5.5.3; WS-LL packet_ends_transfer",
  title: "control data packet larger than wMaxPacketSize0",
};
export const CTRL_DATA_AFTER_END: RuleInfo = {
  id: "CTRL_DATA_AFTER_END",
  severity: "error",
  spec: "USB 2.0 §5.5.3, §8.5.3.2; WS-LL packet_ends_transfer",
  title: "data after wLength is met or after a short packet",
};
export const SETADDR_FORMAT: RuleInfo = {
  id: "SETADDR_FORMAT",
  severity: "error",
  spec: "USB 2.0 §9.4.6; WS-LL is_set_address",
  title: "SET_ADDRESS not bmRequestType 0, wValue ≤ 127, wIndex 0, wLength 0",
};
export const SETADDR_TIMING: RuleInfo = {
  id: "SETADDR_TIMING",
  severity: "error",
  spec: "USB 2.0 §9.2.6.3",
  title:
    "SET_ADDRESS status stage later than 50 ms, the new address not answered after the 2 ms recovery, or the old address still answered",
};
export const REQ_TIMING: RuleInfo = {
  id: "REQ_TIMING",
  severity: "warning",
  spec: "USB 2.0 §9.2.6.4; TIM",
  title:
    "request slower than the chapter 9 limits (50 ms no-data/status, 500 ms per data packet, 5 s overall)",
};
export const EP0_HALT: RuleInfo = {
  id: "EP0_HALT",
  severity: "warning",
  spec: "USB 2.0 §8.4.5, §9.4.5; K-TEST subcase 8",
  title: "CLEAR_FEATURE(ENDPOINT_HALT) on EP0, or an EP0 STALL that persists into the next SETUP",
};

export const transferRules: readonly RuleInfo[] = [
  PID_SEQUENCE,
  SETUP_LENGTH,
  NO_HANDSHAKE,
  SPLIT_S_BIT,
  SPLIT_EU_BIT,
  TOGGLE_CTRL_DATA1_FIRST,
  TOGGLE_CTRL_STATUS,
  TOGGLE_BULK_INT,
  TOGGLE_RESET_DATA0,
  TOGGLE_ISO,
  CTRL_SETUP_FORMAT,
  CTRL_SETUP_NOT_ACKED,
  CTRL_RESP_OVER_WLENGTH,
  CTRL_ZLP_MISSING,
  CTRL_INCOMPLETE,
  CTRL_STALL,
  CTRL_PKT_SIZE,
  CTRL_DATA_AFTER_END,
  SETADDR_FORMAT,
  SETADDR_TIMING,
  REQ_TIMING,
  EP0_HALT,
];
