// URB completion statuses in words: Linux negative errno values (Documentation/driver-api/usb/error-codes.rst)
// and Windows USBD_STATUS values (WDK usb.h; Wireshark packet-usb.c `win32_usbd_status_vals`).

import type { ControlStatus } from "../usb/model.js";
import type { Severity } from "../usb/finding.js";

/** Linux errno values a URB completes with, and what they mean for USB (error-codes.rst). */
const ERRNO: ReadonlyMap<number, string> = new Map([
  [-1, "EPERM (submission refused: URB being killed)"],
  [-2, "ENOENT (unlinked: URB killed synchronously by usb_kill_urb)"],
  [-18, "EXDEV (isochronous transfer only partially completed)"],
  [-19, "ENODEV (device removed)"],
  [-22, "EINVAL (invalid URB, e.g. bad iso frame or flags)"],
  [-32, "EPIPE (endpoint stalled)"],
  [-62, "ETIME (no response packet in time: device did not answer)"],
  [-63, "ENOSR (buffer error: host could not supply data in time)"],
  [-70, "ECOMM (buffer error: host could not take data in time)"],
  [-71, "EPROTO (protocol error: bitstuff, no response or unknown USB error)"],
  [-75, "EOVERFLOW (babble: device sent more data than the packet size or buffer allows)"],
  [-84, "EILSEQ (CRC mismatch or no response)"],
  [-104, "ECONNRESET (unlinked: URB cancelled asynchronously by usb_unlink_urb)"],
  [-108, "ESHUTDOWN (device or host controller disabled or disconnected)"],
  [-110, "ETIMEDOUT (timeout)"],
  [-115, "EINPROGRESS (URB still pending)"],
  [-121, "EREMOTEIO (short read with URB_SHORT_NOT_OK)"],
]);

/** "-32 EPIPE (endpoint stalled)"; unknown values as "-N (errno N)". */
export function errnoName(status: number): string {
  const name = ERRNO.get(status);
  return name === undefined ? `${status} (errno ${-status})` : `${status} ${name}`;
}

/** Windows USBD_STATUS values (WDK shared/usb.h), unsigned 32-bit. */
export enum UsbdStatus {
  SUCCESS = 0x00000000,
  PENDING = 0x40000000,
  CRC = 0xc0000001,
  BTSTUFF = 0xc0000002,
  DATA_TOGGLE_MISMATCH = 0xc0000003,
  STALL_PID = 0xc0000004,
  DEV_NOT_RESPONDING = 0xc0000005,
  PID_CHECK_FAILURE = 0xc0000006,
  UNEXPECTED_PID = 0xc0000007,
  DATA_OVERRUN = 0xc0000008,
  DATA_UNDERRUN = 0xc0000009,
  BUFFER_OVERRUN = 0xc000000c,
  BUFFER_UNDERRUN = 0xc000000d,
  NOT_ACCESSED = 0xc000000f,
  FIFO = 0xc0000010,
  XACT_ERROR = 0xc0000011,
  BABBLE_DETECTED = 0xc0000012,
  DATA_BUFFER_ERROR = 0xc0000013,
  NO_PING_RESPONSE = 0xc0000014,
  ENDPOINT_HALTED = 0xc0000030,
  INVALID_URB_FUNCTION = 0x80000200,
  INVALID_PARAMETER = 0x80000300,
  ERROR_BUSY = 0x80000400,
  INVALID_PIPE_HANDLE = 0x80000600,
  NO_BANDWIDTH = 0x80000700,
  INTERNAL_HC_ERROR = 0x80000800,
  ERROR_SHORT_TRANSFER = 0x80000900,
  BAD_START_FRAME = 0xc0000a00,
  ISOCH_REQUEST_FAILED = 0xc0000b00,
  FRAME_CONTROL_OWNED = 0xc0000c00,
  FRAME_CONTROL_NOT_OWNED = 0xc0000d00,
  NOT_SUPPORTED = 0xc0000e00,
  INVALID_CONFIGURATION_DESCRIPTOR = 0xc0000f00,
  INSUFFICIENT_RESOURCES = 0xc0001000,
  SET_CONFIG_FAILED = 0xc0002000,
  BUFFER_TOO_SMALL = 0xc0003000,
  INTERFACE_NOT_FOUND = 0xc0004000,
  INVALID_PIPE_FLAGS = 0xc0005000,
  TIMEOUT = 0xc0006000,
  DEVICE_GONE = 0xc0007000,
  STATUS_NOT_MAPPED = 0xc0008000,
  HUB_INTERNAL_ERROR = 0xc0009000,
  CANCELED = 0xc0010000,
  ISO_NOT_ACCESSED_BY_HW = 0xc0020000,
  ISO_TD_ERROR = 0xc0030000,
  ISO_NA_LATE_USBPORT = 0xc0040000,
  ISO_NOT_ACCESSED_LATE = 0xc0050000,
  BAD_DESCRIPTOR = 0xc0100000,
  BAD_INTERVAL_DESCRIPTOR = 0xc0600000,
}

/** "USBD_STATUS_STALL_PID (0xc0000004)"; unknown values by their hex code. */
export function usbdStatusName(status: number): string {
  const hex = `0x${(status >>> 0).toString(16).padStart(8, "0")}`;
  const name = UsbdStatus[status >>> 0];
  return name === undefined ? `USBD_STATUS ${hex}` : `USBD_STATUS_${name} (${hex})`;
}

/** The host cancelled the URB itself: ENOENT, ECONNRESET (usb_kill_urb, usb_unlink_urb) or USBD_STATUS_CANCELED. */
export function isCancelled(status: number, source: "usbmon" | "usbpcap"): boolean {
  if (source === "usbmon") return status === -2 || status === -104;
  return status >>> 0 === UsbdStatus.CANCELED;
}

/**
 * Why a failed URB says nothing wrong about the device, or undefined when it may: the same event on the
 * wire gets no warning either (one verdict in every format). The host cancelled it; a short packet ended it
 * (legal, USB 2.0 §5.3.2, §8.4.1: the driver asked for none); the device halted the endpoint (a STALL is the
 * device's answer, §8.4.5, §9.2.7: the request or class protocol decides whether it is wrong); the host stack
 * refused or dropped the URB itself (the device was removed, the driver passed bad parameters).
 */
export function harmlessReason(status: number, source: "usbmon" | "usbpcap"): string | undefined {
  if (isCancelled(status, source)) return "the host cancelled it";
  if (source === "usbmon") {
    switch (status) {
      case -121:
        return "a short packet ended it, which the bus allows (USB 2.0 §5.3.2); the driver had asked for none";
      case -32:
        return "the device halted the endpoint (USB 2.0 §8.4.5); class protocols do this on purpose";
      case -1:
      case -19:
      case -22:
      case -108:
      case -115:
        return "the host stack ended it: the bus shows nothing about the device";
      default:
        return undefined;
    }
  }
  const s = status >>> 0;
  if (s === UsbdStatus.ERROR_SHORT_TRANSFER)
    return "a short packet ended it, which the bus allows (USB 2.0 §5.3.2); the driver had asked for none";
  if (s === UsbdStatus.STALL_PID || s === UsbdStatus.ENDPOINT_HALTED)
    return "the device halted the endpoint (USB 2.0 §8.4.5); class protocols do this on purpose";
  // USBD_STATUS 0x8xxxxxxx are the host stack's own statuses (usb.h "software" errors: bad parameter,
  // pipe handle, busy, no bandwidth); DEVICE_GONE and NOT_SUPPORTED are the stack's answers too.
  if (s >>> 30 === 2 || s === UsbdStatus.DEVICE_GONE || s === UsbdStatus.NOT_SUPPORTED)
    return "the host stack ended it: the bus shows nothing about the device";
  return undefined;
}

/**
 * How serious an error completion is: "info" when harmlessReason() says it tells nothing against the device,
 * else "warning" (RULES.md URB_ERROR severity W): the device did not answer, babbled, or the transfer broke on
 * the bus. A control request the device STALLed is CTRL_STALL (info), as on a raw capture.
 */
export function urbErrorSeverity(status: number, source: "usbmon" | "usbpcap"): Severity {
  return harmlessReason(status, source) === undefined ? "warning" : "info";
}

/**
 * The status says the device sent nothing back (ControlTransfer.unanswered): Linux error-codes.rst gives "no
 * response packet received within the prescribed bus turn-around time" for -71 EPROTO, -84 EILSEQ and -62 ETIME,
 * and -110 ETIMEDOUT for a transfer that timed out; USBPcap: USBD_STATUS_DEV_NOT_RESPONDING, XACT_ERROR.
 */
export function noResponseStatus(status: number, source: "usbmon" | "usbpcap"): boolean {
  if (source === "usbmon") return status === -71 || status === -84 || status === -62 || status === -110;
  const s = status >>> 0;
  return s === UsbdStatus.DEV_NOT_RESPONDING || s === UsbdStatus.XACT_ERROR;
}

/** Control transfer outcome from a URB completion status (ControlTransfer.status). */
export function controlStatusOf(status: number, source: "usbmon" | "usbpcap"): ControlStatus {
  if (source === "usbmon") {
    if (status === 0) return "ok";
    return status === -32 ? "stall" : "error";
  }
  const s = status >>> 0;
  if (s === UsbdStatus.SUCCESS) return "ok";
  return s === UsbdStatus.STALL_PID || s === UsbdStatus.ENDPOINT_HALTED ? "stall" : "error";
}

/** The status in words for either source. */
export function urbStatusName(status: number, source: "usbmon" | "usbpcap"): string {
  return source === "usbmon" ? errnoName(status) : usbdStatusName(status);
}

/** The status in words, success included: "0 success", "USBD_STATUS_SUCCESS (0x00000000)", "-32 EPIPE (endpoint stalled)". */
export function urbStatusWords(status: number, source: "usbmon" | "usbpcap"): string {
  if (source === "usbmon" && status === 0) return "0 success";
  return urbStatusName(status, source);
}

/**
 * A non-control URB's outcome in one word: "ok", "stall" (the endpoint halted, §8.4.5), "cancelled"
 * (the host unlinked it: ENOENT, ECONNRESET, USBD_STATUS_CANCELED; drivers do this to the interrupt
 * URBs they keep queued when they close or suspend) or "error".
 */
export function urbOutcome(status: number, source: "usbmon" | "usbpcap"): string {
  if (isCancelled(status, source)) return "cancelled";
  return controlStatusOf(status, source);
}

/** usbmon: a completion is an error when its status is non-zero; USBPcap: when USBD_ERROR(status) (bits 31:30 = 11) or any non-success. */
export function isUrbError(status: number, source: "usbmon" | "usbpcap"): boolean {
  return source === "usbmon" ? status !== 0 : status >>> 0 !== UsbdStatus.SUCCESS;
}
