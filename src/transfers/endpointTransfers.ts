// Bulk, interrupt and isochronous transfers (USB 2.0 §5.6–5.8): transactions on one endpoint grouped
// until a short packet or a zero-length packet; runs of NAKs become one polling entry with a count.
import { Pid } from "../../as/shared/constants.js";
import type { EndpointType, Speed } from "../usb/model.js";
import { type Transaction, TxOutcome } from "./transaction.js";
import {
  MAX_LISTED_TRANSACTIONS,
  MAX_TRANSFER_DATA,
  type TransactionSummary,
  type TransferKind,
  type TransferSummary,
} from "./transferSummary.js";
import { SLOTS, slotOf } from "./toggles.js";

interface OpenGroup {
  summary: TransferSummary;
  hasData: boolean;
  /** The counted payloads so far, when the layer keeps bytes (joined into summary.data at close). */
  chunks?: Uint8Array[];
  kept: number;
}

/** The empty tables before the first transaction: never written (allocate() replaces them). */
const NO_GROUPS: (OpenGroup | undefined)[] = [];
const NO_TIMES = new Float64Array(0);
const NO_SIZES = new Uint16Array(0);

export class EndpointTransfers {
  /**
   * Open group per slot, undefined when none. A slot-indexed array, not a Map: this is looked up on
   * every transaction of a bulk or NAK storm. The tables are made by the first transaction (allocate()):
   * a capture of control transfers only (an enumeration, a verify batch's trace) never needs them.
   */
  private groups: (OpenGroup | undefined)[] = NO_GROUPS;
  /** When each slot's group was opened: end() and clearDevice() close groups oldest first. */
  private openedAt = NO_TIMES;
  private openCount = 0;
  /** Largest payload seen per endpoint: the best guess of wMaxPacketSize when no descriptor says. */
  private largest = NO_SIZES;

  constructor(
    private readonly bus: { readonly speed: Speed },
    private readonly emit: (t: TransferSummary) => void,
    private readonly maxPacketSize?: (address: number, endpointAddress: number) => number | undefined,
    /**
     * Keep each transfer's payload (TransferSummary.data), at most MAX_TRANSFER_DATA bytes of it: for every
     * endpoint, or for those the function says.
     */
    private readonly withData:
      boolean | ((address: number, endpoint: number, dirIn: boolean) => boolean) = false,
    /** The length the endpoint's current transfer ends at, when a class protocol says (ClassTransferHook.transferLength). */
    private readonly transferLength?: (
      address: number,
      endpoint: number,
      dirIn: boolean,
    ) => number | undefined,
  ) {}

  private allocate(): void {
    this.groups = new Array<OpenGroup | undefined>(SLOTS).fill(undefined);
    this.openedAt = new Float64Array(SLOTS);
    this.largest = new Uint16Array(SLOTS);
  }

  /** Make `g` the open group of `slot`, opened now (a Map's delete-then-set order). */
  private setOpen(slot: number, g: OpenGroup): void {
    this.groups[slot] = g;
    this.openedAt[slot] = ++this.openCount;
  }

  /** Open slots in the order their groups were opened (what iterating the old Map gave). */
  private openSlots(from = 0, to = SLOTS): number[] {
    const slots: number[] = [];
    for (let slot = from; slot < to; slot++) if (this.groups[slot] !== undefined) slots.push(slot);
    return slots.sort((a, b) => this.openedAt[a] - this.openedAt[b]);
  }

  /**
   * An effective transaction on a non-control endpoint. `counted` is false for a retransmission;
   * `summary` lists the transaction(s) for the tree (a split pair gives two or more; only when listing).
   */
  transaction(
    tx: Transaction,
    type: EndpointType | undefined,
    counted: boolean,
    summary?: TransactionSummary[],
  ): void {
    if (this.groups === NO_GROUPS) this.allocate();
    const dirIn = tx.tokenPid === Pid.IN;
    const slot = slotOf(tx.address, tx.endpoint, dirIn);
    let g = this.groups[slot];
    const kind: TransferKind = type ?? "unknown";
    if (tx.outcome === TxOutcome.STALL) {
      // §8.4.5: the endpoint is halted; whatever was in progress ends here.
      if (!g) g = this.openGroup(slot, kind, tx.address, tx.endpoint, dirIn, tx.firstPacket, tx.lastPacket);
      this.list(g, summary);
      return this.close(slot, g, "stall", tx.lastPacket);
    }
    const isNak = tx.outcome === TxOutcome.NAK || tx.dataPid === 0;
    if (isNak)
      return this.noData(
        slot,
        tx.address,
        tx.endpoint,
        dirIn,
        type,
        tx.outcome === TxOutcome.NAK,
        tx.firstPacket,
        tx.lastPacket,
        summary,
      );
    if (!counted && !tx.interrupted && (!g || !g.hasData)) {
      // A retransmission of data already counted in a finished transfer: list it on its own, count nothing.
      const r = this.openGroup(slot, kind, tx.address, tx.endpoint, dirIn, tx.firstPacket, tx.lastPacket);
      this.list(r, summary);
      // The finished transfer's group, if any, stays open, now as the most recently opened.
      this.groups[slot] = undefined;
      if (g) this.setOpen(slot, g);
      r.summary.outcome = "retransmission";
      this.emit(r.summary);
      return;
    }
    if (g && !g.hasData) {
      // A data transaction ends a run of NAKs: the polling entry is complete.
      this.close(slot, g, "nak", tx.lastPacket);
      g = undefined;
    }
    if (!g) g = this.openGroup(slot, kind, tx.address, tx.endpoint, dirIn, tx.firstPacket, tx.lastPacket);
    g.hasData = true;
    g.summary.kind = kind;
    this.list(g, summary);
    g.summary.lastPacket = tx.lastPacket;
    const accepted =
      tx.outcome === TxOutcome.ACK ||
      tx.outcome === TxOutcome.NYET ||
      (tx.outcome === TxOutcome.NONE && type === "isochronous");
    // Data counts once the receiver took it: a NAKed or unanswered packet comes again.
    if (!counted || !accepted) return;
    const len = tx.dataLength;
    g.summary.dataLength += len;
    if (g.chunks !== undefined && tx.dataCopied && len > 0) this.keep(g, tx.data.subarray(0, len));
    if (len > this.largest[slot]) this.largest[slot] = len;
    const epAddr = tx.endpoint | (dirIn ? 0x80 : 0);
    const mps =
      this.maxPacketSize?.(tx.address, epAddr) ??
      (type === "bulk" && this.bus.speed === "high" ? 512 : this.largest[slot]);
    // §5.8.3: a bulk/interrupt transfer ends with a short packet (ZLP included); iso data is one transfer per packet run.
    if (type !== "isochronous" && (len === 0 || len < mps)) this.close(slot, g, "ok", tx.lastPacket);
    else if (type !== "isochronous" && this.transferLength !== undefined) {
      // Or once it moved the length its class protocol announced (a mass storage data phase).
      const want = this.transferLength(tx.address, tx.endpoint, dirIn);
      if (want !== undefined && g.summary.dataLength >= want) this.close(slot, g, "ok", tx.lastPacket);
    }
  }

  /**
   * A transaction that carried no data (NAK, NYET, no answer) on endpoint `slot`: it extends the
   * endpoint's polling run, or starts one.
   */
  private noData(
    slot: number,
    address: number,
    endpoint: number,
    dirIn: boolean,
    type: EndpointType | undefined,
    nak: boolean,
    firstPacket: number,
    lastPacket: number,
    summary?: TransactionSummary[],
  ): void {
    let g = this.groups[slot];
    if (
      g &&
      g.hasData &&
      nak &&
      (type === "interrupt" || type === undefined || !this.knowsMaxPacket(address, endpoint, dirIn))
    ) {
      // A NAK after data: the device had nothing more for now. For interrupt endpoints that is how a transfer
      // ends in practice; for bulk ones it is the best guess when no descriptor gave wMaxPacketSize (a
      // full-size packet is then not known to be short). Packetry groups the same way.
      this.close(slot, g, "ok", lastPacket);
      g = undefined;
    }
    if (!g) g = this.openGroup(slot, "polling", address, endpoint, dirIn, firstPacket, lastPacket);
    if (nak) g.summary.nakCount++;
    this.list(g, summary);
    g.summary.lastPacket = lastPacket;
  }

  private knowsMaxPacket(address: number, endpoint: number, dirIn: boolean): boolean {
    return this.maxPacketSize?.(address, endpoint | (dirIn ? 0x80 : 0)) !== undefined;
  }

  private openGroup(
    slot: number,
    kind: TransferKind,
    address: number,
    endpoint: number,
    dirIn: boolean,
    firstPacket: number,
    lastPacket: number,
  ): OpenGroup {
    const summary: TransferSummary = {
      kind,
      device: address,
      endpoint,
      direction: dirIn ? "in" : "out",
      firstPacket,
      lastPacket,
      transactions: [],
      transactionsOmitted: 0,
      dataLength: 0,
      outcome: "incomplete",
      nakCount: 0,
    };
    const g: OpenGroup = { summary, hasData: false, kept: 0 };
    if (typeof this.withData === "function" ? this.withData(address, endpoint, dirIn) : this.withData)
      g.chunks = [];
    // Over an open group (a retransmission listed on its own): the Map this replaces kept the old position.
    if (this.groups[slot] === undefined) this.setOpen(slot, g);
    else this.groups[slot] = g;
    return g;
  }

  private list(g: OpenGroup, summaries?: TransactionSummary[]): void {
    if (!summaries) return;
    for (const s of summaries) {
      if (g.summary.transactions.length < MAX_LISTED_TRANSACTIONS) g.summary.transactions.push(s);
      else g.summary.transactionsOmitted++;
    }
  }

  /** Append a counted payload to the group's bytes, up to the cap. */
  private keep(g: OpenGroup, payload: Uint8Array): void {
    const room = MAX_TRANSFER_DATA - g.kept;
    if (room <= 0) {
      g.summary.dataTruncated = true;
      return;
    }
    const piece = payload.length > room ? payload.slice(0, room) : payload.slice();
    if (payload.length > room) g.summary.dataTruncated = true;
    g.chunks!.push(piece);
    g.kept += piece.length;
  }

  private close(slot: number, g: OpenGroup, outcome: string, lastPacket?: number): void {
    this.groups[slot] = undefined;
    if (g.chunks !== undefined) {
      const data = new Uint8Array(g.kept);
      let at = 0;
      for (const c of g.chunks) {
        data.set(c, at);
        at += c.length;
      }
      g.summary.data = data;
      g.chunks = undefined;
    }
    g.summary.outcome = outcome;
    if (lastPacket !== undefined) g.summary.lastPacket = lastPacket;
    this.emit(g.summary);
  }

  /** A device left its address (SET_ADDRESS moved another device there): close what it had open. */
  clearDevice(address: number): void {
    if (this.groups === NO_GROUPS) return;
    const base = (address & 0x7f) << 5;
    for (const slot of this.openSlots(base, base + 32)) {
      const g = this.groups[slot]!;
      this.close(slot, g, g.hasData ? "incomplete" : "nak");
    }
    this.largest.fill(0, (address & 0x7f) << 5, ((address & 0x7f) + 1) << 5);
  }

  /** End of capture: open groups end as they stand (polling runs as "nak", data as "incomplete"). */
  end(): void {
    if (this.groups === NO_GROUPS) return;
    for (const slot of this.openSlots()) {
      const g = this.groups[slot]!;
      this.close(slot, g, g.hasData ? (g.summary.kind === "isochronous" ? "ok" : "incomplete") : "nak");
    }
  }
}
