// The URB layer: usbmon (189, 220, text) and USBPcap (249) events → ControlTransfer objects,
// URB findings, counters and the endpoint types the capture tool reports.
//
// Decisions:
// - A completion with no submission, or a submission never completed, is FMT_URB_UNPAIRED at
//   "warning" on control endpoints and "info" elsewhere: interrupt, bulk and iso URBs routinely
//   stay queued across the start and end of a capture, and USBPcap does not see the resubmission
//   of an IRP a driver reuses from its completion routine (USBSTOR's CBW/data/CSW on one IRP), so
//   their completions arrive without a submission. For non-control endpoints only the first
//   unpaired URB per endpoint and kind is reported; `unpairedSubmissions`/`unpairedCompletions`
//   count them all. Evictions for capacity are always warnings.
// - One verdict in every format: a control request the device STALLed is CTRL_STALL (info), as on a raw
//   capture; URB_ERROR is "info" for statuses that tell nothing against the device (the host cancelled the
//   URB, a short packet ended it, an endpoint halted on purpose, the host stack refused it: status.ts
//   harmlessReason), "warning" otherwise. With AnalysisContext.deferControlFailures a control URB's finding
//   rides on its ControlTransfer (the descriptor layer reports it, or the rule finding that explains it).
// - USBPcap control transfers: a SETUP stage opens the transfer; DATA stages add data; a STATUS
//   stage (USBPcap < 1.5) or COMPLETE stage (USBPcap >= 1.5) closes it.
// - With an `onTransfer` listener every URB also becomes a TransferSummary (urbTransfers.ts), with
//   its payload: the parsers then keep the bytes of every transfer type, not only control.
// - USBPcap's IRP-information pseudo records (transfer 0xFE/0xFF: ABORT_PIPE, RESET_PIPE...) are not
//   transfers: `packets` shows them, and a failed one is URB_ERROR, but `transfers` does not list them.
// - USBPcap pairs a completion with a submission on the same IRP and endpoint number. When their
//   directions differ, a driver reused the IRP (USBSTOR sends its CBW, then reads data and CSW on one
//   IRP): the OUT submission's completion is not in the capture, and the IN completion's submission
//   is not either. They are two transfers, each listed with what the capture holds of it.

import type {
  AnalysisContext,
  ControlTransfer,
  EndpointType,
  EndpointTypeLookup,
  RecordBatch,
  RecordSink,
  SetupPacket,
} from "../usb/model.js";
import { LinkType, PacketStatus } from "../../as/shared/constants.js";
import { finding, type Finding } from "../usb/finding.js";
import { endpointAddr } from "../usb/ids.js";
import { UrbPairing, type EvictReason, type PendingUrb } from "./pairing.js";
import { requestName } from "../usb/requests.js";
import { FMT_URB_UNPAIRED, URB_ERROR, URB_TYPE_MISMATCH } from "./rules.js";
import { CTRL_RESP_OVER_WLENGTH, CTRL_STALL } from "../transfers/rules.js";
import {
  controlStatusOf,
  harmlessReason,
  isUrbError,
  noResponseStatus,
  UsbdStatus,
  urbStatusName,
} from "./status.js";
import { EMPTY_DATA, type UrbEvent } from "./urbEvent.js";
import { isMonBinFiller, parseMonBin } from "./usbmonBinary.js";
import type { TimeFixLog } from "../usb/time.js";
import { parseUsbPcap, UsbPcapControlStage } from "./usbpcap.js";
import type { ClassTransferHook, TransferListener, TransferSummary } from "../transfers/transferSummary.js";
import { UrbTransfers, urbTransfer, type ControlFacts } from "./urbTransfers.js";

export interface UrbLayerOptions {
  /** Byte order of the pcap/pcapng file (usbmon headers are in the capturing host's order). Default true. */
  littleEndian?: boolean;
  /** Open submissions kept at most (default 65536); beyond that the oldest is reported and dropped. */
  maxPending?: number;
  /** Called once per URB (control included) as a transfer, in capture order (urbTransfers.ts). */
  onTransfer?: TransferListener;
  /** Fold runs of repeated completions on one endpoint into one transfer with a count (default true). */
  foldRepeats?: boolean;
  /** The endpoint types the descriptors give: a URB whose type disagrees is URB_TYPE_MISMATCH. */
  descriptors?: EndpointTypeLookup;
  /** Where repaired usbmon timestamps are counted. */
  timeFixes?: TimeFixLog;
  /** The class decoder: the bulk and interrupt URBs of the endpoints it wants, with their bytes, listener or not. */
  classTransfers?: ClassTransferHook;
  /** Called with every URB event before the layer takes it (the viewer's filter judges them). */
  onUrbEvent?: (ev: UrbEvent) => void;
}

/**
 * What became of the URB-link-type records (usbmon, USBPcap) handed to the layer: each is an event, mmap
 * filler, or a record that does not parse (reported as a finding). events + filler + unparsed = records.
 */
export interface UrbRecordCounts {
  records: number;
  events: number;
  filler: number;
  unparsed: number;
}

/** URB and byte counts for one transfer type. */
export interface UrbTypeCounters {
  /** Completed (or submission-error) URBs. */
  urbs: number;
  /** Bytes transferred: actual length of completions (USBPcap OUT: the submitted length). */
  bytes: number;
  errors: number;
}

export type UrbCounterKey = EndpointType | "other";

const XFER_CONTROL = 2;
/** Devices whose endpoint types the layer remembers, and endpoints it reports unpaired URBs of, at most. */
const MAX_DEVICES_SEEN = 4096;

export class UrbLayer implements RecordSink, EndpointTypeLookup {
  /** Events seen (submissions, completions, errors), after parsing. */
  events = 0;
  /** The records of URB link types seen, and what became of each (the record accounting). */
  readonly recordCounts: UrbRecordCounts = { records: 0, events: 0, filler: 0, unparsed: 0 };
  readonly counters: Record<UrbCounterKey, UrbTypeCounters> = {
    control: { urbs: 0, bytes: 0, errors: 0 },
    isochronous: { urbs: 0, bytes: 0, errors: 0 },
    bulk: { urbs: 0, bytes: 0, errors: 0 },
    interrupt: { urbs: 0, bytes: 0, errors: 0 },
    other: { urbs: 0, bytes: 0, errors: 0 },
  };
  /** Submissions that never completed (end of capture, tag reused, evicted). */
  unpairedSubmissions = 0;
  /** Completions and submission errors with no submission. */
  unpairedCompletions = 0;
  private readonly unpairedReported = new Set<string>();

  /** Parsers keep the payload of every transfer type (a transfer listener shows it). */
  readonly keepAllData: boolean;
  /** Parsers keep the payload of the bulk and interrupt URBs the class decoder wants. */
  readonly keepData: ((bus: number, device: number, endpoint: number) => boolean) | undefined;
  private readonly classHook: ClassTransferHook | undefined;
  private readonly onEvent: ((ev: UrbEvent) => void) | undefined;
  private readonly littleEndian: boolean;
  private readonly timeFixes?: TimeFixLog;
  private readonly pairing: UrbPairing;
  private readonly transfers: UrbTransfers | undefined;
  private readonly descriptors: EndpointTypeLookup | undefined;
  /** Endpoints whose type disagreement was reported, with the two types. */
  private readonly mismatchReported = new Set<string>();
  private nextControlIndex = 0;
  /** "bus:device" → endpoint address → type, as the capture tool reported it. */
  private readonly endpointsSeen = new Map<string, Map<number, EndpointType>>();

  constructor(
    private readonly ctx: AnalysisContext,
    options: UrbLayerOptions = {},
  ) {
    this.littleEndian = options.littleEndian ?? true;
    this.keepAllData = options.onTransfer !== undefined;
    this.classHook = options.classTransfers;
    this.onEvent = options.onUrbEvent;
    const hook = this.classHook;
    this.keepData = hook ? (bus, device, endpoint) => hook.wants(device, endpoint, bus) : undefined;
    this.transfers = options.onTransfer
      ? new UrbTransfers(options.onTransfer, options.foldRepeats ?? true)
      : undefined;
    this.descriptors = options.descriptors;
    this.timeFixes = options.timeFixes;
    this.pairing = new UrbPairing(options.maxPending ?? 65536, (p, reason) => this.evicted(p, reason));
  }

  /** RecordSink: parse the batch's usbmon and USBPcap records; other link types are not ours. */
  onBatch(batch: RecordBatch): void {
    const findings = this.ctx.findings;
    for (let i = 0; i < batch.count; i++) {
      if (batch.status[i] !== PacketStatus.NOT_RAW && batch.status[i] !== PacketStatus.TRUNCATED) continue;
      const lt = batch.linktype[i];
      const record = batch.firstIndex + i;
      const start = batch.dataOffset[i];
      const len = batch.dataLength[i];
      let ev: UrbEvent | undefined;
      let filler = false;
      // usbmon events take their time from the mon_bin_hdr (ts_sec/ts_usec, the kernel's); USBPcap
      // headers carry none, so they take the record's time.
      if (lt === LinkType.USB_LINUX || lt === LinkType.USB_LINUX_MMAPPED) {
        ev = parseMonBin(batch.bytes, start, len, lt, this.littleEndian, record, {
          findings,
          origLength: batch.origLength[i],
          fileOffset: batch.offset[i],
          keepAllData: this.keepAllData,
          keepData: this.keepData,
          timeFixes: this.timeFixes,
        });
        filler = ev === undefined && isMonBinFiller(batch.bytes, start, len);
      } else if (lt === LinkType.USBPCAP) {
        ev = parseUsbPcap(batch.bytes, start, len, record, {
          findings,
          origLength: batch.origLength[i],
          fileOffset: batch.offset[i],
          time: { sec: batch.tsSec[i], nsec: batch.tsNsec[i] },
          keepAllData: this.keepAllData,
          keepData: this.keepData,
        });
      } else {
        continue;
      }
      // A record that does not parse was reported by its parser (filler or malformed).
      const counts = this.recordCounts;
      counts.records++;
      if (ev === undefined) {
        if (filler) counts.filler++;
        else counts.unparsed++;
      } else {
        counts.events++;
        this.onUrbEvent(ev);
      }
    }
  }

  /** Feed one event (the usbmon text parser calls this; onBatch does too). */
  onUrbEvent(ev: UrbEvent): void {
    this.events++;
    this.onEvent?.(ev);
    if (ev.transferType !== undefined) {
      this.noteEndpoint(ev);
      if (this.descriptors !== undefined) this.checkType(ev);
    }
    if (ev.source === "usbpcap" && ev.xferType === XFER_CONTROL) {
      this.usbpcapControl(ev);
      return;
    }
    if (ev.kind === "submit") {
      const isControl = ev.xferType === XFER_CONTROL && ev.setup !== undefined;
      this.pairing.submit(ev, isControl ? this.nextControlIndex++ : -1);
      return;
    }
    // 'C' or 'E'
    const pending = this.pairing.complete(ev);
    this.completed(ev, pending);
  }

  /** RecordSink: the capture ended; open submissions are unpaired, open control transfers incomplete. */
  onEnd(): void {
    for (const p of this.pairing.drain()) {
      if (p.orphan) this.completed(p.submit, undefined);
      else this.unpairedSubmission(p, "the capture ended before its completion");
    }
    this.transfers?.end();
  }

  /**
   * URB_TYPE_MISMATCH: the URB header's transfer type against the endpoint descriptor's (§9.6.6), where
   * the descriptors were seen. Endpoint 0 is the default control pipe on every device (§9.6.6, §5.5).
   * Reported once per endpoint and pair of types.
   */
  private checkType(ev: UrbEvent): void {
    const described = this.descriptors!.endpointType(ev.device, ev.endpoint, ev.bus);
    if (described === undefined || described === ev.transferType) return;
    const key = `${ev.bus}:${ev.device}:${ev.endpoint}:${ev.transferType}:${described}`;
    // Past MAX_DEVICES_SEEN endpoints reported, no more (memory stays bounded; a real capture has a few).
    if (this.mismatchReported.has(key) || this.mismatchReported.size >= MAX_DEVICES_SEEN) return;
    this.mismatchReported.add(key);
    const ep = `0x${ev.endpoint.toString(16).padStart(2, "0")}`;
    this.ctx.findings.add(
      finding(
        URB_TYPE_MISMATCH,
        `URB ${ev.id} on bus ${ev.bus} device ${ev.device} endpoint ${ep} is ${ev.transferType} in the ${ev.source === "usbmon" ? "usbmon" : "USBPcap"} header, but ${(ev.endpoint & 0x0f) === 0 ? "endpoint 0 is the default control pipe" : `the endpoint descriptor says ${described}`}`,
        { packet: ev.record, offset: ev.offset, time: ev.time, device: ev.device, endpoint: ev.endpoint },
      ),
    );
  }

  /** EndpointTypeLookup: the transfer type the capture tool gave for this endpoint. */
  endpointType(address: number, endpointAddress: number, bus?: number): EndpointType | undefined {
    if (bus !== undefined) return this.endpointsSeen.get(`${bus}:${address}`)?.get(endpointAddress);
    for (const [key, eps] of this.endpointsSeen) {
      if (key.endsWith(`:${address}`)) {
        const t = eps.get(endpointAddress);
        if (t !== undefined) return t;
      }
    }
    return undefined;
  }

  /** Devices seen, each with its endpoints and their transfer types. */
  devices(): { bus: number; device: number; endpoints: { endpoint: number; type: EndpointType }[] }[] {
    const out = [];
    for (const [key, eps] of this.endpointsSeen) {
      const [bus, device] = key.split(":").map(Number);
      out.push({
        bus,
        device,
        endpoints: [...eps]
          .map(([endpoint, type]) => ({ endpoint, type }))
          .sort((a, b) => a.endpoint - b.endpoint),
      });
    }
    return out.sort((a, b) => a.bus - b.bus || a.device - b.device);
  }

  /** Open submissions right now (bounded by maxPending). */
  get pendingCount(): number {
    return this.pairing.size;
  }

  private noteEndpoint(ev: UrbEvent): void {
    const key = `${ev.bus}:${ev.device}`;
    let eps = this.endpointsSeen.get(key);
    if (eps === undefined) {
      // Bounded like the devices: past MAX_DEVICES_SEEN the devices seen so far are forgotten (descriptors still
      // give endpoint types; a Map's oldest key is no O(1) to find after many deletions).
      if (this.endpointsSeen.size >= MAX_DEVICES_SEEN) this.endpointsSeen.clear();
      this.endpointsSeen.set(key, (eps = new Map()));
    }
    // Control endpoint 0 is one endpoint in both directions (§9.6.6); record it under both addresses.
    if (!eps.has(ev.endpoint)) eps.set(ev.endpoint, ev.transferType!);
  }

  private counterOf(ev: UrbEvent): UrbTypeCounters {
    return this.counters[ev.transferType ?? "other"];
  }

  /**
   * A completion ('C') or submission error ('E') arrived; `pending` is its submission, if seen.
   * `gathered`: a USBPcap control transfer's data, collected from its stages.
   */
  private completed(ev: UrbEvent, pending: PendingUrb | undefined, gathered?: Uint8Array): void {
    const counter = this.counterOf(ev);
    counter.urbs++;
    // usbmon C length is the actual length both ways; a USBPcap OUT completion may carry no length.
    counter.bytes +=
      gathered !== undefined
        ? gathered.length
        : pending !== undefined && ev.source === "usbpcap" && !(ev.endpoint & 0x80)
          ? pending.submit.length
          : ev.length;
    // A control URB's failure goes with its transfer (emitControl): the request says how serious it is.
    const control = pending !== undefined && pending.controlIndex >= 0;
    let failure: Finding | undefined;
    if (isUrbError(ev.status, ev.source)) {
      counter.errors++;
      // One cause, one finding: a control read that overflowed is CTRL_RESP_OVER_WLENGTH (emitControl), which
      // names the status; no URB_ERROR besides it.
      if (!(control && overflowStatus(ev.status, ev.source) && isControlIn(pending))) {
        failure = this.urbError(ev, pending);
        if (!control || !this.ctx.deferControlFailures) this.ctx.findings.add(failure);
      }
    }
    // USBPcap's IRP-information records (ABORT_PIPE, RESET_PIPE...) move no data: not transfers.
    if (ev.transferType !== undefined && (pending === undefined || pending.controlIndex < 0)) {
      if (
        pending !== undefined &&
        ev.xferType !== XFER_CONTROL &&
        (pending.submit.endpoint & 0x80) !== (ev.endpoint & 0x80)
      ) {
        // A reused IRP (see the file comment): two transfers, each half seen.
        if (this.listed(pending.submit))
          this.emitTransfer(urbTransfer(pending.submit, undefined, true, undefined, IRP_REUSED), false);
        if (this.listed(ev)) this.emitTransfer(urbTransfer(undefined, ev, true), true);
      } else if (this.listed(ev)) {
        this.emitTransfer(urbTransfer(pending?.submit, ev, true), true);
      }
    }
    if (pending === undefined) {
      this.unpairedCompletions++;
      if (!this.firstUnpaired(ev, "C")) return;
      this.ctx.findings.add(
        finding(
          FMT_URB_UNPAIRED,
          `${ev.kind === "error" ? "submission error" : "completion"} of URB ${ev.id} (${describe(ev)}) has no submission in the capture${ev.xferType === XFER_CONTROL ? "" : MORE}`,
          {
            packet: ev.record,
            offset: ev.offset,
            time: ev.time,
            device: ev.device,
            endpoint: ev.endpoint,
          },
          ev.xferType === XFER_CONTROL ? "warning" : "info",
        ),
      );
      return;
    }
    if (control) this.emitControl(pending, ev, ev.status, gathered, failure);
  }

  /**
   * The finding a failed URB makes. A control request the device STALLed is CTRL_STALL, info, as on a raw
   * capture (§9.2.7: the device refuses a request it does not support; the descriptor rules judge the requests
   * it must answer). Other statuses are URB_ERROR, info when they tell nothing against the device (status.ts
   * harmlessReason), as are USBPcap's IRP-information records (the host stack's own pipe operations).
   */
  private urbError(ev: UrbEvent, pending: PendingUrb | undefined): Finding {
    const setup = pending?.submit.setup;
    const place = {
      packet: ev.record,
      offset: ev.offset,
      time: ev.time,
      device: ev.device,
      endpoint: ev.endpoint,
    };
    const status = urbStatusName(ev.status, ev.source);
    if (
      setup !== undefined &&
      pending!.controlIndex >= 0 &&
      controlStatusOf(ev.status, ev.source) === "stall"
    )
      return finding(
        CTRL_STALL,
        `${this.nameOf(setup, pending!.submit)} STALLed by device ${ev.device} (URB completed with ${status})`,
        { ...place, transfer: pending!.controlIndex },
      );
    const what = setup !== undefined ? `${this.nameOf(setup, pending!.submit)} ` : "";
    const reason =
      ev.transferType === undefined
        ? "a USBPcap IRP-information record: the host stack's own pipe operation, not a transfer"
        : harmlessReason(ev.status, ev.source);
    return finding(
      URB_ERROR,
      `${what}URB ${ev.kind === "error" ? "submission failed" : "completed"} with ${status} (${describe(ev)})${reason ? `: ${reason}` : ""}`,
      pending !== undefined && pending.controlIndex >= 0
        ? { ...place, transfer: pending.controlIndex }
        : place,
      reason === undefined ? "warning" : "info",
    );
  }

  /** USBPcap control: SETUP opens, DATA adds, STATUS/COMPLETE closes (see the file comment). */
  private usbpcapControl(ev: UrbEvent): void {
    const stage = ev.usbpcap?.stage;
    if (stage === UsbPcapControlStage.SETUP && ev.kind === "submit" && ev.setup !== undefined) {
      this.pairing.submit(ev, this.nextControlIndex++);
      return;
    }
    if (stage === UsbPcapControlStage.DATA) {
      const pending = this.pairing.find(ev);
      if (pending === undefined) {
        // No SETUP stage seen: hold the URB open so that its STATUS stage is reported with it, once.
        this.pairing.submit(ev).orphan = true;
        return;
      }
      // Old USBPcap: the data stage is its own record, from the host (OUT) or the device (IN).
      this.pairing.append(pending, ev.data);
      if (pending.status === 0 && ev.status !== 0) pending.status = ev.status;
      pending.lastRecord = ev.record;
      return;
    }
    if (ev.kind === "submit") {
      // A submission that is not a SETUP stage (should not happen): count it as a plain URB.
      this.pairing.submit(ev);
      return;
    }
    const pending = this.pairing.complete(ev);
    // A status an earlier stage reported stands unless this one reports its own.
    const status = ev.status !== 0 ? ev.status : (pending?.status ?? 0);
    const final: UrbEvent = status === ev.status ? ev : { ...ev, status };
    if (pending === undefined || pending.orphan) {
      this.completed(final, undefined);
      return;
    }
    // USBPcap >= 1.5: the COMPLETE stage carries the IN data; OUT data came with the SETUP stage.
    if (
      stage === UsbPcapControlStage.COMPLETE &&
      ev.data.length > 0 &&
      ((pending.submit.setup?.bmRequestType ?? 0x80) & 0x80) !== 0
    ) {
      this.pairing.append(pending, ev.data);
    }
    this.completed(final, pending, pending.data);
  }

  private emitControl(
    pending: PendingUrb,
    done: UrbEvent,
    status: number,
    gathered?: Uint8Array,
    failure?: Finding,
  ): void {
    const submit = pending.submit;
    const setup = submit.setup!;
    const isIn = (setup.bmRequestType & 0x80) !== 0;
    let data: Uint8Array;
    if (gathered !== undefined) data = gathered;
    else data = isIn ? done.data : pending.data;
    const ct: ControlTransfer & { dataTruncated?: boolean } = {
      index: pending.controlIndex,
      source: "urb",
      bus: submit.bus,
      address: submit.device,
      setup,
      request: this.nameOf(setup, submit),
      data,
      status: controlStatusOf(status, done.source),
      firstPacket: submit.record,
      lastPacket: done.record,
      start: submit.time,
      end: done.time,
      urbStatus: status,
    };
    // A stall's status too, so that a rule reporting the failed request names what the capture tool saw.
    if (ct.status !== "ok") ct.detail = urbStatusName(status, done.source);
    if (noResponseStatus(status, done.source)) ct.unanswered = true;
    if (failure !== undefined && this.ctx.deferControlFailures) ct.failure = failure;
    // usbmon text shows at most 32 bytes and binary records may be clipped: say so, so that
    // descriptor checks do not mistake a capture limit for a short descriptor.
    const urbLength = gathered !== undefined ? data.length : isIn ? done.length : submit.length;
    if (data.length < urbLength) {
      ct.dataTruncated = true;
      ct.detail = `${ct.detail !== undefined ? `${ct.detail}; ` : ""}the capture holds ${data.length} of the ${urbLength} data bytes`;
    }
    if (isIn && (overflowStatus(status, done.source) || data.length > setup.wLength)) {
      this.ctx.findings.add(
        finding(
          CTRL_RESP_OVER_WLENGTH,
          data.length > setup.wLength
            ? `${ct.request}: ${data.length} bytes returned for wLength ${setup.wLength}`
            : `${ct.request}: the read completed with ${urbStatusName(status, done.source)}: the device sent more than wLength ${setup.wLength} bytes`,
          {
            packet: done.record,
            offset: done.offset,
            time: done.time,
            transfer: ct.index,
            device: ct.address,
            endpoint: endpointAddr(0, true),
          },
        ),
      );
    }
    this.ctx.onControlTransfer(ct);
    this.transfers?.completed(
      urbTransfer(submit, done, true, {
        setup,
        request: ct.request,
        controlIndex: ct.index,
        data,
        status: ct.status,
        lastPacket: ct.lastPacket,
        dataTruncated: ct.dataTruncated === true,
        urbStatus: status,
        class: ct.class,
      }),
      setup,
    );
  }

  /** A non-control URB becomes a transfer: for a listener, or for the class decoder when it wants the endpoint. */
  private listed(ev: UrbEvent): boolean {
    if (this.transfers !== undefined) return true;
    return (
      this.classHook !== undefined &&
      (ev.transferType === "bulk" || ev.transferType === "interrupt") &&
      this.classHook.wants(ev.device, ev.endpoint, ev.bus)
    );
  }

  /** Hand a transfer to the class decoder (every one, before folding) and then to the listener. */
  private emitTransfer(t: TransferSummary, completed: boolean): void {
    if (
      this.classHook !== undefined &&
      (t.kind === "bulk" || t.kind === "interrupt") &&
      this.classHook.wants(t.device, t.endpoint | (t.direction === "in" ? 0x80 : 0), t.bus)
    )
      this.classHook.transfer(t);
    if (completed) this.transfers?.completed(t);
    else this.transfers?.unfinished(t);
  }

  /** A request's name: the class decoder's (AnalysisContext.nameRequest) for class and vendor requests, else the standard one. */
  private nameOf(setup: SetupPacket, ev: UrbEvent): string {
    const named =
      (setup.bmRequestType & 0x60) !== 0 ? this.ctx.nameRequest?.(setup, ev.device, ev.bus) : undefined;
    return named ?? requestName(setup);
  }

  private evicted(p: PendingUrb, reason: EvictReason): void {
    if (p.orphan) {
      this.completed(p.submit, undefined);
      return;
    }
    this.unpairedSubmission(
      p,
      reason === "capacity"
        ? `more than ${this.pairing.capacity} URBs were open: the oldest was dropped`
        : "its tag was submitted again before it completed",
      reason === "capacity" ? "warning" : undefined,
    );
  }

  /** Control URBs are always reported; other endpoints once per endpoint and kind ("S"/"C"). */
  private firstUnpaired(ev: UrbEvent, kind: "S" | "C"): boolean {
    if (ev.xferType === XFER_CONTROL) return true;
    const key = `${kind}${ev.bus}:${ev.device}:${ev.endpoint}`;
    // Past MAX_DEVICES_SEEN endpoints reported, the rest are counted only (memory stays bounded).
    if (this.unpairedReported.has(key) || this.unpairedReported.size >= MAX_DEVICES_SEEN) return false;
    this.unpairedReported.add(key);
    return true;
  }

  private unpairedSubmission(p: PendingUrb, why: string, severity?: "warning" | "info"): void {
    const s = p.submit;
    const isControl = p.controlIndex >= 0;
    this.unpairedSubmissions++;
    if (severity === "warning" || this.firstUnpaired(s, "S"))
      this.ctx.findings.add(
        finding(
          FMT_URB_UNPAIRED,
          `submission of URB ${s.id} (${describe(s)}${isControl ? `, ${this.nameOf(s.setup!, s)}` : ""}) has no completion: ${why}${s.xferType === XFER_CONTROL ? "" : MORE}`,
          {
            packet: s.record,
            offset: s.offset,
            time: s.time,
            device: s.device,
            endpoint: s.endpoint,
          },
          severity ?? (s.xferType === XFER_CONTROL ? "warning" : "info"),
        ),
      );
    let control: ControlFacts | undefined;
    if (isControl) {
      const setup = s.setup!;
      const ct: ControlTransfer = {
        index: p.controlIndex,
        source: "urb",
        bus: s.bus,
        address: s.device,
        setup,
        request: this.nameOf(setup, s),
        data: setup.bmRequestType & 0x80 ? EMPTY_DATA : p.data,
        status: "incomplete",
        firstPacket: s.record,
        lastPacket: p.lastRecord,
        start: s.time,
        end: s.time,
        detail: `URB never completed: ${why}`,
      };
      this.ctx.onControlTransfer(ct);
      control = {
        setup,
        request: ct.request,
        controlIndex: p.controlIndex,
        data: ct.data,
        status: "incomplete",
        lastPacket: p.lastRecord,
        dataTruncated: false,
        class: ct.class,
      };
    }
    if (
      s.transferType !== undefined &&
      (control !== undefined ? this.transfers !== undefined : this.listed(s))
    )
      this.emitTransfer(urbTransfer(s, undefined, true, control, `no completion: ${why}`), false);
  }
}

const IRP_REUSED =
  "no completion in the capture: the driver reused its IRP for the next URB, which USBPcap does not record";

const MORE = " (further unpaired URBs on this endpoint are counted, not reported)";

/** -75 EOVERFLOW (usbmon) or the USBPcap overrun/babble statuses. */
/** The URB is a control read (its SETUP's bmRequestType has the IN bit). */
function isControlIn(pending: PendingUrb | undefined): boolean {
  const setup = pending?.submit.setup;
  return setup !== undefined && (setup.bmRequestType & 0x80) !== 0;
}

function overflowStatus(status: number, source: "usbmon" | "usbpcap"): boolean {
  if (source === "usbmon") return status === -75;
  const s = status >>> 0;
  return s === UsbdStatus.DATA_OVERRUN || s === UsbdStatus.BABBLE_DETECTED;
}

/** "bus 1 device 2 endpoint 0x81 interrupt". */
function describe(ev: UrbEvent): string {
  return `bus ${ev.bus} device ${ev.device} endpoint 0x${ev.endpoint.toString(16).padStart(2, "0")} ${ev.transferType ?? `type 0x${ev.xferType.toString(16)}`}`;
}
