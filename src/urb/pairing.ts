// Matching URB submissions with their completions, with a bounded number of open submissions.
// usbmon: the tag (the kernel's URB pointer) is unique per bus while the URB is in flight
// (usbmon.rst "URB Tag"). USBPcap: the IRP pointer (irpId) plays the same role; some captures write
// irpId 0 for every record, so the key also holds the device and endpoint number to keep unrelated
// URBs apart.

import { concat, type UrbEvent } from "./urbEvent.js";

/**
 * Data bytes one URB gathers at most (USBPcap data stages): a control transfer's wLength is 16 bits
 * (USB 2.0 §9.3.5), so more is a capture's lie and is not kept.
 */
export const MAX_GATHERED = 0x10000;
/** Data bytes the open submissions may hold together; past it the oldest is evicted, as past `capacity`. */
export const MAX_PENDING_BYTES = 64 << 20;

/** One submission waiting for its completion. */
export interface PendingUrb {
  submit: UrbEvent;
  /** Control transfers: order of the SETUP in the capture (ControlTransfer.index). */
  controlIndex: number;
  /** Control transfers: data stage bytes gathered so far (OUT data, or USBPcap DATA stages). */
  data: Uint8Array;
  /** USBPcap: the first non-success status seen on an intermediate stage. */
  status: number;
  /** Record index of the last record that joined this URB. */
  lastRecord: number;
  /** USBPcap: opened by an intermediate stage whose SETUP stage is not in the capture. */
  orphan?: boolean;
  /** Data bytes this URB holds (its submission's and the gathered ones), for UrbPairing's byte budget. */
  heldBytes: number;
}

/** The pairing key of an event (see the file comment). */
export function pairingKey(ev: UrbEvent): string {
  return ev.source === "usbmon"
    ? `${ev.bus}:${ev.id}`
    : `${ev.bus}:${ev.device}:${ev.endpoint & 0x0f}:${ev.id}`;
}

/** Data bytes an open URB holds: its submission's, and the gathered data when that is another array. */
function held(submit: UrbEvent, data: Uint8Array): number {
  return submit.data.length + (data === submit.data ? 0 : data.length);
}

/** Why an open submission left the table without a completion. */
export type EvictReason = "capacity" | "reused";

/**
 * Open submissions by key, oldest first (Map keeps insertion order). At most `capacity` are kept:
 * opening one more evicts the oldest through `onEvict`, so memory stays bounded on captures that
 * lose completions.
 */
export class UrbPairing {
  private readonly open = new Map<string, PendingUrb>();
  /**
   * Open submissions oldest first, with the key each was opened under; an entry whose URB has completed since
   * is skipped when met. (Taking the oldest from the Map itself, map.keys().next(), walks over every entry
   * deleted before it: quadratic on a capture that never completes its URBs.)
   */
  private order: { key: string; pending: PendingUrb }[] = [];
  private head = 0;
  /** Data bytes the open submissions hold (their submission's and gathered data). */
  private bytes = 0;

  constructor(
    readonly capacity: number,
    private readonly onEvict: (pending: PendingUrb, reason: EvictReason) => void,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** Open a submission. A still-open URB with the same key was never completed: it is evicted as "reused". */
  submit(ev: UrbEvent, controlIndex = -1, data: Uint8Array = ev.data): PendingUrb {
    const key = pairingKey(ev);
    const old = this.open.get(key);
    if (old !== undefined) {
      this.open.delete(key);
      this.forgetBytes(old);
      this.onEvict(old, "reused");
    }
    while (
      this.open.size > 0 &&
      (this.open.size >= this.capacity || this.bytes + held(ev, data) > MAX_PENDING_BYTES)
    ) {
      const oldest = this.oldest()!;
      this.open.delete(oldest.key);
      this.forgetBytes(oldest.pending);
      this.onEvict(oldest.pending, "capacity");
    }
    const heldBytes = held(ev, data);
    const pending: PendingUrb = {
      submit: ev,
      controlIndex,
      data,
      status: 0,
      lastRecord: ev.record,
      heldBytes,
    };
    this.open.set(key, pending);
    this.order.push({ key, pending });
    this.bytes += heldBytes;
    this.compactOrder();
    return pending;
  }

  /** The oldest open submission (the front of `order`, past entries that have left the table). */
  private oldest(): { key: string; pending: PendingUrb } | undefined {
    const order = this.order;
    while (this.head < order.length) {
      const e = order[this.head]!;
      if (this.open.get(e.key) === e.pending) return e;
      this.head++;
    }
    return undefined;
  }

  /** Drop the entries of `order` that have left the table, once they are most of it (amortized O(1) per URB). */
  private compactOrder(): void {
    if (this.order.length < 1024 || this.order.length < 2 * this.open.size) return;
    this.order = this.order.slice(this.head).filter((e) => this.open.get(e.key) === e.pending);
    this.head = 0;
  }

  /** Add a data stage's bytes to an open URB (at most MAX_GATHERED in all). */
  append(pending: PendingUrb, more: Uint8Array): void {
    const room = MAX_GATHERED - pending.data.length;
    if (room <= 0 || more.length === 0) return;
    const part = more.length <= room ? more : more.slice(0, room);
    pending.data = pending.data.length === 0 ? part : concat(pending.data, part);
    pending.heldBytes += part.length;
    if (this.open.get(pairingKey(pending.submit)) === pending) this.bytes += part.length;
  }

  private forgetBytes(p: PendingUrb): void {
    this.bytes -= p.heldBytes;
  }

  /** The open submission `ev` belongs to, left open (USBPcap intermediate stages). */
  find(ev: UrbEvent): PendingUrb | undefined {
    return this.open.get(pairingKey(ev));
  }

  /**
   * Close and return the submission `ev` completes, or undefined when none is open. USBPcap: a completion
   * whose IRP is open on another endpoint number of the device, in the other direction, is that IRP reused by
   * its driver (USBSTOR sends the CBW on bulk OUT 0x01 and reads data and CSW on bulk IN 0x82 with one IRP):
   * the open submission is returned, and the caller lists the two halves (urbLayer.ts).
   */
  complete(ev: UrbEvent): PendingUrb | undefined {
    let key = pairingKey(ev);
    let pending = this.open.get(key);
    if (pending === undefined && ev.source === "usbpcap" && !/^0+$/.test(ev.id)) {
      for (let n = 0; n < 16 && pending === undefined; n++) {
        if (n === (ev.endpoint & 0x0f)) continue;
        const other = `${ev.bus}:${ev.device}:${n}:${ev.id}`;
        const p = this.open.get(other);
        if (p !== undefined && p.controlIndex < 0 && (p.submit.endpoint & 0x80) !== (ev.endpoint & 0x80)) {
          pending = p;
          key = other;
        }
      }
    }
    if (pending !== undefined) {
      this.open.delete(key);
      this.forgetBytes(pending);
      this.compactOrder();
    }
    return pending;
  }

  /** Remove and return every open submission, oldest first (end of capture). */
  drain(): PendingUrb[] {
    const all = [...this.open.values()];
    this.open.clear();
    this.order = [];
    this.head = 0;
    this.bytes = 0;
    return all;
  }
}
