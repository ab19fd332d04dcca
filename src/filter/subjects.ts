// The Subjects for records that are objects already: URB events (one per usbmon/USBPcap record),
// transfers (the `transfers` tree) and findings (`analyze`).
import type { Finding } from "../usb/finding.js";
import type { TransferSummary } from "../transfers/transferSummary.js";
import type { UrbEvent } from "../urb/urbEvent.js";
import { requestName } from "../usb/requests.js";
import { urbOutcome } from "../urb/status.js";
import type { FilterEnv } from "./compile.js";
import { KindBit, StatusBit, type Subject } from "./subject.js";

const TYPE_KIND: Record<string, number> = {
  control: KindBit.CONTROL,
  bulk: KindBit.BULK,
  interrupt: KindBit.INTERRUPT,
  isochronous: KindBit.ISO,
};

const OUTCOME_STATUS: Record<string, number> = {
  ok: StatusBit.OK,
  stall: StatusBit.STALL,
  nak: StatusBit.NAK,
  error: StatusBit.ERROR,
  incomplete: StatusBit.INCOMPLETE,
  cancelled: StatusBit.CANCELLED,
};

/** usbmon -EILSEQ and USBD_STATUS_CRC: the host saw a CRC error. */
const isCrcStatus = (ev: UrbEvent) =>
  ev.source === "usbmon" ? ev.status === -84 : ev.status >>> 0 === 0xc0000001;

export function urbStatusBits(ev: UrbEvent): number {
  if (ev.kind === "error") return StatusBit.ERROR;
  // A submission has no outcome yet (usbmon -EINPROGRESS): it is not a failure.
  if (ev.kind === "submit") return StatusBit.OK;
  const bits = OUTCOME_STATUS[urbOutcome(ev.status, ev.source)] ?? StatusBit.ERROR;
  return isCrcStatus(ev) ? bits | StatusBit.BAD_CRC : bits;
}

export function urbSubject(env: FilterEnv): Subject<UrbEvent> {
  return {
    dev: (e) => e.device,
    bus: (e) => e.bus,
    epaddr: (e) => e.endpoint,
    kind: (e) => {
      let k = TYPE_KIND[e.transferType ?? ""] ?? 0;
      if (e.setup) k |= KindBit.SETUP;
      // An interrupt IN URB completed with nothing: the poll came back empty.
      if (k & KindBit.INTERRUPT && e.kind === "complete" && e.endpoint & 0x80 && e.length === 0)
        k |= KindBit.POLL;
      return k;
    },
    pid: () => NaN,
    status: urbStatusBits,
    urbStatus: (e) => e.status,
    len: (e) => e.length,
    sec: (e) => e.time.sec,
    nsec: (e) => e.time.nsec,
    first: (e) => e.record,
    last: (e) => e.record,
    data: (e) => e.data,
    findings: (e) => env.facts?.findingsAt(e.record),
    // A control transfer's request, on its own endpoint 0 only: not on another endpoint's URB meanwhile.
    request: (e) =>
      e.setup
        ? requestName(e.setup)
        : (e.endpoint & 0x0f) === 0
          ? env.facts?.requestAt(e.record, e.device, e.bus)
          : undefined,
  };
}

export function transferSubject(env: FilterEnv): Subject<TransferSummary> {
  return {
    dev: (t) => (t.device < 0 ? NaN : t.device),
    bus: (t) => t.bus ?? NaN,
    epaddr: (t) =>
      t.kind === "invalid" && t.device < 0 ? NaN : t.endpoint | (t.direction === "in" ? 0x80 : 0),
    kind: (t) => {
      let k = t.kind === "polling" ? KindBit.POLL : (TYPE_KIND[t.kind] ?? 0);
      if (t.kind === "control") k |= KindBit.SETUP;
      if (t.kind === "polling" && env.facts && t.device >= 0) {
        const type = env.facts.endpointType(t.device, t.endpoint | (t.direction === "in" ? 0x80 : 0), t.bus);
        k |= TYPE_KIND[type ?? ""] ?? 0;
      }
      if (k & KindBit.INTERRUPT && t.urb && t.direction === "in" && t.dataLength === 0 && t.outcome === "ok")
        k |= KindBit.POLL;
      return k;
    },
    pid: () => NaN,
    status: (t) => OUTCOME_STATUS[t.outcome] ?? StatusBit.ERROR,
    urbStatus: (t) => t.urb?.status ?? NaN,
    len: (t) => t.dataLength,
    sec: (t) => (t.urb?.submitted ?? t.urb?.completed)?.sec ?? NaN,
    nsec: (t) => (t.urb?.submitted ?? t.urb?.completed)?.nsec ?? NaN,
    first: (t) => t.firstPacket,
    last: (t) => t.repeat?.lastPacket ?? t.lastPacket,
    data: (t) => t.data,
    findings: (t) => env.facts?.findingsIn(t.firstPacket, t.repeat?.lastPacket ?? t.lastPacket),
    request: (t) => t.request,
  };
}

export function findingSubject(env: FilterEnv): Subject<Finding> {
  const list = new WeakMap<Finding, Finding[]>();
  return {
    dev: (f) => f.device ?? NaN,
    bus: () => NaN,
    epaddr: (f) => f.endpoint ?? NaN,
    // The endpoint's type, from the descriptors (endpoint 0: control).
    kind: (f) =>
      f.device === undefined || f.endpoint === undefined
        ? 0
        : (f.endpoint & 0x0f) === 0
          ? KindBit.CONTROL
          : (TYPE_KIND[env.facts?.endpointType(f.device, f.endpoint) ?? ""] ?? 0),
    pid: () => NaN,
    status: () => 0,
    urbStatus: () => NaN,
    len: () => NaN,
    sec: (f) => f.time?.sec ?? NaN,
    nsec: (f) => f.time?.nsec ?? NaN,
    first: (f) => f.packet ?? NaN,
    last: (f) => f.packet ?? NaN,
    data: () => undefined,
    findings: (f) => {
      let l = list.get(f);
      if (!l) list.set(f, (l = [f]));
      return l;
    },
    request: (f) =>
      f.packet !== undefined && f.device !== undefined ? env.facts?.requestAt(f.packet, f.device) : undefined,
  };
}
