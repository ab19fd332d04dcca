// Control transfers from transactions (USB 2.0 §8.5.3): setup, optional data stage, status stage.
// One open transfer per (device, control endpoint); objects exist only at this level.
import { Pid, SplitBits } from "../../as/shared/constants.js";
import type {
  AnalysisContext,
  ControlStatus,
  ControlTransfer,
  SetupPacket,
  Timestamp,
} from "../usb/model.js";
import { finding, type Finding, type FindingPlace, type RuleInfo } from "../usb/finding.js";
import { type DeviceAddr, deviceAddr, endpointAddr } from "../usb/ids.js";
import { hex2 } from "../usb/bytes.js";
import type { TransactionSummary } from "./transferSummary.js";
import { nextToggle, pidName } from "../usb/pid.js";
import {
  isDeviceToHost,
  readSetup,
  recipientOf,
  requestName,
  requestTypeOf,
  Request,
  STANDARD_DEVICE_OUT,
} from "../usb/requests.js";
import * as R from "./rules.js";
import { SplitKind, spanNs, type Transaction, TxOutcome, txPlace } from "./transaction.js";
import { classifyToggle, ToggleCase, ToggleReset } from "./toggleClassifier.js";
import { DescriptorType } from "../usb/descriptorTypes.js";

/** Hooks from a finished standard request into device and toggle state. */
export interface ControlHooks {
  /** SET_ADDRESS completed (its status stage ended at `statusEnd`): the device at `from` now answers at `to`. */
  addressChanged(from: number, to: number, statusEnd: Timestamp): void;
  /** SET_CONFIGURATION, SET_INTERFACE or CLEAR_FEATURE(ENDPOINT_HALT) completed. */
  togglesReset(address: number, request: number, setup: SetupPacket): void;
  /** A control transfer finished or was abandoned (for the transfer tree). */
  transferDone(ct: ControlTransfer, open: OpenControl): void;
  /** Control-endpoint transactions outside any transfer (its SETUP came before the capture), flushed as a group. */
  orphansDone(address: number, endpoint: number, transactions: TransactionSummary[]): void;
}

const MS = 1e6;

/** One control transfer being reconstructed. */
export class OpenControl {
  data: Uint8Array;
  /** Bytes kept in `data`. */
  dataLength = 0;
  /** Bytes seen in the data stage (differs from dataLength only past the cap). */
  seenLength = 0;
  /** SETUP seen ACKed; false while the host is still retrying an unacknowledged SETUP. */
  setupAcked = false;
  /** Some try of the SETUP got a handshake (ACK, or a NAK or STALL the device must not send: it answered). */
  setupAnswered = false;
  /** Next DATA PID expected in the data stage (§8.5.3: DATA1 first, then alternating). */
  expectedToggle: number = Pid.DATA1;
  lastDataPid = 0;
  lastFingerprint = -1;
  lastDataAccepted = false;
  lastDataNoHandshake = false;
  /** A short packet or wLength reached: the data stage is over (§5.5.3). */
  dataEnded = false;
  lastWasZlp = false;
  statusStarted = false;
  /** A data-stage packet was unreadable (malformed in the capture): the data may miss bytes. */
  lostData = false;
  afterEndReported = false;
  largestPacket = 0;
  nakCount = 0;
  lastPacket: number;
  lastTime: Timestamp;
  firstDataTime?: Timestamp;
  lastDataTime?: Timestamp;
  statusTime?: Timestamp;
  /** Transactions that belong to this transfer, for the tree (only when listing). */
  readonly transactions: TransactionSummary[] = [];
  readonly dirIn: boolean;
  readonly request: string;

  constructor(
    readonly index: number,
    readonly address: DeviceAddr,
    readonly endpoint: number,
    readonly setup: SetupPacket,
    readonly setupBytes: Uint8Array,
    readonly firstPacket: number,
    readonly start: Timestamp,
    /** The request's name when a class decoder knows it (AnalysisContext.nameRequest), else the standard naming. */
    name?: string,
  ) {
    this.dirIn = isDeviceToHost(setup);
    this.request = name ?? requestName(setup);
    this.data = new Uint8Array(Math.min(setup.wLength, 4096));
    this.lastPacket = firstPacket;
    this.lastTime = start;
  }

  /** Where a finding about the whole transfer points: its SETUP, device and endpoint (direction of the data stage). */
  place(): FindingPlace {
    return {
      packet: this.firstPacket,
      transfer: this.index,
      device: this.address,
      endpoint: endpointAddr(this.endpoint, this.dirIn),
      time: this.start,
    };
  }

  appendData(tx: Transaction): void {
    const len = tx.dataLength;
    // A device that never stops sending must not grow memory without bound: keep wLength + 64 KiB of bytes.
    const keep = Math.max(0, Math.min(len, this.setup.wLength + 65536 - this.dataLength));
    if (this.dataLength + keep > this.data.length) {
      const grown = new Uint8Array(Math.max(this.data.length * 2, this.dataLength + keep));
      grown.set(this.data.subarray(0, this.dataLength));
      this.data = grown;
    }
    if (tx.dataCopied && keep > 0) this.data.set(tx.data.subarray(0, keep), this.dataLength);
    this.dataLength += keep;
    this.seenLength += len;
  }
}

const ts = (sec: number, nsec: number): Timestamp => ({ sec, nsec });
const spanMs = (a: Timestamp, b: Timestamp) => spanNs(a.sec, a.nsec, b.sec, b.nsec) / MS;

export class ControlTransfers {
  private readonly open = new Map<number, OpenControl>();
  /** Transactions on a control endpoint with no transfer open, waiting to be flushed as one group (only when listing). */
  private readonly orphans = new Map<number, TransactionSummary[]>();
  /** bMaxPacketSize0 per device address, from GET_DESCRIPTOR(DEVICE) replies (§9.6.1 byte 7). */
  private readonly maxPacket0 = new Uint8Array(128);
  /** Speed of a device reached through splits: 1 LS, 2 FS (SPLIT S bit for control, §8.4.2.2); 0 not split. */
  private readonly splitSpeed = new Uint8Array(128);
  /** The last transfer of the device ended in STALL (for EP0_HALT). */
  private readonly lastStalled = new Uint8Array(128);
  private nextIndex = 0;

  constructor(
    private readonly ctx: AnalysisContext,
    private readonly hooks: ControlHooks,
  ) {}

  /**
   * bMaxPacketSize0 for a device: from its device descriptor, else what its speed fixes (§5.5.3: HS 64, LS 8).
   * `limit` asks for the largest allowed instead (FS: 64), for CTRL_PKT_SIZE; without it an FS device's
   * size is unknown (8, 16, 32 or 64) and short-packet checks are skipped. 0 = unknown.
   */
  packetSize0(address: number, limit = false): number {
    const a = address & 0x7f;
    if (this.maxPacket0[a]) return this.maxPacket0[a];
    // A device behind a transaction translator runs at the speed its SPLIT packets say.
    const s = this.splitSpeed[a] === 1 ? "low" : this.splitSpeed[a] === 2 ? "full" : this.ctx.speed;
    return s === "high" ? 64 : s === "low" ? 8 : s === "full" && limit ? 64 : 0;
  }

  /** Move what is known about a device from one address to another (SET_ADDRESS). */
  moveDevice(from: number, to: number): void {
    this.maxPacket0[to & 0x7f] = this.maxPacket0[from & 0x7f];
    this.maxPacket0[from & 0x7f] = 0;
    this.splitSpeed[to & 0x7f] = this.splitSpeed[from & 0x7f];
    this.splitSpeed[from & 0x7f] = 0;
    this.lastStalled[to & 0x7f] = 0;
  }

  /** An effective transaction (splits already merged) on a control endpoint. */
  transaction(tx: Transaction, list?: TransactionSummary[]): void {
    if (tx.split !== SplitKind.NONE) this.splitSpeed[tx.address & 0x7f] = tx.splitBits & SplitBits.S ? 1 : 2;
    const key = (tx.address << 4) | tx.endpoint;
    const t = this.open.get(key);
    if (tx.tokenPid === Pid.SETUP) {
      this.flushOrphans(key);
      return this.setupStage(tx, key, t, list);
    }
    if (!t || tx.tokenPid === Pid.PING || !t.setupAcked) {
      // PING is flow control; before an ACKed SETUP nothing else belongs to the transfer yet.
      return this.keep(key, t, list);
    }
    push(t.transactions, list);
    t.lastPacket = tx.lastPacket;
    t.lastTime = ts(tx.endSec, tx.endNsec);
    const dirIn = tx.tokenPid === Pid.IN;
    const inDataStage = t.setup.wLength > 0 && dirIn === t.dirIn && !t.statusStarted;
    if (inDataStage) this.dataStage(tx, t, key);
    else this.statusStage(tx, t, key, dirIn);
  }

  private where(tx: Transaction, t?: OpenControl): FindingPlace {
    return { ...txPlace(tx), transfer: t?.index };
  }

  private add(rule: RuleInfo, message: string, extra: FindingPlace, severity = rule.severity): void {
    this.ctx.findings.add(finding(rule, message, extra, severity));
  }

  private setupStage(
    tx: Transaction,
    key: number,
    t: OpenControl | undefined,
    list?: TransactionSummary[],
  ): void {
    if (tx.dataLength < 0 || !tx.dataCopied) return this.keep(key, t, list); // no (readable) setup data: the host will retry
    const where = this.where(tx);
    if (tx.dataLength !== 8) {
      this.add(R.SETUP_LENGTH, `SETUP data is ${tx.dataLength} bytes, must be 8`, where);
      return this.keep(key, t, list);
    }
    if (tx.dataPid !== Pid.DATA0)
      this.add(R.CTRL_SETUP_FORMAT, `SETUP data sent as ${pidName(tx.dataPid)}, must be DATA0`, where);
    const b = tx.data;
    const setupBytes = b.slice(0, 8);
    const acked = tx.outcome === TxOutcome.ACK;
    if (tx.outcome === TxOutcome.NAK || tx.outcome === TxOutcome.STALL) {
      this.add(
        R.CTRL_SETUP_NOT_ACKED,
        `device answered SETUP with ${pidName(tx.handshakePid)}; a device must always ACK a SETUP`,
        where,
      );
      if (tx.outcome === TxOutcome.STALL && this.lastStalled[tx.address & 0x7f]) {
        this.add(
          R.EP0_HALT,
          `control endpoint ${tx.address}.${tx.endpoint} still STALLs at the next SETUP: a protocol STALL must clear on SETUP`,
          where,
        );
      }
    }
    if (t && !t.setupAcked && equalBytes(t.setupBytes, setupBytes)) {
      // The host retries the same SETUP after an unacknowledged one: still the same transfer.
      push(t.transactions, list);
      t.lastPacket = tx.lastPacket;
      if (acked) t.setupAcked = true;
      if (tx.handshakePid !== 0) t.setupAnswered = true;
      return;
    }
    if (t) {
      // A host may drop a read once it has the data it wanted (Windows reads 64 bytes of the device descriptor,
      // then resets, RULES.md B.2): the device did its part, so that is info; anything else is an error.
      const hostDropped = t.setupAcked && t.dirIn && t.dataEnded;
      const detail = !t.setupAcked
        ? "SETUP never acknowledged"
        : hostDropped
          ? "the host sent a new SETUP after the data stage, without a status stage"
          : "a new SETUP arrived before the status stage";
      this.finish(t, key, "incomplete", detail, hostDropped ? "info" : "error");
    }
    const setup = readSetup(b, 0);
    const n = new OpenControl(
      this.nextIndex++,
      deviceAddr(tx.address),
      tx.endpoint,
      setup,
      setupBytes,
      tx.firstPacket,
      ts(tx.startSec, tx.startNsec),
      requestTypeOf(setup) !== 0 ? this.ctx.nameRequest?.(setup, tx.address) : undefined,
    );
    push(n.transactions, list);
    n.lastPacket = tx.lastPacket;
    n.setupAcked = acked;
    n.setupAnswered = tx.handshakePid !== 0;
    this.open.set(key, n);
    if (setup.bRequest === Request.SET_ADDRESS && requestTypeOf(setup) === 0) {
      if (
        setup.bmRequestType !== STANDARD_DEVICE_OUT ||
        setup.wValue > 127 ||
        setup.wIndex !== 0 ||
        setup.wLength !== 0
      ) {
        this.add(
          R.SETADDR_FORMAT,
          `SET_ADDRESS with bmRequestType 0x${hex2(setup.bmRequestType)}, wValue ${setup.wValue}, wIndex ${setup.wIndex}, wLength ${setup.wLength}; must be 0, ≤ 127, 0, 0`,
          { ...where, transfer: n.index },
        );
      }
    }
    if (
      setup.bRequest === Request.CLEAR_FEATURE &&
      requestTypeOf(setup) === 0 &&
      recipientOf(setup) === 2 &&
      setup.wValue === 0 &&
      (setup.wIndex & 0x0f) === 0
    ) {
      this.add(
        R.EP0_HALT,
        `CLEAR_FEATURE(ENDPOINT_HALT) sent to control endpoint 0x${hex2(setup.wIndex & 0xff)}`,
        { ...where, transfer: n.index },
      );
    }
    if (tx.outcome === TxOutcome.STALL) this.finish(n, key, "stall", "SETUP STALLed");
  }

  private dataStage(tx: Transaction, t: OpenControl, key: number): void {
    const where = this.where(tx, t);
    if (tx.outcome === TxOutcome.NAK) {
      t.nakCount++;
      return;
    }
    if (tx.outcome === TxOutcome.STALL) return this.finish(t, key, "stall", "data stage STALLed");
    if (tx.interrupted) {
      // Cut by a malformed packet: the data (or its handshake) is unreadable; either toggle may come next.
      t.lostData = true;
      t.expectedToggle = 0;
      t.lastDataPid = tx.dataPid;
      t.lastFingerprint = tx.dataPid ? tx.dataFingerprint : -1;
      t.lastDataAccepted = false;
      return;
    }
    if (tx.dataPid === 0) return; // IN with no answer
    const accepted = tx.outcome === TxOutcome.ACK || tx.outcome === TxOutcome.NYET;
    const pid = tx.dataPid;
    let count = accepted;
    if (t.expectedToggle === 0) {
      // After an unreadable packet either toggle may come; the same data again is that packet's
      // retransmission, so nothing is missing after all.
      if (pid === t.lastDataPid && tx.dataFingerprint === t.lastFingerprint) t.lostData = false;
    } else {
      const toggle = classifyToggle(
        t.expectedToggle,
        ToggleReset.NONE,
        t.lastDataPid,
        t.lastFingerprint,
        t.lastDataAccepted,
        t.lastDataNoHandshake,
        pid,
        tx.dataFingerprint,
      );
      if (toggle === ToggleCase.RETRANSMISSION) {
        this.add(
          R.TOGGLE_CTRL_DATA1_FIRST,
          `${pidName(pid)} repeated with identical data: retransmission after a handshake the sender did not see`,
          where,
          "info",
        );
        count = false;
      } else if (toggle === ToggleCase.WRONG) {
        const first = t.lastDataPid === 0;
        this.add(
          R.TOGGLE_CTRL_DATA1_FIRST,
          first
            ? `first data-stage packet is ${pidName(pid)}, must be DATA1`
            : `data-stage packet is ${pidName(pid)} where ${pidName(t.expectedToggle)} was expected`,
          where,
        );
        if (accepted) t.expectedToggle = pid; // resynchronise on what the receiver accepted
      } else if (toggle === ToggleCase.REPEAT_AFTER_LOST_HANDSHAKE) {
        this.add(
          R.TOGGLE_CTRL_DATA1_FIRST,
          `${pidName(pid)} repeated with identical data after a lost handshake: retransmission`,
          where,
          "info",
        );
      }
    }
    t.lastDataPid = pid;
    t.lastFingerprint = tx.dataFingerprint;
    t.lastDataAccepted = accepted;
    t.lastDataNoHandshake = tx.outcome === TxOutcome.NONE;
    if (!count) return;
    t.expectedToggle = nextToggle(pid);
    const time = ts(tx.startSec, tx.startNsec);
    this.timingBetweenData(t, time, where);
    const mps = this.packetSize0(t.address);
    const limit = this.packetSize0(t.address, true);
    const len = tx.dataLength;
    if (limit && len > limit)
      this.add(
        R.CTRL_PKT_SIZE,
        `control data packet of ${len} bytes exceeds wMaxPacketSize0 ${limit}`,
        where,
      );
    if (t.dataEnded) {
      // Once per transfer: a device that keeps sending would otherwise flood the report.
      if (!t.afterEndReported) {
        t.afterEndReported = true;
        this.add(
          R.CTRL_DATA_AFTER_END,
          `${len} more data bytes after the data stage ended (${t.dataLength} of wLength ${t.setup.wLength}${t.dataLength < t.setup.wLength ? ", after a short packet" : ""})`,
          where,
        );
      }
    } else if (t.dataLength + len > t.setup.wLength) {
      this.add(
        R.CTRL_RESP_OVER_WLENGTH,
        `${t.dataLength + len} bytes of data for wLength ${t.setup.wLength}`,
        where,
      );
    }
    t.appendData(tx);
    t.lastWasZlp = len === 0;
    // Short packet (§5.5.3); with bMaxPacketSize0 unknown (FS before the descriptor), shorter than an earlier one.
    const short = mps ? len < mps : len < t.largestPacket;
    if (len > t.largestPacket) t.largestPacket = len;
    if (short || len === 0 || t.dataLength >= t.setup.wLength) t.dataEnded = true;
  }

  private statusStage(tx: Transaction, t: OpenControl, key: number, dirIn: boolean): void {
    const where = this.where(tx, t);
    // §8.5.3: status is IN after an OUT data stage or no data stage, OUT after an IN data stage.
    const expectIn = t.setup.wLength === 0 || !t.dirIn;
    if (dirIn !== expectIn) {
      this.add(
        R.TOGGLE_CTRL_STATUS,
        `${pidName(tx.tokenPid)} transaction in the status stage of a request ${t.setup.wLength === 0 ? "without data stage" : "with an " + (t.dirIn ? "IN" : "OUT") + " data stage"}: status must be ${expectIn ? "IN" : "OUT"}`,
        where,
      );
      return;
    }
    if (!t.statusStarted) {
      t.statusStarted = true;
      const mps = this.packetSize0(t.address);
      if (
        t.dirIn &&
        t.setup.wLength > 0 &&
        mps &&
        t.dataLength > 0 &&
        t.dataLength < t.setup.wLength &&
        t.dataLength % mps === 0 &&
        !t.lastWasZlp
      ) {
        this.add(
          R.CTRL_ZLP_MISSING,
          `IN data of ${t.dataLength} bytes (a multiple of wMaxPacketSize0 ${mps}, less than wLength ${t.setup.wLength}) ended without a zero-length packet`,
          where,
        );
      }
    }
    if (tx.outcome === TxOutcome.NAK) {
      t.nakCount++;
      return;
    }
    if (tx.outcome === TxOutcome.STALL) return this.finish(t, key, "stall", "status stage STALLed");
    if (tx.dataPid !== 0 && (tx.dataPid !== Pid.DATA1 || tx.dataLength !== 0)) {
      this.add(
        R.TOGGLE_CTRL_STATUS,
        `status stage data is ${pidName(tx.dataPid)} with ${tx.dataLength} bytes; must be a zero-length DATA1`,
        where,
      );
    }
    if (tx.outcome === TxOutcome.ACK || (tx.outcome === TxOutcome.NYET && !dirIn)) {
      t.statusTime = ts(tx.endSec, tx.endNsec);
      if (t.lostData)
        this.finish(
          t,
          key,
          "error",
          "a data-stage packet was unreadable in the capture (malformed): the data may be incomplete",
        );
      else this.finish(t, key, "ok");
    }
  }

  private timingBetweenData(t: OpenControl, time: Timestamp, where: FindingPlace): void {
    if (!t.firstDataTime) {
      t.firstDataTime = time;
      const ms = spanMs(t.start, time);
      if (t.dirIn && ms > 500)
        this.add(R.REQ_TIMING, `first IN data ${ms.toFixed(1)} ms after SETUP (limit 500 ms)`, where);
    } else if (t.lastDataTime) {
      const ms = spanMs(t.lastDataTime, time);
      if (ms > 500) this.add(R.REQ_TIMING, `${ms.toFixed(1)} ms between data packets (limit 500 ms)`, where);
    }
    t.lastDataTime = time;
  }

  private timingAtStatus(t: OpenControl): void {
    if (!t.statusTime) return;
    const where = t.place();
    const total = spanMs(t.start, t.statusTime);
    const isSetAddress = t.setup.bRequest === Request.SET_ADDRESS && requestTypeOf(t.setup) === 0;
    if (isSetAddress) {
      if (total > 50)
        this.add(
          R.SETADDR_TIMING,
          `SET_ADDRESS status stage completed ${total.toFixed(1)} ms after SETUP (limit 50 ms)`,
          where,
        );
      return;
    }
    if (t.setup.wLength === 0) {
      if (total > 50)
        this.add(
          R.REQ_TIMING,
          `request without data stage completed ${total.toFixed(1)} ms after SETUP (limit 50 ms)`,
          where,
        );
    } else if (t.lastDataTime && spanMs(t.lastDataTime, t.statusTime) > 50) {
      this.add(
        R.REQ_TIMING,
        `status stage ${spanMs(t.lastDataTime, t.statusTime).toFixed(1)} ms after the last data packet (limit 50 ms)`,
        where,
      );
    }
    if (total > 5000)
      this.add(R.REQ_TIMING, `request took ${total.toFixed(1)} ms overall (limit 5 s)`, where);
  }

  private finish(
    t: OpenControl,
    key: number,
    status: ControlStatus,
    detail?: string,
    incompleteSeverity: "error" | "info" = "error",
  ): void {
    this.open.delete(key);
    const where = t.place();
    // The transfer's own failure: held on the transfer when the analysis defers it (one cause, one finding).
    let failure: Finding | undefined;
    if (status === "incomplete") {
      const naks = t.nakCount ? ` after ${t.nakCount} NAKs` : "";
      failure = finding(
        R.CTRL_INCOMPLETE,
        `${t.request} on device ${t.address} never reached its status stage${naks}: ${detail}`,
        where,
        incompleteSeverity,
      );
    } else if (status === "stall") {
      failure = finding(R.CTRL_STALL, `${t.request} STALLed by device ${t.address} (${detail})`, where);
    } else if (status === "ok") {
      this.timingAtStatus(t);
    }
    this.lastStalled[t.address & 0x7f] = status === "stall" ? 1 : 0;
    const ct: ControlTransfer = {
      index: t.index,
      source: "packets",
      address: t.address,
      setup: t.setup,
      request: t.request,
      data: t.data.slice(0, t.dataLength),
      status,
      firstPacket: t.firstPacket,
      lastPacket: t.lastPacket,
      start: t.start,
      end: t.lastTime,
      statusTime: t.statusTime,
      detail,
    };
    if (!t.setupAnswered && status !== "ok") ct.unanswered = true;
    if (failure !== undefined) {
      if (this.ctx.deferControlFailures) ct.failure = failure;
      else this.ctx.findings.add(failure);
    }
    const split = this.splitSpeed[t.address & 0x7f];
    if (split) ct.speed = split === 1 ? "low" : "full";
    if (status === "ok" && requestTypeOf(t.setup) === 0) this.standardRequestDone(t, ct);
    // The context's listener may decode the request (ct.class); the transfer tree reads it after.
    this.ctx.onControlTransfer(ct);
    this.hooks.transferDone(ct, t);
  }

  private standardRequestDone(t: OpenControl, ct: ControlTransfer): void {
    const s = t.setup;
    switch (s.bRequest) {
      case Request.GET_DESCRIPTOR:
        if (s.wValue >> 8 === DescriptorType.DEVICE && ct.data.length >= 8 && t.endpoint === 0)
          this.maxPacket0[t.address & 0x7f] = ct.data[7];
        break;
      case Request.SET_ADDRESS:
        if (s.wValue <= 127 && s.wValue !== t.address) {
          this.moveDevice(t.address, s.wValue);
          this.hooks.addressChanged(t.address, s.wValue, t.statusTime ?? t.lastTime);
        }
        break;
      case Request.SET_CONFIGURATION:
      case Request.SET_INTERFACE:
      case Request.CLEAR_FEATURE:
        this.hooks.togglesReset(t.address, s.bRequest, s);
        break;
    }
  }

  /** List transactions under the open transfer, or, with none, as orphans of the endpoint. */
  private keep(key: number, t: OpenControl | undefined, list?: TransactionSummary[]): void {
    if (!list) return;
    if (t) return push(t.transactions, list);
    // Data or status of a transfer whose SETUP came before the capture (or was unreadable).
    const orphans = this.orphans.get(key);
    if (orphans) push(orphans, list);
    else this.orphans.set(key, list.slice());
  }

  private flushOrphans(key: number): void {
    const list = this.orphans.get(key);
    if (!list) return;
    this.orphans.delete(key);
    this.hooks.orphansDone(key >> 4, key & 0xf, list);
  }

  /** A bus reset (§7.1.7.5): the requests still open never complete; the host gave up on them. */
  busReset(): void {
    this.abandonOpen("the host reset the bus before the status stage", "error");
  }

  /** End of capture: every open transfer is incomplete (info: the capture, not the device, stopped). */
  end(): void {
    for (const key of [...this.orphans.keys()]) this.flushOrphans(key);
    this.abandonOpen("the capture ends before the status stage", "info");
  }

  /** Every open transfer ends incomplete, for `why`. */
  private abandonOpen(why: string, severity: "error" | "info"): void {
    for (const [key, t] of [...this.open]) this.finish(t, key, "incomplete", why, severity);
  }
}

function push(into: TransactionSummary[], list?: TransactionSummary[]): void {
  if (list) for (const s of list) into.push(s);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
