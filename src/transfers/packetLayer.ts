// The raw-packet layer: record batches → transactions → control, bulk, interrupt and isochronous
// transfers, with the rules of RULES.md A.2 and C.2 (DESIGN.md "src/transfers/").
import { Pid, SplitBits } from "../../as/shared/constants.js";
import type {
  AnalysisContext,
  ControlTransfer,
  EndpointType,
  RecordBatch,
  RecordSink,
  SetupPacket,
  Timestamp,
} from "../usb/model.js";
import { finding } from "../usb/finding.js";
import { ControlTransfers, type OpenControl } from "./controlTransfers.js";
import { EndpointTransfers } from "./endpointTransfers.js";
import { EndpointCache } from "./endpointCache.js";
import { pidName } from "../usb/pid.js";
import { recipientOf, Request } from "../usb/requests.js";
import { AddressMoves } from "./addressMoves.js";
import { NO_HANDSHAKE, SPLIT_EU_BIT, SPLIT_S_BIT, TOGGLE_BULK_INT } from "./rules.js";
import { SLOTS, ToggleTracker, ToggleVerdict, slotOf } from "./toggles.js";
import { ToggleReset } from "./toggleClassifier.js";
import { SplitKind, Transaction, TX_OUTCOME_NAMES, TxOutcome, txPlace } from "./transaction.js";
import { deviceAddr } from "../usb/ids.js";
import { TransactionAssembler } from "./transactionAssembler.js";
import { BusEvent, isQuietBusEvent } from "../packets/busEvents.js";
import type {
  ClassTransferHook,
  TransactionSummary,
  TransferListener,
  TransferSummary,
} from "./transferSummary.js";

/** PacketLayer's slot tables before their first write: all zero, never written. */
const NO_SLOTS = new Uint8Array(SLOTS);

/** Bus events kept in order for the report (all are counted). */
const MAX_LISTED_BUS_EVENTS = 1000;

/** SPLIT ET field (§8.4.2.2 Table 8-12). */
const SPLIT_TYPES: EndpointType[] = ["control", "isochronous", "bulk", "interrupt"];

export interface PacketLayerOptions {
  /** Called once per transfer (control, bulk, interrupt, isochronous, polling run, invalid packet) as it ends. */
  onTransfer?: TransferListener;
  /** Put every data packet's payload on the transaction summaries, and each transfer's on the transfer (hex dumps). */
  transferData?: boolean;
  /** Called once per transaction as it ends, with a struct reused for the next one: copy what you keep. */
  onTransaction?: (tx: Transaction) => void;
  /** Called for every bus event the sniffer recorded (src/packets/busEvents.ts) but keepalives, in capture order, after its effects. */
  onBusEvent?: (event: BusEvent, index: number, time: Timestamp) => void;
  /** The class decoder: the bulk and interrupt transfers of the endpoints it wants, with their bytes, listener or not. */
  classTransfers?: ClassTransferHook;
}

export class PacketLayer implements RecordSink {
  private readonly assembler: TransactionAssembler;
  private readonly toggles: ToggleTracker;
  private readonly control: ControlTransfers;
  /**
   * Bulk, interrupt and isochronous transfers: grouped only for an onTransfer listener, or on the endpoints
   * the class decoder wants (PacketLayerOptions.classTransfers). Nothing else
   * reads them (no rule looks at them), and on a bulk capture grouping costs more than the toggle checks.
   */
  private readonly endpointTransfers: EndpointTransfers | undefined;
  private readonly endpointInfo: EndpointCache;
  private readonly listener?: TransferListener;
  private readonly classHook?: ClassTransferHook;
  /**
   * Per slot: does the class decoder want the endpoint? 0 not asked since the last change, 1 no, 2 yes. This
   * and typeReported are made at their first write (slotTables()): a capture without raw packets never writes.
   */
  private classSlots = NO_SLOTS;
  /** Payload bytes go on the summaries (PacketLayerOptions.transferData, with a listener only). */
  private readonly withData: boolean;
  private readonly txListener?: (tx: Transaction) => void;
  private readonly busEventListener?: (event: BusEvent, index: number, time: Timestamp) => void;
  /** Start-split data waiting for its complete split, per device/endpoint/direction. */
  private readonly splitData = new Map<number, { tx: Transaction; list: TransactionSummary[] | undefined }>();
  /** Merged view of a split pair handed to the upper levels. */
  private readonly effective = new Transaction();
  /** Endpoints whose unknown type was already reported. */
  private typeReported = NO_SLOTS;
  private controlCount = 0;
  /** SETADDR_TIMING: the last SET_ADDRESS until the device first answers at its new address (§9.2.6.3). */
  private readonly addresses: AddressMoves;
  private transferCount = 0;
  /** Bus events by kind (the sniffer's, from pcapng custom blocks: src/packets/busEvents.ts). */
  readonly busEventCounts = new Map<BusEvent, number>();
  /** Bus events in order, low-speed keepalives left out (one per millisecond), at most MAX_LISTED_BUS_EVENTS. */
  readonly busEvents: { index: number; time: Timestamp; event: BusEvent }[] = [];

  constructor(
    private readonly ctx: AnalysisContext,
    options: PacketLayerOptions = {},
  ) {
    this.listener = options.onTransfer;
    this.classHook = options.classTransfers;
    this.withData = options.onTransfer !== undefined && options.transferData === true;
    this.txListener = options.onTransaction;
    this.busEventListener = options.onBusEvent;
    // With nobody listening for transactions or transfers, a poll answered without data or accepted data
    // in sequence needs no Transaction (poll, dataTx).
    const quiet = !this.listener && !this.txListener;
    this.assembler = new TransactionAssembler(
      ctx.findings,
      (tx) => this.onTransaction(tx),
      ctx,
      quiet ? (pid, address, endpoint) => this.poll(pid, address, endpoint) : undefined,
      quiet
        ? (pid, address, endpoint, dataPid, fingerprint) =>
            this.dataTx(pid, address, endpoint, dataPid, fingerprint)
        : undefined,
      (event, index, sec, nsec) => this.busEvent(event, index, sec, nsec),
    );
    // Bulk, interrupt and iso payloads are copied out of the batch only when someone shows them.
    this.assembler.copyAllData = this.withData;
    if (this.classHook && !this.withData)
      this.assembler.copyData = (address, endpoint, dirIn) => this.classWants(address, endpoint, dirIn);
    this.toggles = new ToggleTracker(ctx.findings, ctx);
    this.addresses = new AddressMoves(ctx.findings);
    const emit = (t: TransferSummary) => {
      this.transferCount++;
      if (
        this.classHook !== undefined &&
        (t.kind === "bulk" || t.kind === "interrupt") &&
        this.classWants(t.device, t.endpoint, t.direction === "in")
      )
        this.classHook.transfer(t);
      this.listener?.(t);
    };
    this.endpointInfo = new EndpointCache(ctx.endpoints);
    this.control = new ControlTransfers(ctx, {
      addressChanged: (from, to, statusEnd) => {
        this.invalidateEndpoints();
        this.addresses.addressChanged(from, to, statusEnd);
        this.toggles.clearDevice(to);
        this.toggles.clearDevice(from);
        this.endpointTransfers?.clearDevice(to);
      },
      togglesReset: (address, request, setup) => this.resetToggles(address, request, setup),
      transferDone: (ct, open) => {
        this.addresses.controlDone(ct);
        this.invalidateEndpoints();
        this.controlCount++;
        emit(controlSummary(ct, open, this.withData));
      },
      orphansDone: (address, endpoint, transactions) => {
        const first = transactions[0]?.firstPacket ?? 0;
        const last = transactions[transactions.length - 1];
        emit({
          kind: "control",
          device: address,
          endpoint,
          direction: "out",
          firstPacket: first,
          lastPacket: last ? last.packets[last.packets.length - 1] : first,
          transactions,
          transactionsOmitted: 0,
          dataLength: 0,
          outcome: "incomplete",
          nakCount: 0,
          request: "(no SETUP seen)",
        });
      },
    });
    this.endpointTransfers =
      this.listener || this.classHook
        ? new EndpointTransfers(
            ctx,
            emit,
            (address, ep) => this.endpointInfo.maxPacketSize(address, ep),
            this.withData || !this.classHook
              ? this.withData
              : (address, endpoint, dirIn) => this.classWants(address, endpoint, dirIn),
            this.classHook?.transferLength
              ? (address, endpoint, dirIn) =>
                  this.classWants(address, endpoint, dirIn)
                    ? this.classHook!.transferLength!(address, endpoint | (dirIn ? 0x80 : 0))
                    : undefined
              : undefined,
          )
        : undefined;
  }

  /** Descriptors or device state changed: endpoint types and the class decoder's wishes are asked again. */
  private invalidateEndpoints(): void {
    this.endpointInfo.invalidate();
    if (this.classHook && this.classSlots !== NO_SLOTS) this.classSlots.fill(0);
  }

  private slotTables(): void {
    if (this.classSlots !== NO_SLOTS) return;
    const buf = new ArrayBuffer(2 * SLOTS);
    this.classSlots = new Uint8Array(buf, 0, SLOTS);
    this.typeReported = new Uint8Array(buf, SLOTS, SLOTS);
  }

  /** The class decoder wants the transfers of this endpoint (cached per slot until the next change). */
  private classWants(address: number, endpoint: number, dirIn: boolean): boolean {
    if (!this.classHook || endpoint === 0) return false;
    const slot = slotOf(address, endpoint, dirIn);
    let v = this.classSlots[slot];
    if (v === 0) {
      v = this.classHook.wants(address, endpoint | (dirIn ? 0x80 : 0)) ? 2 : 1;
      this.slotTables();
      this.classSlots[slot] = v;
    }
    return v === 2;
  }

  onBatch(batch: RecordBatch): void {
    this.assembler.batch(batch);
  }

  onEnd(): void {
    this.assembler.end();
    // Start splits whose complete split never came.
    for (const [slot, pending] of this.splitData)
      this.invalidGroup(pending.list, slot >> 5, (slot >> 1) & 0xf, "incomplete");
    this.splitData.clear();
    this.control.end();
    this.addresses.end();
    this.endpointTransfers?.end();
  }

  private busEvent(event: BusEvent, index: number, sec: number, nsec: number): void {
    this.busEventCounts.set(event, (this.busEventCounts.get(event) ?? 0) + 1);
    const time = { sec, nsec };
    const listed = !isQuietBusEvent(event);
    if (listed && this.busEvents.length < MAX_LISTED_BUS_EVENTS) this.busEvents.push({ index, time, event });
    if (event === BusEvent.BUS_RESET) {
      // §7.1.7.5, §9.1.1.3: the device is back in the Default state: address 0, not configured, every
      // endpoint's toggle at DATA0 (TOGGLE_RESET_DATA0 checks the next data); requests in flight are lost.
      this.control.busReset();
      for (let address = 0; address < 128; address++) this.toggles.markReset(address, ToggleReset.HARD);
      this.addresses.busReset();
      this.invalidateEndpoints();
    }
    if (listed) this.busEventListener?.(event, index, time);
  }

  /** Transactions seen so far (file-wide indices run from 0 to this - 1). */
  get transactionCount(): number {
    return this.assembler.transactionCount;
  }

  /** Control transfers emitted so far (completed or abandoned). */
  get controlTransferCount(): number {
    return this.controlCount;
  }

  /**
   * Transfers emitted so far (after onEnd: all of them): every kind with an onTransfer listener;
   * without one, control transfers and invalid groups only (endpointTransfers).
   */
  get transfers(): number {
    return this.transferCount;
  }

  /** Valid packets seen with this PID byte (e.g. Pid.SOF). */
  pidCount(pid: number): number {
    return this.assembler.pidCounts[pid & 0xff];
  }

  /** Records the core marked malformed (bad CRC, PID check, length, truncated, empty). */
  get malformedCount(): number {
    return this.assembler.malformedCount;
  }

  private onTransaction(tx: Transaction): void {
    this.txListener?.(tx);
    const list = this.listener ? [transactionSummary(tx, this.withData)] : undefined;
    if (tx.outcome === TxOutcome.INVALID || tx.tokenPid === 0) {
      // A stray packet, or a SPLIT whose token never came: shown on its own.
      this.invalidGroup(list, -1, 0, "error");
      return;
    }
    const dirIn = tx.tokenPid === Pid.IN;
    if (this.addresses.waiting && tx.split === SplitKind.NONE) this.addresses.transaction(tx, dirIn);
    if (tx.split !== SplitKind.NONE) this.checkSplitBits(tx);
    const splitType = tx.split !== SplitKind.NONE ? SPLIT_TYPES[tx.splitBits & SplitBits.ET_MASK] : undefined;
    const type =
      tx.endpoint === 0 || tx.tokenPid === Pid.SETUP
        ? "control"
        : (splitType ?? this.endpointInfo.endpointType(tx.address, tx.endpoint | (dirIn ? 0x80 : 0)));
    this.checkHandshake(tx, type);
    if (tx.split === SplitKind.START) {
      // §11.17: a start split carries OUT/SETUP data; its result comes with the complete split.
      const slot = slotOf(tx.address, tx.endpoint, dirIn);
      let pending = this.splitData.get(slot);
      if (!pending) {
        pending = { tx: new Transaction(), list: undefined };
        this.splitData.set(slot, pending);
      }
      if (type === "isochronous" && !dirIn) return this.route(tx, type, list); // iso OUT has no complete split (§11.18.4)
      copyTransaction(tx, pending.tx);
      if (list) pending.list = (pending.list ?? []).concat(list);
      return;
    }
    if (tx.split === SplitKind.COMPLETE) {
      const slot = slotOf(tx.address, tx.endpoint, dirIn);
      const pending = this.splitData.get(slot);
      const all = pending?.list && list ? pending.list.concat(list) : list;
      if (pending) pending.list = undefined;
      if (tx.outcome === TxOutcome.NYET) {
        // Not yet: keep collecting until the complete split that brings the result.
        if (pending) pending.list = all;
        else {
          const held = new Transaction();
          held.reset();
          this.splitData.set(slot, { tx: held, list: all });
        }
        return;
      }
      const eff = this.effective;
      copyTransaction(tx, eff);
      if (pending) eff.firstPacket = pending.tx.firstPacket;
      if (dirIn) {
        // The hub relays the device's data; the host does not handshake a CSPLIT (§11.17.1).
        if (tx.dataPid !== 0 && tx.outcome === TxOutcome.NONE) eff.outcome = TxOutcome.ACK;
      } else if (pending && pending.tx.tokenPid === tx.tokenPid) {
        const p = pending.tx;
        eff.dataPid = p.dataPid;
        eff.dataLength = p.dataLength;
        eff.dataFingerprint = p.dataFingerprint;
        eff.dataCopied = p.dataCopied;
        if (p.dataCopied) eff.data.set(p.data.subarray(0, Math.max(0, p.dataLength)));
      }
      if (tx.outcome !== TxOutcome.ERR && pending) this.splitData.delete(slot);
      return this.route(eff, type, all);
    }
    this.route(tx, type, list);
  }

  /**
   * The fast path for IN-NAK, PING-NAK and PING-ACK when no listener is attached: none of onTransaction's
   * and route's checks can apply to them (no data, no toggle: §8.6, a NAK leaves it was), and
   * without a listener nothing groups transfers. Returns false (general path) on a control endpoint,
   * while a SET_ADDRESS waits for the device's first answer, and for the IN that reports an endpoint's
   * type as unknown.
   */
  private poll(tokenPid: number, address: number, endpoint: number): boolean {
    if (endpoint === 0 || this.addresses.waiting) return false;
    const dirIn = tokenPid === Pid.IN;
    if (this.classWants(address, endpoint, dirIn)) return false; // its transfers are grouped
    const type = this.endpointInfo.endpointType(address, endpoint | (dirIn ? 0x80 : 0));
    if (type === "control") return false;
    return !(dirIn && type === undefined && !this.typeReported[slotOf(address, endpoint, dirIn)]);
  }

  /**
   * The fast path for a data transaction the receiver accepted (IN-DATAx-ACK, OUT-DATAx-ACK/NYET) when no
   * listener is attached: on a bulk or interrupt endpoint whose toggle continues its sequence, all that
   * onTransaction, route and ToggleTracker.check do is move the toggle on (no handshake, address or split
   * check can fire); on an endpoint of unknown type already reported, they do nothing. Returns false for
   * anything else: the general path then runs and reports.
   */
  private dataTx(
    tokenPid: number,
    address: number,
    endpoint: number,
    dataPid: number,
    fingerprint: number,
  ): boolean {
    if (endpoint === 0 || this.addresses.waiting || (dataPid !== Pid.DATA0 && dataPid !== Pid.DATA1))
      return false;
    const dirIn = tokenPid === Pid.IN;
    if (this.classWants(address, endpoint, dirIn)) return false; // its transfers are grouped
    const type = this.endpointInfo.endpointType(address, endpoint | (dirIn ? 0x80 : 0));
    const slot = slotOf(address, endpoint, dirIn);
    // Type unknown and already reported: the general path checks nothing more (route).
    if (type === undefined) return this.typeReported[slot] === 1;
    if (type !== "bulk" && type !== "interrupt") return false;
    return this.toggles.acceptQuietly(slot, dataPid, fingerprint);
  }

  private invalidGroup(
    list: TransactionSummary[] | undefined,
    device: number,
    endpoint: number,
    outcome: string,
  ): void {
    this.transferCount++;
    if (!list || !this.listener || list.length === 0) return;
    const last = list[list.length - 1];
    this.listener({
      kind: "invalid",
      device,
      endpoint,
      direction: "out",
      firstPacket: list[0].firstPacket,
      lastPacket: last.packets[last.packets.length - 1] ?? last.firstPacket,
      transactions: list,
      transactionsOmitted: 0,
      dataLength: 0,
      outcome,
      nakCount: 0,
    });
  }

  /** An effective transaction (split pairs merged) to the control or endpoint level. */
  private route(
    tx: Transaction,
    type: EndpointType | undefined,
    list: TransactionSummary[] | undefined,
  ): void {
    if (type === "control") return this.control.transaction(tx, list);
    const dirIn = tx.tokenPid === Pid.IN;
    // Without a listener, only the endpoints the class decoder wants are grouped.
    const grouped = this.listener !== undefined || this.classWants(tx.address, tx.endpoint, dirIn);
    if (tx.tokenPid === Pid.PING) {
      if (grouped) this.endpointTransfers?.transaction(tx, type, false, list);
      return;
    }
    let counted = true;
    if (tx.interrupted) {
      this.toggles.lose(tx.address, tx.endpoint, dirIn);
      counted = false;
    } else if (type === undefined) {
      const slot = slotOf(tx.address, tx.endpoint, dirIn);
      if (!this.typeReported[slot]) {
        this.slotTables();
        this.typeReported[slot] = 1;
        this.ctx.findings.add(
          finding(
            TOGGLE_BULK_INT,
            `endpoint ${tx.address}.${tx.endpoint} ${dirIn ? "IN" : "OUT"}: type unknown (no descriptor seen, the capture may start mid-session); toggle and handshake checks skipped`,
            txPlace(tx),
            "info",
          ),
        );
      }
    } else if (tx.dataPid !== 0) {
      const verdict = this.toggles.check(tx, type, tx.split !== SplitKind.NONE);
      if (verdict === ToggleVerdict.RETRANSMISSION) {
        counted = false;
        if (list) for (const s of list) if (s.dataLength >= 0) s.retransmission = true;
      }
    }
    if (grouped) this.endpointTransfers?.transaction(tx, type, counted, list);
  }

  /** §8.4.2.2: S must be 0 on bulk splits and isochronous IN splits; E must be 0 except on iso OUT start splits; U is always 0. */
  private checkSplitBits(tx: Transaction): void {
    const bits = tx.splitBits;
    if ((bits & (SplitBits.S | SplitBits.E)) === 0) return;
    const et = bits & SplitBits.ET_MASK;
    const where = { ...txPlace(tx), device: deviceAddr(tx.hubAddress), endpoint: undefined };
    const kind = tx.split === SplitKind.START ? "SSPLIT" : "CSPLIT";
    if (
      bits & SplitBits.S &&
      (et === 2 || (et === 1 && (tx.tokenPid === Pid.IN || tx.split === SplitKind.COMPLETE)))
    ) {
      this.ctx.findings.add(
        finding(
          SPLIT_S_BIT,
          `${kind} for a ${SPLIT_TYPES[et]} ${pidName(tx.tokenPid)} on hub ${tx.hubAddress} port ${tx.hubPort} has the S bit set (must be 0)`,
          where,
        ),
      );
    }
    if (bits & SplitBits.E) {
      if (tx.split === SplitKind.COMPLETE)
        this.ctx.findings.add(
          finding(
            SPLIT_EU_BIT,
            `CSPLIT on hub ${tx.hubAddress} port ${tx.hubPort} has the U bit set (reserved, must be 0)`,
            where,
          ),
        );
      else if (!(et === 1 && tx.tokenPid === Pid.OUT))
        this.ctx.findings.add(
          finding(
            SPLIT_EU_BIT,
            `SSPLIT for a ${SPLIT_TYPES[et]} ${pidName(tx.tokenPid)} on hub ${tx.hubAddress} port ${tx.hubPort} has the E bit set (only isochronous OUT start splits use it)`,
            where,
          ),
        );
    }
  }

  /** NO_HANDSHAKE: data in a non-isochronous transaction that nobody handshaked (§8.5.1–8.5.3). */
  private checkHandshake(tx: Transaction, type: EndpointType | undefined): void {
    if (tx.dataPid === 0 || tx.outcome !== TxOutcome.NONE || tx.interrupted) return;
    if (type === undefined || type === "isochronous") return;
    if (tx.split === SplitKind.COMPLETE) return; // CSPLIT data is never handshaked by the host
    if (tx.split === SplitKind.START && type === "interrupt") return; // periodic start splits get no handshake
    if (tx.dataPid === Pid.DATA2 || tx.dataPid === Pid.MDATA) return; // high-bandwidth iso PIDs: TOGGLE_ISO's business
    this.ctx.findings.add(
      finding(
        NO_HANDSHAKE,
        `${pidName(tx.dataPid)} of a ${type} ${pidName(tx.tokenPid)} transaction on ${tx.address}.${tx.endpoint} got no handshake before the next token`,
        { ...txPlace(tx, tx.packetIndex[tx.packetCount - 1]), time: { sec: tx.endSec, nsec: tx.endNsec } },
      ),
    );
  }

  private resetToggles(address: number, request: number, setup: SetupPacket): void {
    if (request === Request.SET_CONFIGURATION) this.toggles.markReset(address, ToggleReset.HARD);
    else if (request === Request.SET_INTERFACE) {
      // §9.1.1.5 / Linux usb_set_interface: the new alternate setting's endpoints start at DATA0. With the
      // configuration descriptor seen, reset exactly those; without it, only a PID that continues
      // neither sequence can be called wrong (SOFT).
      const endpoints = this.ctx.endpoints.interfaceEndpoints?.(
        address,
        setup.wIndex & 0xff,
        setup.wValue & 0xff,
      );
      if (endpoints) for (const ep of endpoints) this.toggles.markReset(address, ToggleReset.HARD, ep);
      else this.toggles.markReset(address, ToggleReset.SOFT);
    } else if (
      request === Request.CLEAR_FEATURE &&
      recipientOf(setup) === 2 &&
      setup.wValue === 0 &&
      (setup.wIndex & 0x0f) !== 0
    ) {
      this.toggles.markReset(address, ToggleReset.HARD, setup.wIndex & 0x8f);
    }
  }
}

function copyTransaction(from: Transaction, to: Transaction): void {
  to.index = from.index;
  to.firstPacket = from.firstPacket;
  to.lastPacket = from.lastPacket;
  to.tokenPid = from.tokenPid;
  to.address = from.address;
  to.endpoint = from.endpoint;
  to.split = from.split;
  to.splitBits = from.splitBits;
  to.hubAddress = from.hubAddress;
  to.hubPort = from.hubPort;
  to.dataPid = from.dataPid;
  to.dataLength = from.dataLength;
  to.dataFingerprint = from.dataFingerprint;
  to.dataCopied = from.dataCopied;
  if (from.dataCopied) to.data.set(from.data.subarray(0, Math.max(0, from.dataLength)));
  to.handshakePid = from.handshakePid;
  to.outcome = from.outcome;
  to.interrupted = from.interrupted;
  to.tokenOnly = from.tokenOnly;
  to.startSec = from.startSec;
  to.startNsec = from.startNsec;
  to.endSec = from.endSec;
  to.endNsec = from.endNsec;
  to.packetCount = from.packetCount;
  to.packetIndex.set(from.packetIndex);
  to.packetPid.set(from.packetPid);
}

/** One transaction as the tree shows it (built only when a listener is attached). */
export function transactionSummary(tx: Transaction, withData = false): TransactionSummary {
  const packets: number[] = [];
  const pids: string[] = [];
  for (let k = 0; k < tx.packetCount; k++) {
    packets.push(tx.packetIndex[k]);
    pids.push(pidName(tx.packetPid[k]));
  }
  const s: TransactionSummary = {
    index: tx.index,
    firstPacket: tx.firstPacket,
    packets,
    pids,
    outcome: TX_OUTCOME_NAMES[tx.outcome],
    dataLength: tx.dataLength,
  };
  if (tx.split !== SplitKind.NONE) s.split = tx.split === SplitKind.START ? "start" : "complete";
  if (withData && tx.dataCopied && tx.dataLength >= 0) s.data = tx.data.slice(0, tx.dataLength);
  return s;
}

function controlSummary(ct: ControlTransfer, open: OpenControl, withData: boolean): TransferSummary {
  const t: TransferSummary = {
    kind: "control",
    device: ct.address,
    endpoint: open.endpoint,
    direction: open.dirIn ? "in" : "out",
    firstPacket: ct.firstPacket,
    lastPacket: ct.lastPacket,
    transactions: open.transactions,
    transactionsOmitted: 0,
    dataLength: ct.data.length,
    outcome: ct.status,
    nakCount: open.nakCount,
    request: ct.request,
    controlIndex: ct.index,
  };
  if (withData) t.data = ct.data;
  if (ct.class !== undefined) t.class = ct.class;
  return t;
}
