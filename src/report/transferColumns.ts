// The transfers of a capture as columns, for the viewer's traffic tree: an `onTransfer` listener that
// keeps each transfer's facts in typed arrays (strings interned), its transactions likewise, and the
// record indices under them (packets, or a URB's submission and completion) in one leaf column.
import type { TransferSummary } from "../transfers/transferSummary.js";
import type { ClassDecode } from "../usb/classDecode.js";
import { harmlessReason } from "../urb/status.js";
import { F64Column, U32Column, I32Column, U16Column, I16Column, U8Column, Interner } from "./columns.js";

export const TRANSFER_KINDS = [
  "control",
  "bulk",
  "interrupt",
  "isochronous",
  "unknown",
  "polling",
  "invalid",
] as const;

/** Leaf kinds: a packet of a raw capture, or a URB's submission or completion. */
export const LEAF_PACKET = 0,
  LEAF_SUBMIT = 1,
  LEAF_COMPLETE = 2;

/** Transaction flags. */
export const TX_SSPLIT = 1,
  TX_CSPLIT = 2,
  TX_RETRANSMISSION = 4;

/** Payload bytes kept for URB transfers (usbmon text has no record bytes to point to). */
const MAX_URB_DATA = 64 * 1024;
const MAX_DATA_POOL = 256 * 1024 * 1024;
/** Class decodings kept (the first ones; memory stays bounded on a capture of millions of commands). */
export const MAX_CLASS_DECODES = 1_000_000;

export class TransferColumns {
  readonly strings = new Interner();
  // Per transfer.
  readonly kind = new U8Column();
  readonly device = new I16Column();
  readonly endpoint = new U8Column();
  readonly dirIn = new U8Column();
  readonly bus = new I16Column();
  readonly first = new F64Column();
  readonly last = new F64Column();
  readonly dataLength = new F64Column();
  readonly outcome = new U16Column();
  readonly nakCount = new U32Column();
  /** Interned request name, -1 when none. */
  readonly request = new I32Column();
  readonly controlIndex = new I32Column();
  /** Raw: first transaction and count; URB: first leaf and count. */
  readonly childStart = new U32Column();
  readonly childCount = new U32Column();
  readonly omitted = new U32Column();
  readonly isUrb = new U8Column();
  /** URB: interned status text (-1 none), latency µs (NaN), requested and actual length (NaN), repeat count (0). */
  readonly urbStatus = new I32Column();
  readonly latencyUs = new F64Column();
  readonly requested = new F64Column();
  readonly actual = new F64Column();
  readonly repeat = new U32Column();
  /**
   * URB: 1 when it failed in a way that says something against the device (the timeline's red markers):
   * not a stall, a short read, a cancel or the host stack's own refusal (harmlessReason, urb/status.ts),
   * the same events that get no warning in the findings.
   */
  readonly urbFailed = new U8Column();
  /** URB times (seconds since epoch, sec + nsec), for captures without record columns (usbmon text). */
  readonly startSec = new F64Column();
  readonly startNsec = new U32Column();
  /** URB completion time (the submission's when it never completed), for the timeline. */
  readonly endSec = new F64Column();
  readonly endNsec = new U32Column();
  /** A folded run of repeats: the last repeat's time (NaN when the transfer is no run). */
  readonly repeatEndSec = new F64Column();
  readonly repeatEndNsec = new U32Column();
  /** URB payload in `pool`: start (-1 none) and length. */
  readonly dataStart = new F64Column();
  readonly dataLen = new U32Column();
  // Per transaction.
  readonly txLeafStart = new U32Column();
  readonly txLeafCount = new U8Column();
  readonly txOutcome = new U16Column();
  readonly txDataLength = new I32Column();
  readonly txFlags = new U8Column();
  readonly txIndex = new F64Column();
  // Per leaf.
  readonly leafRecord = new F64Column();
  readonly leafKind = new U8Column();
  pool = new U8Column(4096);
  /** The class decoding of a transfer (src/classes/), by transfer index: the first MAX_CLASS_DECODES. */
  readonly classes = new Map<number, ClassDecode>();

  get count(): number {
    return this.kind.length;
  }
  get transactions(): number {
    return this.txLeafStart.length;
  }
  get leaves(): number {
    return this.leafRecord.length;
  }

  readonly add = (t: TransferSummary): void => {
    if (t.class !== undefined && this.classes.size < MAX_CLASS_DECODES)
      this.classes.set(this.kind.length, t.class);
    this.kind.push(Math.max(0, TRANSFER_KINDS.indexOf(t.kind)));
    this.device.push(t.device);
    this.endpoint.push(t.endpoint);
    this.dirIn.push(t.direction === "in" ? 1 : 0);
    this.bus.push(t.bus ?? -1);
    this.first.push(t.firstPacket);
    this.last.push(t.lastPacket);
    this.dataLength.push(t.dataLength);
    this.outcome.push(this.strings.id(t.outcome));
    this.nakCount.push(t.nakCount);
    this.request.push(t.request === undefined ? -1 : this.strings.id(t.request));
    this.controlIndex.push(t.controlIndex ?? -1);
    this.omitted.push(t.transactionsOmitted);
    const u = t.urb;
    this.isUrb.push(u ? 1 : 0);
    this.urbStatus.push(u?.statusText === undefined ? -1 : this.strings.id(u.statusText));
    this.latencyUs.push(u?.latencyUs ?? NaN);
    this.requested.push(u?.requestedLength ?? NaN);
    this.actual.push(u?.actualLength ?? NaN);
    this.repeat.push(t.repeat?.count ?? 0);
    this.urbFailed.push(
      u?.status !== undefined && t.outcome !== "ok" && harmlessReason(u.status, u.source) === undefined
        ? 1
        : 0,
    );
    const start = u?.submitted ?? u?.completed;
    this.startSec.push(start?.sec ?? NaN);
    this.startNsec.push(start?.nsec ?? 0);
    const end = u?.completed ?? u?.submitted;
    this.endSec.push(end?.sec ?? NaN);
    this.endNsec.push(end?.nsec ?? 0);
    this.repeatEndSec.push(t.repeat?.end.sec ?? NaN);
    this.repeatEndNsec.push(t.repeat?.end.nsec ?? 0);
    if (u) {
      this.childStart.push(this.leafRecord.length);
      let n = 0;
      if (u.submitRecord !== undefined) {
        this.leafRecord.push(u.submitRecord);
        this.leafKind.push(LEAF_SUBMIT);
        n++;
      }
      if (u.completeRecord !== undefined) {
        this.leafRecord.push(u.completeRecord);
        this.leafKind.push(LEAF_COMPLETE);
        n++;
      }
      this.childCount.push(n);
      const data = t.data;
      if (data && data.length > 0 && this.pool.length + data.length <= MAX_DATA_POOL) {
        const n2 = Math.min(data.length, MAX_URB_DATA);
        this.pool.reserve(n2);
        this.pool.data.set(data.subarray(0, n2), this.pool.length);
        this.dataStart.push(this.pool.length);
        this.dataLen.push(n2);
        this.pool.length += n2;
      } else {
        this.dataStart.push(-1);
        this.dataLen.push(0);
      }
      return;
    }
    this.dataStart.push(-1);
    this.dataLen.push(0);
    this.childStart.push(this.txLeafStart.length);
    this.childCount.push(t.transactions.length);
    for (const tx of t.transactions) {
      this.txLeafStart.push(this.leafRecord.length);
      this.txLeafCount.push(Math.min(255, tx.packets.length));
      for (let k = 0; k < tx.packets.length && k < 255; k++) {
        this.leafRecord.push(tx.packets[k]!);
        this.leafKind.push(LEAF_PACKET);
      }
      this.txOutcome.push(this.strings.id(tx.outcome));
      this.txDataLength.push(tx.dataLength);
      this.txFlags.push(
        (tx.split === "start" ? TX_SSPLIT : tx.split === "complete" ? TX_CSPLIT : 0) |
          (tx.retransmission ? TX_RETRANSMISSION : 0),
      );
      this.txIndex.push(tx.index);
    }
  };
}
