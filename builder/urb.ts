// URB-level traffic: usbmon-style events (Documentation/usb/usbmon.rst) and a host that issues
// control, bulk, interrupt and iso URBs and a Linux enumeration. Format writers (usbmon binary,
// USBPcap, usbmon text) consume the events.
import type { SetupPacket } from "../src/usb/model.js";
import {
  enumerationSteps,
  encodeSetup,
  maxPacket0,
  receivedData,
  type DeviceModel,
  type EnumerateOptions,
} from "./device.js";
import type { ControlFaults } from "./faults.js";

/** usbmon transfer types (mon_bin xfer_type; USBPcap uses the same numbers). */
export enum XferType {
  ISOCHRONOUS = 0,
  INTERRUPT = 1,
  CONTROL = 2,
  BULK = 3,
}

/** Linux errno values seen as URB status (include/uapi/asm-generic/errno*.h). */
export enum UrbErrno {
  OK = 0,
  ENOENT = -2,
  EPIPE = -32,
  EPROTO = -71,
  EOVERFLOW = -75,
  ETIMEDOUT = -110,
  EINPROGRESS = -115,
  ESHUTDOWN = -108,
}

/** One iso packet descriptor (mon_bin_isodesc / usbmon text "status:offset:length"). */
export interface IsoDesc {
  status: number;
  offset: number;
  length: number;
}

/** One URB event, in usbmon's terms (struct usbmon_packet). */
export interface UrbEvent {
  /** URB tag (usbmon id, USBPcap irpId). */
  id: bigint;
  /** 'S' submission, 'C' callback, 'E' submission error. */
  type: "S" | "C" | "E";
  xferType: XferType;
  /** Endpoint number with bit 7 set for IN. */
  epnum: number;
  devnum: number;
  busnum: number;
  sec: number;
  nsec: number;
  /** -115 (EINPROGRESS) on submission; 0 or -errno on completion. */
  status: number;
  /** urb->transfer_buffer_length on S, actual_length on C. */
  length: number;
  /** Bytes captured (OUT data on S, IN data on C); empty otherwise. */
  data: Uint8Array;
  /** 8 SETUP bytes (control submissions only). */
  setup?: Uint8Array;
  interval?: number;
  startFrame?: number;
  xferFlags?: number;
  errorCount?: number;
  iso?: IsoDesc[];
}

/** A consumer of URB events (a format writer). */
export interface UrbSink {
  event(e: UrbEvent): void;
}

/** Map a Linux URB status to a USBD_STATUS (USBPcap): stall, device not responding, buffer overrun, canceled. */
export function usbdStatus(errno: number): number {
  switch (errno) {
    case 0:
      return 0;
    case UrbErrno.EPIPE:
      return 0xc0000004; // USBD_STATUS_STALL_PID
    case UrbErrno.EPROTO:
      return 0xc0000005; // USBD_STATUS_DEV_NOT_RESPONDING
    case UrbErrno.EOVERFLOW:
      return 0xc000000c; // USBD_STATUS_BUFFER_OVERRUN
    case UrbErrno.ETIMEDOUT:
    case UrbErrno.ENOENT:
      return 0xc0010000; // USBD_STATUS_CANCELED
    default:
      return 0xc0000001; // USBD_STATUS_CRC (generic error)
  }
}

/** Result of one URB pair: indices of the submission and completion events. */
export interface UrbSpan {
  submit: number;
  complete: number;
}

export interface UrbHostOptions {
  busnum?: number;
  /** Time of the first event; default 2023-11-14T22:13:20Z. */
  start?: { sec: number; nsec: number };
  /** Time between submission and completion of a good URB (ns); default 200 µs. */
  latencyNs?: number;
  /** usb_control_msg timeout before the URB is killed (ns); Linux USB_CTRL_GET_TIMEOUT is 5 s. */
  timeoutNs?: number;
}

/**
 * Issues URBs as the Linux USB core would and writes their S/C events to a sink. Faults use the
 * same ControlFaults as the raw builder, mapped to what a URB shows: STALL -> -32 (EPIPE), a reply
 * past wLength -> -75 (EOVERFLOW), NAK forever / missing ZLP / no status -> killed after the
 * timeout, -2 (ENOENT), as is a NAKed SETUP. Wire-only faults (naks, firstDataPid,
 * statusDataPid) leave no trace in a URB; delays lengthen the time to completion.
 */
export class UrbHost {
  readonly busnum: number;
  /** Nanoseconds since start. */
  now = 0;
  /** Events written. */
  events = 0;
  private nextId = 0xffff8880a1b2c300n;
  private readonly startSec: number;
  private readonly startNsec: number;
  private readonly latency: number;
  private readonly timeout: number;

  constructor(
    readonly sink: UrbSink,
    opts: UrbHostOptions = {},
  ) {
    this.busnum = opts.busnum ?? 1;
    this.startSec = opts.start?.sec ?? 1700000000;
    this.startNsec = opts.start?.nsec ?? 0;
    this.latency = opts.latencyNs ?? 200_000;
    this.timeout = opts.timeoutNs ?? 5_000_000_000;
  }

  /** Let time pass. */
  idle(ns: number): this {
    this.now += ns;
    return this;
  }

  private stamp(): { sec: number; nsec: number } {
    const t = this.startNsec + Math.round(this.now);
    const carry = Math.floor(t / 1e9);
    return { sec: this.startSec + carry, nsec: t - carry * 1e9 };
  }

  /** Write one event at the current time; returns its index. */
  emit(e: Omit<UrbEvent, "sec" | "nsec" | "busnum"> & { busnum?: number }): number {
    this.sink.event({ busnum: this.busnum, ...e, ...this.stamp() });
    return this.events++;
  }

  private tag(): bigint {
    // Kernel URB pointers are 64-byte aligned slab addresses; successive URBs get new ones here.
    this.nextId += 0x40n;
    return this.nextId;
  }

  /**
   * A control URB: submission with the SETUP (and OUT data), completion with the IN data.
   * `response` is what the device would send for an IN request (undefined: it STALLs).
   */
  control(
    devnum: number,
    setup: SetupPacket,
    o: {
      response?: Uint8Array;
      outData?: Uint8Array;
      maxPacket0?: number;
      hostMaxPacket0?: number;
      faults?: ControlFaults;
    } = {},
  ): UrbSpan {
    const f = o.faults ?? {};
    const sb = encodeSetup(setup);
    const isIn = (setup.bmRequestType & 0x80) !== 0;
    const epnum = isIn ? 0x80 : 0x00;
    const id = this.tag();
    const out = !isIn && o.outData !== undefined ? o.outData.subarray(0, setup.wLength) : new Uint8Array(0);
    const submit = this.emit({
      id,
      type: "S",
      xferType: XferType.CONTROL,
      epnum,
      devnum,
      status: UrbErrno.EINPROGRESS,
      length: setup.wLength,
      data: out,
      setup: sb,
    });
    let status = 0;
    let data: Uint8Array = new Uint8Array(0);
    let wait = this.latency + (f.delayBeforeDataNs ?? 0) + (f.delayBeforeStatusNs ?? 0);
    if (f.noAnswer) {
      // The host controller's three tries at the SETUP got no handshake (xHCI: USB transaction error).
      status = UrbErrno.EPROTO;
    } else if (f.stall !== undefined || (isIn && o.response === undefined)) {
      status = UrbErrno.EPIPE;
    } else if (
      f.nakSetup ||
      f.nakForever !== undefined ||
      f.noStatus ||
      (isIn && f.omitZlp && zlpNeeded(o.response!, setup.wLength, o.maxPacket0 ?? 64, f))
    ) {
      status = UrbErrno.ENOENT;
      wait = this.timeout;
    } else if (isIn) {
      const mps = o.maxPacket0 ?? 64;
      data = receivedData(o.response!, setup.wLength, mps, o.hostMaxPacket0 ?? mps, f);
      if (data.length > setup.wLength) {
        data = data.subarray(0, setup.wLength);
        status = UrbErrno.EOVERFLOW;
      }
    }
    this.now += wait;
    const complete = this.emit({
      id,
      type: "C",
      xferType: XferType.CONTROL,
      epnum,
      devnum,
      status,
      length: isIn ? data.length : status === 0 ? out.length : 0,
      data,
    });
    return { submit, complete };
  }

  /** A bulk or interrupt URB: IN completes with `data`; OUT submits `data`. */
  transfer(
    xferType: XferType.BULK | XferType.INTERRUPT,
    devnum: number,
    epnum: number,
    data: Uint8Array,
    o: { length?: number; status?: number; interval?: number } = {},
  ): UrbSpan {
    const isIn = (epnum & 0x80) !== 0;
    const id = this.tag();
    const interval = xferType === XferType.INTERRUPT ? (o.interval ?? 8) : undefined;
    const submit = this.emit({
      id,
      type: "S",
      xferType,
      epnum,
      devnum,
      status: UrbErrno.EINPROGRESS,
      length: isIn ? (o.length ?? Math.max(data.length, 512)) : data.length,
      data: isIn ? new Uint8Array(0) : data,
      interval,
    });
    this.now += this.latency;
    const status = o.status ?? 0;
    const complete = this.emit({
      id,
      type: "C",
      xferType,
      epnum,
      devnum,
      status,
      length: status === 0 ? data.length : 0,
      data: isIn && status === 0 ? data : new Uint8Array(0),
      interval,
    });
    return { submit, complete };
  }

  /** A submission that fails at once: one 'E' event with the errno (usb_submit_urb error, usbmon.rst). */
  submitError(
    xferType: XferType,
    devnum: number,
    epnum: number,
    status: number = UrbErrno.ESHUTDOWN,
    length = 0,
  ): number {
    return this.emit({
      id: this.tag(),
      type: "E",
      xferType,
      epnum,
      devnum,
      status,
      length,
      data: new Uint8Array(0),
    });
  }

  /** Bulk IN URB. */
  bulkIn(
    devnum: number,
    ep: number,
    data: Uint8Array,
    o: { length?: number; status?: number } = {},
  ): UrbSpan {
    return this.transfer(XferType.BULK, devnum, 0x80 | ep, data, o);
  }

  /** Bulk OUT URB. */
  bulkOut(devnum: number, ep: number, data: Uint8Array, o: { status?: number } = {}): UrbSpan {
    return this.transfer(XferType.BULK, devnum, ep & 0x7f, data, o);
  }

  /** Interrupt IN URB. */
  interruptIn(
    devnum: number,
    ep: number,
    data: Uint8Array,
    o: { length?: number; status?: number; interval?: number } = {},
  ): UrbSpan {
    return this.transfer(XferType.INTERRUPT, devnum, 0x80 | ep, data, o);
  }

  /** Isochronous URB with one descriptor per packet (IN: data on completion; OUT: on submission). */
  iso(
    devnum: number,
    epnum: number,
    packets: Uint8Array[],
    o: { interval?: number; startFrame?: number; packetSize?: number } = {},
  ): UrbSpan {
    const isIn = (epnum & 0x80) !== 0;
    const id = this.tag();
    const size = o.packetSize ?? Math.max(...packets.map((p) => p.length), 1);
    const total = packets.reduce((n, p) => n + p.length, 0);
    const submitDescs = packets.map((p, i) => ({
      status: 0,
      offset: i * size,
      length: isIn ? size : p.length,
    }));
    const buf = new Uint8Array(isIn ? size * packets.length : total);
    const doneDescs: IsoDesc[] = [];
    let off = 0;
    packets.forEach((p, i) => {
      const at = isIn ? i * size : off;
      buf.set(p, at);
      doneDescs.push({ status: 0, offset: at, length: p.length });
      off += p.length;
    });
    const common = {
      id,
      xferType: XferType.ISOCHRONOUS,
      epnum,
      devnum,
      interval: o.interval ?? 1,
      startFrame: o.startFrame ?? 0,
      xferFlags: 0x2 /* URB_ISO_ASAP */,
    };
    const submit = this.emit({
      ...common,
      type: "S",
      status: UrbErrno.EINPROGRESS,
      length: buf.length,
      data: isIn ? new Uint8Array(0) : buf,
      iso: submitDescs,
      errorCount: 0,
    });
    this.now += this.latency;
    const complete = this.emit({
      ...common,
      type: "C",
      status: 0,
      length: isIn ? buf.length : total,
      data: isIn ? buf : new Uint8Array(0),
      iso: doneDescs,
      errorCount: 0,
    });
    return { submit, complete };
  }

  /** Enumerate `dev` (device number = dev.address) as Linux does; same steps and faults as BusSim.enumerate. */
  enumerate(dev: DeviceModel, opts: EnumerateOptions = {}): Record<string, UrbSpan> {
    const spans: Record<string, UrbSpan> = {};
    const mps0 = maxPacket0(dev);
    for (const step of enumerationSteps(dev, opts)) {
      spans[step.name] = this.control(step.address, step.setup, {
        response: step.response,
        maxPacket0: mps0,
        hostMaxPacket0: step.hostMaxPacket0,
        faults: opts.faults?.[step.name],
      });
      this.idle(step.afterNs);
    }
    return spans;
  }
}

function zlpNeeded(response: Uint8Array, wLength: number, mps: number, f: ControlFaults): boolean {
  const n = Math.min(f.truncateTo ?? response.length, response.length, wLength);
  return n < wLength && n % mps === 0;
}
