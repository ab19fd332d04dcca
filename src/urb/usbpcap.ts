// USBPcap records (LINKTYPE_USBPCAP 249): a packed little-endian USBPCAP_BUFFER_PACKET_HEADER,
// then a transfer-specific part, then data. desowin.org/usbpcap/captureformat.html;
// desowin/usbpcap USBPcapDriver/USBPcapBuffer.h; RULES.md D.3.

import { u16At, u32At } from "../usb/bytes.js";
import { asEndpointAddr, deviceAddr } from "../usb/ids.js";
import type { Timestamp } from "../usb/model.js";
import { finding, type FindingSink } from "../usb/finding.js";
import { readSetup } from "./usbmonBinary.js";
import { FMT_MON_TRUNCATED, FMT_USBPCAP_HDRLEN, URB_BAD_LENGTH } from "./rules.js";
import { EMPTY_DATA, transferTypeName, type IsoDescriptor, type UrbEvent } from "./urbEvent.js";

/** USBPCAP_BUFFER_PACKET_HEADER size (pragma pack 1). */
export const USBPCAP_BASE_HEADER = 27;
/** Base header + u8 stage (USBPCAP_BUFFER_CONTROL_HEADER). */
export const USBPCAP_CONTROL_HEADER = 28;
/** Base header + startFrame, numberOfPackets, errorCount (USBPCAP_BUFFER_ISOCH_HEADER, without packets). */
export const USBPCAP_ISO_HEADER = 39;
/** One USBPCAP_BUFFER_ISO_PACKET: u32 offset, u32 length, u32 status. */
export const USBPCAP_ISO_PACKET = 12;

/** USBPCAP_TRANSFER_* (USBPcap.h). */
export enum UsbPcapTransfer {
  ISOCHRONOUS = 0,
  INTERRUPT = 1,
  CONTROL = 2,
  BULK = 3,
  IRP_INFO = 0xfe,
  UNKNOWN = 0xff,
}

/** USBPCAP_CONTROL_STAGE_* (USBPcap.h; WS-USB USB_CONTROL_STAGE_*). */
export enum UsbPcapControlStage {
  SETUP = 0,
  DATA = 1,
  STATUS = 2,
  COMPLETE = 3,
}

/** USBPCAP_INFO_PDO_TO_FDO: the record travels up the stack, i.e. it is a completion. */
export const USBPCAP_INFO_PDO_TO_FDO = 0x01;

/** USBPcap headers are little-endian (USBPCAP_BUFFER_PACKET_HEADER, Windows). */
const u16 = (b: Uint8Array, o: number) => u16At(b, o, true);
const u32 = (b: Uint8Array, o: number) => u32At(b, o, true);

export interface UsbPcapContext {
  findings?: FindingSink;
  /** Original record length from the container, to tell a snap-length cut (USBPcapCMD -s). */
  origLength?: number;
  fileOffset?: number;
  /** Record time from the container (USBPcap headers carry no timestamp). */
  time?: Timestamp;
  /** Keep payload bytes for all transfer types, not only control. */
  keepAllData?: boolean;
  /** Keep the payload of the bulk and interrupt URBs of these endpoints (the class decoder's) besides control. */
  keepData?: (bus: number, device: number, endpoint: number) => boolean;
}

/**
 * Parse one USBPcap record at bytes[offset .. offset+length). Returns undefined when the record
 * is too short to hold the base header or its headerLen is unusable (reported as findings).
 * `length` of the event is the header's dataLength (for a SETUP stage it includes the 8 setup bytes);
 * `data` and `dataCaptured` exclude the setup bytes.
 */
export function parseUsbPcap(
  bytes: Uint8Array,
  offset: number,
  length: number,
  record: number,
  ctx: UsbPcapContext = {},
): UrbEvent | undefined {
  const b = bytes;
  const o = offset;
  const where = { packet: record, offset: ctx.fileOffset };
  const cut = ctx.origLength !== undefined && ctx.origLength > length;
  if (length < USBPCAP_BASE_HEADER) {
    ctx.findings?.add(
      finding(
        URB_BAD_LENGTH,
        `USBPcap record of ${length} bytes is shorter than the ${USBPCAP_BASE_HEADER}-byte header`,
        where,
      ),
    );
    return undefined;
  }
  const headerLen = u16(b, o);
  const irpLo = u32(b, o + 2);
  const irpHi = u32(b, o + 6);
  const status = u32(b, o + 10);
  const fn = u16(b, o + 14);
  const info = b[o + 16];
  const bus = u16(b, o + 17);
  const device = deviceAddr(u16(b, o + 19));
  const endpoint = asEndpointAddr(b[o + 21]);
  const transfer = b[o + 22];
  const dataLength = u32(b, o + 23);

  if (headerLen < USBPCAP_BASE_HEADER || headerLen > length) {
    const rule = headerLen < USBPCAP_BASE_HEADER ? FMT_USBPCAP_HDRLEN : URB_BAD_LENGTH;
    ctx.findings?.add(
      finding(
        rule,
        `USBPcap headerLen ${headerLen} ${headerLen < USBPCAP_BASE_HEADER ? `is below the ${USBPCAP_BASE_HEADER}-byte base header` : `is past the end of the ${length}-byte record`}`,
        { ...where, device, endpoint },
      ),
    );
    return undefined;
  }

  const ev: UrbEvent = {
    record,
    offset: ctx.fileOffset,
    time: ctx.time ?? { sec: 0, nsec: 0 },
    kind: info & USBPCAP_INFO_PDO_TO_FDO ? "complete" : "submit",
    source: "usbpcap",
    id: irpHi === 0 ? irpLo.toString(16) : irpHi.toString(16) + irpLo.toString(16).padStart(8, "0"),
    bus,
    device,
    endpoint,
    xferType: transfer,
    transferType: transferTypeName(transfer),
    status,
    length: dataLength,
    data: EMPTY_DATA,
    dataCaptured: 0,
    usbpcap: { headerLen, function: fn, info },
  };

  let expected = -1; // headerLen the transfer type requires, -1 when any >= 27 will do
  if (transfer === UsbPcapTransfer.CONTROL) {
    expected = USBPCAP_CONTROL_HEADER;
    if (headerLen >= USBPCAP_CONTROL_HEADER) ev.usbpcap!.stage = b[o + 27];
  } else if (transfer === UsbPcapTransfer.ISOCHRONOUS && headerLen >= USBPCAP_ISO_HEADER) {
    ev.startFrame = u32(b, o + 27);
    const n = u32(b, o + 31);
    ev.numberOfPackets = n;
    ev.errorCount = u32(b, o + 35);
    expected = USBPCAP_ISO_HEADER + USBPCAP_ISO_PACKET * n;
    const room = Math.min(n, Math.floor((headerLen - USBPCAP_ISO_HEADER) / USBPCAP_ISO_PACKET));
    const iso: IsoDescriptor[] = new Array(room);
    for (let i = 0; i < room; i++) {
      const d = o + USBPCAP_ISO_HEADER + i * USBPCAP_ISO_PACKET;
      iso[i] = { offset: u32(b, d), length: u32(b, d + 4), status: u32(b, d + 8) };
    }
    ev.iso = iso;
  } else if (transfer === UsbPcapTransfer.ISOCHRONOUS) {
    expected = USBPCAP_ISO_HEADER;
  }
  if (expected >= 0 && headerLen !== expected) {
    ctx.findings?.add(
      finding(
        FMT_USBPCAP_HDRLEN,
        `USBPcap ${ev.transferType} record has headerLen ${headerLen}, expected ${expected}`,
        { ...where, device, endpoint },
      ),
    );
  }

  const available = length - headerLen;
  if (dataLength > available) {
    ctx.findings?.add(
      finding(
        cut ? FMT_MON_TRUNCATED : URB_BAD_LENGTH,
        `USBPcap dataLength ${dataLength} but the record holds ${available} bytes after the header${cut ? ` (cut by the snap length, original ${ctx.origLength})` : ""}`,
        {
          ...where,
          device,
          endpoint,
        },
      ),
    );
  }
  let start = o + headerLen;
  let captured = Math.min(dataLength, available);
  if (
    transfer === UsbPcapTransfer.CONTROL &&
    ev.usbpcap!.stage === UsbPcapControlStage.SETUP &&
    !(info & USBPCAP_INFO_PDO_TO_FDO)
  ) {
    if (captured >= 8) {
      ev.setup = readSetup(b, start);
      start += 8;
      captured -= 8;
    } else {
      ctx.findings?.add(
        finding(
          URB_BAD_LENGTH,
          `USBPcap SETUP stage holds ${captured} bytes, fewer than the 8-byte setup packet`,
          { ...where, device, endpoint },
        ),
      );
    }
  }
  ev.dataCaptured = captured;
  if (
    captured > 0 &&
    (transfer === UsbPcapTransfer.CONTROL ||
      ctx.keepAllData ||
      ((transfer === UsbPcapTransfer.BULK || transfer === UsbPcapTransfer.INTERRUPT) &&
        ctx.keepData?.(bus, device, endpoint)))
  )
    ev.data = b.slice(start, start + captured);
  return ev;
}
