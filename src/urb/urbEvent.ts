// One URB event as host-side capture tools record it: a submission, a completion or a
// submission error. usbmon (binary 189/220 and text) and USBPcap (249) all become this shape,
// so pairing and control-transfer building (pairing.ts, urbLayer.ts) are written once.

import type { DeviceAddr, EndpointAddr } from "../usb/ids.js";
import type { EndpointType, SetupPacket, Timestamp } from "../usb/model.js";

/** 'S' submit, 'C' complete (callback), 'E' submission error (usbmon.rst "Event Type"). */
export type UrbKind = "submit" | "complete" | "error";

/** Which capture tool wrote the event (the status field's meaning depends on it). */
export type UrbSource = "usbmon" | "usbpcap";

/** One isochronous packet descriptor: usbmon `struct mon_bin_isodesc` / USBPcap `USBPCAP_BUFFER_ISO_PACKET`. */
export interface IsoDescriptor {
  /** usbmon: negative errno; USBPcap: USBD_STATUS. */
  status: number;
  offset: number;
  length: number;
}

/** USBPcap-only header fields (desowin.org/usbpcap/captureformat.html). */
export interface UsbPcapFields {
  headerLen: number;
  /** URB_FUNCTION_* code. */
  function: number;
  /** USBPCAP_INFO_PDO_TO_FDO (bit 0) set on completions. */
  info: number;
  /** Control transfers: USBPCAP_CONTROL_STAGE_* (0 setup, 1 data, 2 status, 3 complete). */
  stage?: number;
}

export interface UrbEvent {
  /**
   * Index of the record: for pcap/pcapng the file-wide record index (Wireshark frame - 1);
   * for usbmon text the 0-based index of the event line among event lines.
   */
  record: number;
  /** Byte offset of the record in the file (text: start of the line), when known. */
  offset?: number;
  time: Timestamp;
  kind: UrbKind;
  source: UrbSource;
  /** usbmon URB tag (`id`, kernel pointer) or USBPcap irpId, as lower-case hex without 0x. */
  id: string;
  bus: number;
  /** usbmon devnum / USBPcap device address. */
  device: DeviceAddr;
  /** Endpoint address with the direction bit 0x80 (IN). */
  endpoint: EndpointAddr;
  /** The capture's raw transfer type: 0 iso, 1 interrupt, 2 control, 3 bulk; USBPcap 0xFE IRP info, 0xFF unknown. */
  xferType: number;
  /** `xferType` named; undefined for USBPcap IRP-info and unknown records. */
  transferType: EndpointType | undefined;
  /** usbmon: negative errno (-115 EINPROGRESS on submit); USBPcap: USBD_STATUS as an unsigned 32-bit number. */
  status: number;
  /** usbmon `length`: requested on submit, actual on complete. USBPcap: dataLength. */
  length: number;
  /** The SETUP packet, when the record carries one (usbmon flag_setup 0, USBPcap SETUP stage). */
  setup?: SetupPacket;
  /** usbmon flag_setup: 0 when a setup packet is present, else its character code ('-' etc). */
  setupFlag?: number;
  /**
   * Payload bytes, copied out of the record. Only control transfers keep bytes (the control
   * layer needs them); for other types this is empty and `dataCaptured` still counts them.
   */
  data: Uint8Array;
  /** Bytes of payload the record holds (usbmon len_cap, USBPcap dataLength, text: bytes shown). */
  dataCaptured: number;
  /** usbmon flag_data: 0 when data present, else '<' '>' 'Z' 'D'... as a character code. */
  dataFlag?: number;
  interval?: number;
  startFrame?: number;
  errorCount?: number;
  /** Number of iso packets the URB has (usbmon numdesc / USBPcap numberOfPackets). */
  numberOfPackets?: number;
  iso?: IsoDescriptor[];
  usbpcap?: UsbPcapFields;
}

export const EMPTY_DATA: Uint8Array = new Uint8Array(0);

/** `a` then `b`, in a new array (URB data gathered from several records or lines). */
export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

const TRANSFER_TYPES: readonly EndpointType[] = ["isochronous", "interrupt", "control", "bulk"];

/** usbmon xfer_type and USBPcap transfer share the numbering 0 iso, 1 interrupt, 2 control, 3 bulk. */
export function transferTypeName(xferType: number): EndpointType | undefined {
  return xferType < 4 ? TRANSFER_TYPES[xferType] : undefined;
}
