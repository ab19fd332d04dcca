// URB events → transfers: one TransferSummary per URB, the same shape the raw-packet layer hands its
// listeners, so `usbscope transfers` lists a host capture's bulk, interrupt and isochronous traffic
// next to its control transfers. Built only when a listener is attached (UrbLayer `onTransfer`).
//
// Folding: a keyboard polled every 8 ms makes 450,000 interrupt URBs an hour, most of them the same
// report again (or nothing at all). As NAK polling is folded on raw captures, a run of completions
// on one endpoint that repeat the transfer listed before them (same outcome, status, lengths, bytes
// and, for control, the same request) becomes one entry with a count and a time span, emitted when
// the run ends. The transfer that starts a run is listed where it happened, so every line that is
// not a repeat stays in capture order. Memory: one run per endpoint, at most MAX_RUNS of them.
import type { ControlStatus, SetupPacket } from "../usb/model.js";
import type { ClassDecode } from "../usb/classDecode.js";
import type {
  TransferKind,
  TransferListener,
  TransferSummary,
  UrbTransferInfo,
} from "../transfers/transferSummary.js";
import { urbOutcome, urbStatusWords } from "./status.js";
import type { UrbEvent } from "./urbEvent.js";

/** What the control layer knows about a control URB (its setup, its gathered data, its outcome). */
export interface ControlFacts {
  setup: SetupPacket;
  request: string;
  controlIndex: number;
  /** Data stage bytes as the capture holds them. */
  data: Uint8Array;
  status: ControlStatus;
  /** Last record of the transfer (USBPcap stages may follow the completion's record). */
  lastPacket: number;
  dataTruncated: boolean;
  /** The status that decided the outcome (a USBPcap stage may report it before the completion). */
  urbStatus?: number;
  /** The class decoding of the request (ControlTransfer.class). */
  class?: ClassDecode;
}

/** Endpoints whose run is kept open at once; beyond this the oldest run is closed (bounded memory). */
export const MAX_RUNS = 4096;

/**
 * The transfer one URB made. `submit` and `done` are its submission and its completion (or
 * submission error); either may be missing from the capture, not both. `keepData` puts the payload
 * bytes on the summary.
 */
export function urbTransfer(
  submit: UrbEvent | undefined,
  done: UrbEvent | undefined,
  keepData: boolean,
  control?: ControlFacts,
  detail?: string,
): TransferSummary {
  const ev = (done ?? submit)!;
  const source = ev.source;
  // The completion's endpoint is the URB's (USBPcap keys a reused IRP to the endpoint number only).
  const endpointAddress = control ? control.setup.bmRequestType & 0x80 : ev.endpoint;
  const isIn = (endpointAddress & 0x80) !== 0;
  const kind: TransferKind = control ? "control" : (ev.transferType ?? "unknown");
  // OUT data travels with the submission, IN data with the completion (usbmon.rst; USBPcap the same).
  const holder = isIn ? done : submit;
  const data = control ? control.data : (holder?.data ?? EMPTY);
  const captured = control ? control.data.length : (holder?.dataCaptured ?? 0);
  const status = done ? (control?.urbStatus ?? done.status) : undefined;

  let requested: number | undefined;
  if (control) requested = control.setup.wLength;
  // A USBPcap IN submission carries no buffer, so its dataLength says nothing of the length asked for.
  else if (submit && (source === "usbmon" || !isIn)) requested = submit.length;

  let actual: number | undefined;
  if (done) {
    if (done.kind === "error") actual = 0;
    else if (source === "usbmon") actual = done.length;
    else if (control) actual = control.data.length;
    else if (isIn) actual = done.length;
    // USBPcap records no actual length for OUT: a successful OUT URB sent all it was given (§5.8.3).
    else if (submit && status === 0) actual = submit.length;
  }

  const moved = isIn ? actual : submit?.length;
  const truncated = control ? control.dataTruncated : moved !== undefined && captured < moved;
  const urb: UrbTransferInfo = { id: ev.id, source, capturedLength: captured, truncated };
  if (status !== undefined) {
    urb.status = status;
    urb.statusText = urbStatusWords(status, source);
  }
  if (requested !== undefined) urb.requestedLength = requested;
  if (actual !== undefined) urb.actualLength = actual;
  if (submit) {
    urb.submitRecord = submit.record;
    urb.submitted = submit.time;
  }
  if (done) {
    urb.completeRecord = done.record;
    urb.completed = done.time;
  }
  if (submit && done)
    urb.latencyUs =
      (done.time.sec - submit.time.sec) * 1e6 + Math.round((done.time.nsec - submit.time.nsec) / 1e3);
  const facts = done ?? submit!;
  if (facts.interval !== undefined) urb.interval = facts.interval;
  if (facts.startFrame !== undefined) urb.startFrame = facts.startFrame;
  if (facts.errorCount !== undefined) urb.errorCount = facts.errorCount;
  const iso = done?.iso ?? submit?.iso;
  const packets = done?.numberOfPackets ?? submit?.numberOfPackets;
  if (packets !== undefined) urb.isoPackets = packets;
  if (iso !== undefined) urb.iso = iso.map((d) => ({ offset: d.offset, length: d.length, status: d.status }));
  const why = detail ?? (done && !submit ? "its submission is not in the capture" : undefined);
  if (why !== undefined) urb.detail = why;

  const t: TransferSummary = {
    kind,
    device: ev.device,
    endpoint: endpointAddress & 0x0f,
    direction: isIn ? "in" : "out",
    firstPacket: submit?.record ?? done!.record,
    lastPacket: control?.lastPacket ?? done?.record ?? submit!.record,
    transactions: [],
    transactionsOmitted: 0,
    dataLength: actual ?? captured,
    outcome: control ? control.status : done ? urbOutcome(done.status, source) : "incomplete",
    nakCount: 0,
    bus: ev.bus,
    urb,
  };
  if (control) {
    t.request = control.request;
    t.controlIndex = control.controlIndex;
    if (control.class !== undefined) t.class = control.class;
  }
  if (keepData) {
    t.data = data;
    if (truncated) t.dataTruncated = true;
  }
  return t;
}

const EMPTY = new Uint8Array(0);

/** An open run: the transfer that started it, and the repeats folded since. */
interface Run {
  /** What a repeat must equal (see `signature`). */
  signature: string;
  data: Uint8Array | undefined;
  /** The first repeat, and the last; undefined while the run has none. */
  first?: TransferSummary;
  last?: TransferSummary;
  count: number;
}

/** Hands transfers to `emit` in capture order, runs of repeats folded (see the file comment). */
export class UrbTransfers {
  private readonly runs = new Map<string, Run>();

  constructor(
    private readonly emit: TransferListener,
    private readonly fold: boolean,
  ) {}

  /** A completed URB's transfer; `setup` makes control transfers repeat only the same request. */
  completed(t: TransferSummary, setup?: SetupPacket): void {
    if (!this.fold) return this.emit(t);
    const key = `${t.bus}:${t.device}:${t.endpoint}:${t.direction}:${t.kind}`;
    const sig = signature(t, setup);
    const run = this.runs.get(key);
    if (run !== undefined && run.signature === sig && sameBytes(run.data, t.data)) {
      run.count++;
      run.first ??= t;
      run.last = t;
      // Most recently used last: the oldest run is the one closed when there are too many.
      this.runs.delete(key);
      this.runs.set(key, run);
      return;
    }
    if (run !== undefined) {
      this.runs.delete(key);
      this.close(run);
    }
    this.emit(t);
    this.runs.set(key, { signature: sig, data: t.data, count: 0 });
    if (this.runs.size > MAX_RUNS) {
      const [oldestKey, oldest] = this.runs.entries().next().value as [string, Run];
      this.runs.delete(oldestKey);
      this.close(oldest);
    }
  }

  /** A URB with no completion in the capture: listed as it is, never folded. */
  unfinished(t: TransferSummary): void {
    this.emit(t);
  }

  /** The end of the capture: the runs still open are emitted, in the order they started. */
  end(): void {
    const open = [...this.runs.values()].filter((r) => r.first !== undefined);
    this.runs.clear();
    open.sort((a, b) => a.first!.firstPacket - b.first!.firstPacket);
    for (const r of open) this.close(r);
  }

  private close(run: Run): void {
    if (run.first === undefined) return;
    if (run.count === 1) return this.emit(run.first);
    const first = run.first;
    const last = run.last!;
    this.emit({
      ...first,
      lastPacket: last.lastPacket,
      repeat: {
        count: run.count,
        firstPacket: first.firstPacket,
        lastPacket: last.lastPacket,
        start: first.urb?.completed ?? first.urb?.submitted ?? { sec: 0, nsec: 0 },
        end: last.urb?.completed ?? last.urb?.submitted ?? { sec: 0, nsec: 0 },
      },
    });
  }
}

/** Everything two transfers must share, but their bytes, to be the same transfer again. */
function signature(t: TransferSummary, setup?: SetupPacket): string {
  const u = t.urb;
  const iso = u?.iso ? u.iso.map((d) => `${d.length}/${d.status}`).join(",") : "";
  const s = setup
    ? `${setup.bmRequestType},${setup.bRequest},${setup.wValue},${setup.wIndex},${setup.wLength}`
    : "";
  return `${t.outcome}|${u?.status}|${t.dataLength}|${u?.capturedLength}|${u?.truncated}|${s}|${iso}`;
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
