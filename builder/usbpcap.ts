// USBPcap records (LINKTYPE_USBPCAP 249): packed little-endian header (desowin.org/usbpcap/
// captureformat.html; USBPcapBuffer.h; RULES.md D.3). Control transfers are written as USBPcap
// >= 1.5 does: SETUP stage (setup + OUT data) on submission, COMPLETE stage (+ IN data) on completion.
import { LinkType } from "../as/shared/constants.js";
import { PcapWriter } from "./pcap.js";
import type { ChunkSink } from "./sink.js";
import { XferType, usbdStatus, type UrbEvent, type UrbSink } from "./urb.js";
import { UsbPcapControlStage as ControlStage } from "../src/urb/usbpcap.js";

/** USBPCAP_CONTROL_STAGE_*: the parser's definition, shared. */
export { ControlStage };

/** URB_FUNCTION_* codes used here (usb.h, Windows DDK). */
export enum UrbFunction {
  CONTROL_TRANSFER = 0x0008,
  BULK_OR_INTERRUPT_TRANSFER = 0x0009,
  ISOCH_TRANSFER = 0x000a,
  GET_DESCRIPTOR_FROM_DEVICE = 0x000b,
}

/** One USBPcap record's header fields. */
export interface UsbpcapRecord {
  irpId: bigint;
  /** USBD_STATUS. */
  status: number;
  function: number;
  /** Bit 0: 1 = PDO to FDO (completion). */
  info: number;
  bus: number;
  device: number;
  endpoint: number;
  transfer: number;
  /** Control only. */
  stage?: ControlStage;
  /** Iso only. */
  iso?: {
    startFrame: number;
    errorCount: number;
    packets: { offset: number; length: number; status: number }[];
  };
  data: Uint8Array;
  /** Override headerLen (to build malformed headers). */
  headerLen?: number;
}

/** The bytes of one USBPcap record. */
export function encodeUsbpcap(r: UsbpcapRecord): Uint8Array {
  const base = 27;
  const extra =
    r.transfer === XferType.CONTROL
      ? 1
      : r.transfer === XferType.ISOCHRONOUS
        ? 12 + 12 * (r.iso?.packets.length ?? 0)
        : 0;
  const head = base + extra;
  const out = new Uint8Array(head + r.data.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, r.headerLen ?? head, true);
  v.setBigUint64(2, r.irpId, true);
  v.setUint32(10, r.status >>> 0, true);
  v.setUint16(14, r.function, true);
  out[16] = r.info;
  v.setUint16(17, r.bus, true);
  v.setUint16(19, r.device, true);
  out[21] = r.endpoint;
  out[22] = r.transfer;
  v.setUint32(23, r.data.length, true);
  if (r.transfer === XferType.CONTROL) out[27] = r.stage ?? ControlStage.SETUP;
  else if (r.transfer === XferType.ISOCHRONOUS && r.iso !== undefined) {
    v.setUint32(27, r.iso.startFrame, true);
    v.setUint32(31, r.iso.packets.length, true);
    v.setUint32(35, r.iso.errorCount, true);
    r.iso.packets.forEach((p, i) => {
      v.setUint32(39 + 12 * i, p.offset, true);
      v.setUint32(43 + 12 * i, p.length, true);
      v.setUint32(47 + 12 * i, p.status >>> 0, true);
    });
  }
  out.set(r.data, head);
  return out;
}

/** Writes USBPcap records to a pcap file; also accepts URB events (UrbSink) and converts them. */
export class UsbpcapWriter implements UrbSink {
  readonly pcap: PcapWriter;

  constructor(sink: ChunkSink, opts: { resolution?: "us" | "ns"; chunkSize?: number } = {}) {
    this.pcap = new PcapWriter(sink, {
      linktype: LinkType.USBPCAP,
      resolution: opts.resolution,
      chunkSize: opts.chunkSize,
    });
  }

  /** Write one raw record. */
  record(sec: number, nsec: number, r: UsbpcapRecord): void {
    this.pcap.writeRecord(sec, nsec, encodeUsbpcap(r));
  }

  /** Convert a usbmon-style event: S -> FDO->PDO record, C -> PDO->FDO record (E events are dropped). */
  event(e: UrbEvent): void {
    if (e.type === "E") return;
    const done = e.type === "C";
    const fn =
      e.xferType === XferType.CONTROL
        ? UrbFunction.CONTROL_TRANSFER
        : e.xferType === XferType.ISOCHRONOUS
          ? UrbFunction.ISOCH_TRANSFER
          : UrbFunction.BULK_OR_INTERRUPT_TRANSFER;
    let data = e.data;
    if (e.xferType === XferType.CONTROL && !done && e.setup !== undefined) {
      data = new Uint8Array(8 + e.data.length);
      data.set(e.setup);
      data.set(e.data, 8);
    }
    this.record(e.sec, e.nsec, {
      irpId: e.id,
      status: done ? usbdStatus(e.status) : 0,
      function: fn,
      info: done ? 1 : 0,
      bus: e.busnum,
      device: e.devnum,
      endpoint: e.epnum,
      transfer: e.xferType,
      stage:
        e.xferType === XferType.CONTROL ? (done ? ControlStage.COMPLETE : ControlStage.SETUP) : undefined,
      iso:
        e.xferType === XferType.ISOCHRONOUS
          ? {
              startFrame: e.startFrame ?? 0,
              errorCount: e.errorCount ?? 0,
              packets: (e.iso ?? []).map((d) => ({
                offset: d.offset,
                length: d.length,
                status: d.status === 0 ? 0 : 0xc0000001,
              })),
            }
          : undefined,
      data,
    });
  }

  close(): void {
    this.pcap.close();
  }
}
