// DFU (USB DFU 1.1) as the firmware developer follows it: each download (or upload) as one session
// object, its blocks in order, each DNLOAD with the GETSTATUS polling that followed it, the manifest
// phase and the final state; and the DFU rules (dfuRules.ts) on the device's state machine (Appendix A),
// which the tracker follows from the requests the device accepted and the states it reported.
import { finding, type FindingPlace, type FindingSink, type Severity } from "../usb/finding.js";
import { deviceAddr } from "../usb/ids.js";
import type { ControlTransfer, Timestamp } from "../usb/model.js";
import { msBetween } from "../usb/time.js";
import { dfuStateName, dfuStatusName, parseDfuStatus } from "./dfu.js";
import * as R from "./dfuRules.js";

/** DFU 1.1 §6.1.2: bState values the tracker acts on. */
export const DfuState = {
  appIDLE: 0,
  appDETACH: 1,
  dfuIDLE: 2,
  dfuDNLOAD_SYNC: 3,
  dfuDNBUSY: 4,
  dfuDNLOAD_IDLE: 5,
  dfuMANIFEST_SYNC: 6,
  dfuMANIFEST: 7,
  dfuMANIFEST_WAIT_RESET: 8,
  dfuUPLOAD_IDLE: 9,
  dfuERROR: 10,
} as const;
const S = DfuState;

/** DFU 1.1 §3 Table 3.2: bRequest. */
const DETACH = 0;
const DNLOAD = 1;
const UPLOAD = 2;
const GETSTATUS = 3;
const CLRSTATUS = 4;
const GETSTATE = 5;
const ABORT = 6;

/** §6.1.2 bStatus 15: the device stalled an unexpected request. */
const ERR_STALLEDPKT = 15;

/**
 * DFU_DNLOAD by state (Appendix A.2): the state a device that accepts it enters, for a block (wLength > 0)
 * and for the end of the download (wLength 0); a state missing from the table must STALL the request and
 * enter dfuERROR.
 */
const DNLOAD_NEXT: Readonly<Record<number, { block?: number; end?: number }>> = {
  // A.2.3 dfuIDLE: a block (bitCanDnload) starts the download; wLength 0 is an error, nothing to manifest.
  [S.dfuIDLE]: { block: S.dfuDNLOAD_SYNC },
  // A.2.6 dfuDNLOAD-IDLE: the next block, or wLength 0 to begin manifestation.
  [S.dfuDNLOAD_IDLE]: { block: S.dfuDNLOAD_SYNC, end: S.dfuMANIFEST_SYNC },
};

/** The host waits bwPollTimeout from the GETSTATUS reply; a frame of slack for the schedule (USB 2.0 §8.4.3.1). */
const POLL_SLACK_MS = 1;

/** Blocks listed per session, polls listed per block (all counted). */
export const MAX_LISTED_BLOCKS = 10_000;
export const MAX_LISTED_POLLS = 16;

/** One GETSTATUS reply (§6.1.2). */
export interface DfuPoll {
  record: number;
  /** bStatus by name: "OK", "errWRITE"... */
  status: string;
  /** bState by name: "dfuDNBUSY"... */
  state: string;
  bwPollTimeout: number;
  /** Milliseconds from the previous reply that asked the host to wait, to this request. */
  waitedMs?: number;
}

/** One DNLOAD (or UPLOAD) block and the polling after it. */
export interface DfuBlock {
  /** wValue: the block number. */
  block: number;
  /** Bytes moved (DNLOAD: the host's data stage; UPLOAD: the device's reply). */
  length: number;
  record: number;
  /** The device accepted the request (false: STALLed or failed). */
  accepted: boolean;
  polls: DfuPoll[];
  /** Polls after this block, when more than MAX_LISTED_POLLS. */
  pollCount?: number;
}

/** One download or upload, first block to final state (the JSON contract's `dfuSessions`). */
export interface DfuSession {
  bus?: number;
  device: number;
  interface: number;
  kind: "download" | "upload";
  blocks: DfuBlock[];
  /** Every block, listed or not. */
  blockCount: number;
  /** Data bytes the accepted blocks moved. */
  bytes: number;
  /** The DNLOAD of wLength 0 that ends a download (§6.1.1) and the polling of manifestation (§7). */
  manifest?: { record: number; accepted: boolean; polls: DfuPoll[] };
  /** The last state and status the device reported. */
  finalState?: string;
  finalStatus?: string;
  /**
   * "complete": manifestation reported done (dfuIDLE, dfuMANIFEST-WAIT-RESET), or an upload's short block;
   * "error": an error status or dfuERROR; "aborted": DFU_ABORT; "open": the capture ended first.
   */
  outcome: "complete" | "error" | "aborted" | "open";
  startRecord: number;
  endRecord: number;
  start?: Timestamp;
  /** One line: "download of 4 blocks (4096 bytes): complete, dfuIDLE". */
  summary: string;
}

/** The DFU interface's functional descriptor attributes (§4.1.3 Table 4.2), when the capture shows them. */
export interface DfuAttributes {
  canDnload?: boolean;
  manifestationTolerant?: boolean;
}

/** One DFU interface of one device. */
export class DfuFunction {
  /** The device's state as the capture shows it; undefined until a reply or an accepted request tells. */
  private state: number | undefined;
  /** The reply that asked the host to wait (dfuDNBUSY, dfuMANIFEST), until the next request. */
  private busy: { end: Timestamp; timeout: number; state: number } | undefined;
  private session: DfuSession | undefined;
  /** A DNLOAD or UPLOAD was seen since the capture began, or since the last CLRSTATUS or ABORT. */
  private activity = false;
  /** The record of the last request the device STALLed. */
  private lastStall: number | undefined;
  /** The error status was reported; again only after CLRSTATUS, ABORT or an OK status. */
  private errorReported = false;

  constructor(
    private readonly where: { bus?: number; device: number; interface: number },
    private readonly findings: FindingSink,
    private readonly onSession: (s: DfuSession) => void,
    /** Read when needed: the descriptors may come after the first request. */
    private readonly attributes: () => DfuAttributes,
  ) {}

  /** A completed DFU class request to the interface. */
  request(ct: ControlTransfer): void {
    const ok = ct.status === "ok";
    const waited = this.leaveBusy(ct, ok);
    if (!ok && ct.status !== "stall") {
      // The host gave up or the capture lost it: what the device did is unknown.
      this.state = undefined;
      return;
    }
    if (!ok) {
      this.lastStall = ct.firstPacket;
      // Appendix A.2: a request the state does not allow is STALLed and the device enters dfuERROR.
      if (this.state === undefined || this.state >= S.dfuIDLE) this.state = S.dfuERROR;
    }
    switch (ct.setup.bRequest) {
      case DNLOAD:
        this.dnload(ct, ok);
        break;
      case UPLOAD:
        this.upload(ct, ok);
        break;
      case GETSTATUS:
        if (ok) this.getStatus(ct, waited);
        break;
      case CLRSTATUS:
        // A.2.10 dfuERROR: CLRSTATUS returns to dfuIDLE.
        if (ok) this.idleAgain();
        break;
      case GETSTATE:
        if (ok && ct.data.length >= 1) this.state = ct.data[0]!;
        break;
      case ABORT:
        // A.2.3, A.2.6, A.2.9: ABORT returns to dfuIDLE; an open download ends there.
        if (ok) {
          this.close("aborted", ct.firstPacket);
          this.idleAgain();
        }
        break;
      case DETACH:
        // A.1.1 appIDLE: DETACH starts the detach timer.
        if (ok && this.state === S.appIDLE) this.state = S.appDETACH;
        break;
    }
  }

  /** End of the capture: an open session stays open. */
  end(): void {
    const s = this.session;
    if (s) this.close("open", s.endRecord);
  }

  /**
   * The first request after a reply that asked the host to wait: the device has left dfuDNBUSY for
   * dfuDNLOAD-SYNC (A.2.5) or dfuMANIFEST for dfuMANIFEST-SYNC or dfuMANIFEST-WAIT-RESET (A.2.7). Returns
   * how long the host waited.
   */
  private leaveBusy(ct: ControlTransfer, answered: boolean): number | undefined {
    const b = this.busy;
    if (!b) return undefined;
    this.busy = undefined;
    const waited = msBetween(b.end, ct.start);
    if (b.state === S.dfuDNBUSY) this.state = S.dfuDNLOAD_SYNC;
    else
      this.state =
        this.attributes().manifestationTolerant === false ? S.dfuMANIFEST_WAIT_RESET : S.dfuMANIFEST_SYNC;
    if (answered && waited + POLL_SLACK_MS < b.timeout) {
      const d = ct.class?.name ?? ct.request;
      this.add(
        R.DFU_POLL_EARLY,
        `the host sent ${d} ${fmtMs(waited)} after the device reported ${dfuStateName(b.state)} with bwPollTimeout ${b.timeout} ms: it must wait that long before the next request (the host's fault); the device answered it anyway`,
        ct,
      );
    }
    return waited;
  }

  private dnload(ct: ControlTransfer, ok: boolean): void {
    const length = ct.setup.wLength;
    const before = this.state;
    if (ok && before !== undefined) {
      const allowed = length > 0 ? DNLOAD_NEXT[before]?.block : DNLOAD_NEXT[before]?.end;
      if (allowed === undefined)
        this.add(
          R.DFU_DNLOAD_STATE,
          `the device accepted DFU_DNLOAD block ${ct.setup.wValue}${length === 0 ? " of wLength 0 (end of download)" : `, ${length} bytes,`} in ${dfuStateName(before)}: ${length === 0 && before === S.dfuIDLE ? "there is nothing to manifest; " : ""}it must STALL it and enter dfuERROR (DFU 1.1 Appendix A.2)`,
          ct,
        );
      else if (before === S.dfuIDLE && length > 0 && this.attributes().canDnload === false)
        this.add(
          R.DFU_DNLOAD_STATE,
          `the device accepted DFU_DNLOAD block ${ct.setup.wValue} in dfuIDLE although its DFU functional descriptor says it cannot download (bitCanDnload 0): it must STALL it (DFU 1.1 Appendix A.2.3)`,
          ct,
        );
    }
    if (ok) this.state = length > 0 ? S.dfuDNLOAD_SYNC : S.dfuMANIFEST_SYNC;
    this.activity = true;
    let s = this.session;
    if (length > 0) {
      if (!s || s.kind !== "download" || s.manifest) s = this.open("download", ct);
      this.addBlock(s, ct, ok ? ct.data.length : 0, ok);
    } else {
      s ??= this.open("download", ct);
      s.manifest = { record: ct.firstPacket, accepted: ok, polls: [] };
      s.endRecord = ct.lastPacket;
    }
  }

  private upload(ct: ControlTransfer, ok: boolean): void {
    this.activity = true;
    let s = this.session;
    if (!s || s.kind !== "upload") s = this.open("upload", ct);
    this.addBlock(s, ct, ok ? ct.data.length : 0, ok);
    if (!ok) return;
    // A.2.9 dfuUPLOAD-IDLE: a short reply ends the upload and returns to dfuIDLE.
    if (ct.data.length < ct.setup.wLength) {
      this.state = S.dfuIDLE;
      this.close("complete", ct.lastPacket);
    } else this.state = S.dfuUPLOAD_IDLE;
  }

  private getStatus(ct: ControlTransfer, waited: number | undefined): void {
    const st = parseDfuStatus(ct.data);
    if (!st) return;
    const poll: DfuPoll = {
      record: ct.firstPacket,
      status: dfuStatusName(st.bStatus),
      state: dfuStateName(st.bState),
      bwPollTimeout: st.bwPollTimeout,
    };
    if (waited !== undefined) poll.waitedMs = Math.round(waited * 1000) / 1000;
    const s = this.session;
    if (s) {
      s.finalState = poll.state;
      s.finalStatus = poll.status;
      s.endRecord = ct.lastPacket;
      if (s.manifest) pushPoll(s.manifest, poll);
      else {
        const b = s.blocks[s.blocks.length - 1];
        if (b) pushPoll(b, poll);
      }
    }
    if (st.bStatus !== 0) this.statusError(ct, st.bStatus, st.bState);
    else this.errorReported = false;
    // §6.1.2: bState is the state the device enters as it sends the reply.
    this.state = st.bState;
    if (st.bState === S.dfuDNBUSY || st.bState === S.dfuMANIFEST)
      this.busy = { end: ct.end, timeout: st.bwPollTimeout, state: st.bState };
    if (!s) return;
    if (st.bStatus !== 0 || st.bState === S.dfuERROR) this.close("error", ct.lastPacket);
    else if (s.manifest && (st.bState === S.dfuIDLE || st.bState === S.dfuMANIFEST_WAIT_RESET))
      this.close("complete", ct.lastPacket);
  }

  /** DFU_STATUS_ERROR: an error bStatus, once per error until it is cleared. */
  private statusError(ct: ControlTransfer, bStatus: number, bState: number): void {
    if (this.errorReported) return;
    this.errorReported = true;
    const name = dfuStatusName(bStatus);
    const what = `DFU_GETSTATUS answered ${name} (${STATUS_MEANING[bStatus] ?? "a status DFU 1.1 does not define"}) in ${dfuStateName(bState)}`;
    let severity: Severity = "error";
    let why: string;
    if (bStatus === ERR_STALLEDPKT && this.lastStall !== undefined) {
      severity = "info";
      why = `: the device stalled the request at record ${this.lastStall}, which its state did not allow`;
    } else if (!this.activity) {
      severity = "info";
      why =
        ": no download or upload came before it in the capture, so the error is left from before it began";
    } else {
      const s = this.session;
      const b = s?.blocks[s.blocks.length - 1];
      why = s?.manifest
        ? ": manifestation failed"
        : b
          ? `: the ${s!.kind} failed at block ${b.block}`
          : ": the device reports a failure";
    }
    this.add(R.DFU_STATUS_ERROR, what + why, ct, severity);
  }

  private idleAgain(): void {
    this.state = S.dfuIDLE;
    this.activity = false;
    this.errorReported = false;
  }

  private open(kind: DfuSession["kind"], ct: ControlTransfer): DfuSession {
    if (this.session) this.close("open", this.session.endRecord);
    const s: DfuSession = {
      device: this.where.device,
      interface: this.where.interface,
      kind,
      blocks: [],
      blockCount: 0,
      bytes: 0,
      outcome: "open",
      startRecord: ct.firstPacket,
      endRecord: ct.lastPacket,
      start: ct.start,
      summary: "",
    };
    if (this.where.bus !== undefined) s.bus = this.where.bus;
    this.session = s;
    return s;
  }

  private addBlock(s: DfuSession, ct: ControlTransfer, length: number, accepted: boolean): void {
    s.blockCount++;
    s.bytes += length;
    s.endRecord = ct.lastPacket;
    if (s.blocks.length < MAX_LISTED_BLOCKS)
      s.blocks.push({ block: ct.setup.wValue, length, record: ct.firstPacket, accepted, polls: [] });
  }

  private close(outcome: DfuSession["outcome"], record: number): void {
    const s = this.session;
    if (!s) return;
    this.session = undefined;
    s.outcome = outcome;
    s.endRecord = Math.max(s.endRecord, record);
    s.summary = sessionSummary(s);
    this.onSession(s);
  }

  private add(
    rule: typeof R.DFU_STATUS_ERROR,
    message: string,
    ct: ControlTransfer,
    severity?: Severity,
  ): void {
    const p: FindingPlace = {
      packet: ct.firstPacket,
      time: ct.start,
      device: deviceAddr(this.where.device),
      transfer: ct.index,
    };
    this.findings.add(finding(rule, `interface ${this.where.interface}: ${message}`, p, severity));
  }
}

function pushPoll(to: { polls: DfuPoll[]; pollCount?: number }, poll: DfuPoll): void {
  if (to.polls.length < MAX_LISTED_POLLS) to.polls.push(poll);
  else to.pollCount = (to.pollCount ?? to.polls.length) + 1;
}

/** "download of 4 blocks (4096 bytes): complete, dfuIDLE". */
function sessionSummary(s: DfuSession): string {
  const blocks = `${s.kind} of ${s.blockCount} block${s.blockCount === 1 ? "" : "s"} (${s.bytes} bytes)`;
  const last = s.blocks[s.blocks.length - 1];
  const state = s.finalState ? `, ${s.finalState}` : "";
  switch (s.outcome) {
    case "complete":
      return `${blocks}: complete${s.kind === "download" ? ", manifested" : ""}${state}`;
    case "error":
      return `${blocks}: failed ${s.manifest ? "in manifestation" : last ? `at block ${last.block}` : ""}: ${s.finalStatus ?? "error"}${state}`;
    case "aborted":
      return `${blocks}: aborted${last ? ` after block ${last.block}` : ""}`;
    case "open":
      return `${blocks}: ${s.manifest ? "manifesting" : "in progress"} when the capture ends${state}`;
  }
}

function fmtMs(ms: number): string {
  return `${Math.round(ms * 1000) / 1000} ms`;
}

/** DFU 1.1 §6.1.2, the bStatus table's descriptions. */
const STATUS_MEANING: readonly string[] = [
  "no error",
  "the file is not targeted for use by this device",
  "the file is for this device but fails a vendor-specific verification",
  "the device is unable to write memory",
  "memory erase failed",
  "memory erase check failed",
  "program memory function failed",
  "programmed memory failed verification",
  "cannot program memory: an address out of range",
  "DFU_DNLOAD with wLength 0, but the device does not think it has all of the data yet",
  "the device's firmware is corrupt: it cannot return to run-time operation",
  "iString names a vendor-specific error",
  "the device detected an unexpected USB reset",
  "the device detected an unexpected power-on reset",
  "something went wrong, and the device does not know what",
  "the device stalled an unexpected request",
];
