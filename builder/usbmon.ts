// usbmon binary records in pcap: LINKTYPE_USB_LINUX (189, the first 48 bytes of mon_bin_hdr) and
// LINKTYPE_USB_LINUX_MMAPPED (220, 64 bytes + iso descriptors), in the file's byte order
// (Documentation/usb/usbmon.rst struct usbmon_packet; drivers/usb/mon/mon_bin.c; RULES.md D.2).
import { LinkType } from "../as/shared/constants.js";
import { PcapWriter } from "./pcap.js";
import type { ChunkSink } from "./sink.js";
import { XferType, type UrbEvent, type UrbSink } from "./urb.js";

export interface UsbmonOptions {
  /** 189 (48-byte header) or 220 (64-byte header + iso descriptors). Default 220. */
  linktype?: LinkType.USB_LINUX | LinkType.USB_LINUX_MMAPPED;
  byteOrder?: "le" | "be";
  resolution?: "us" | "ns";
  chunkSize?: number;
}

/** mon_bin flag_data / flag_setup characters. */
const FLAG_IN_SUBMIT = 0x3c; // '<'
const FLAG_OUT_CALLBACK = 0x3e; // '>'
const FLAG_NO_SETUP = 0x2d; // '-'
const FLAG_ERROR = 0x45; // 'E'

/** Writes URB events as usbmon pcap records. */
export class UsbmonPcapWriter implements UrbSink {
  readonly pcap: PcapWriter;
  readonly mmapped: boolean;
  private readonly le: boolean;

  constructor(sink: ChunkSink, opts: UsbmonOptions = {}) {
    const linktype = opts.linktype ?? LinkType.USB_LINUX_MMAPPED;
    this.mmapped = linktype === LinkType.USB_LINUX_MMAPPED;
    this.le = (opts.byteOrder ?? "le") === "le";
    this.pcap = new PcapWriter(sink, {
      linktype,
      byteOrder: opts.byteOrder,
      resolution: opts.resolution,
      chunkSize: opts.chunkSize,
    });
  }

  /** One record: header (+ iso descriptors in 220) + captured data. */
  event(e: UrbEvent): void {
    this.pcap.writeRecord(e.sec, e.nsec, encodeUsbmon(e, this.mmapped, this.le));
  }

  close(): void {
    this.pcap.close();
  }
}

/** The record bytes of one event: mon_bin_hdr (48 or 64 bytes), iso descriptors (220 only), data. */
export function encodeUsbmon(e: UrbEvent, mmapped: boolean, le: boolean): Uint8Array {
  const isIn = (e.epnum & 0x80) !== 0;
  const iso = e.xferType === XferType.ISOCHRONOUS ? (e.iso ?? []) : [];
  // Iso descriptors follow the header in both forms (Wireshark dissect_linux_usb_iso_transfer reads
  // them after the 48-byte header too); len_cap counts them with the data (mon_bin.c mon_bin_event:
  // len_cap = length + lendesc).
  const descBytes = iso.length * 16;
  const head = mmapped ? 64 : 48;
  const out = new Uint8Array(head + descBytes + e.data.length);
  const v = new DataView(out.buffer);
  v.setBigUint64(0, e.id, le);
  out[8] = e.type.charCodeAt(0);
  out[9] = e.xferType;
  out[10] = e.epnum;
  out[11] = e.devnum;
  v.setUint16(12, e.busnum, le);
  const hasSetup = e.setup !== undefined && e.type === "S";
  out[14] = hasSetup ? 0 : FLAG_NO_SETUP;
  // mon_bin_event: IN submissions and OUT callbacks carry no data, tagged '<' and '>'; mon_bin_error
  // writes an 'E' event as a zeroed header with the status, flag_data 'E' and no length.
  const error = e.type === "E";
  out[15] = error
    ? FLAG_ERROR
    : e.data.length > 0
      ? 0
      : isIn && e.type === "S"
        ? FLAG_IN_SUBMIT
        : !isIn && e.type === "C"
          ? FLAG_OUT_CALLBACK
          : 0;
  v.setBigInt64(16, BigInt(e.sec), le);
  v.setInt32(24, Math.floor(e.nsec / 1000), le);
  v.setInt32(28, e.status, le);
  v.setUint32(32, error ? 0 : e.length, le);
  v.setUint32(36, descBytes + e.data.length, le);
  if (hasSetup) out.set(e.setup!, 40);
  else if (e.xferType === XferType.ISOCHRONOUS) {
    v.setInt32(40, e.errorCount ?? 0, le);
    v.setInt32(44, iso.length, le);
  }
  if (mmapped) {
    v.setInt32(48, e.interval ?? 0, le);
    v.setInt32(52, e.startFrame ?? 0, le);
    v.setUint32(56, e.xferFlags ?? 0, le);
    v.setUint32(60, iso.length, le);
  }
  iso.forEach((d, i) => {
    v.setInt32(head + 16 * i, d.status, le);
    v.setUint32(head + 4 + 16 * i, d.offset, le);
    v.setUint32(head + 8 + 16 * i, d.length, le);
  });
  out.set(e.data, head + descBytes);
  return out;
}
