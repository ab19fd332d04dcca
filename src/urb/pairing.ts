// Matching URB submissions with their completions, with a bounded number of open submissions.
// usbmon: the tag (the kernel's URB pointer) is unique per bus while the URB is in flight
// (usbmon.rst "URB Tag"). USBPcap: the IRP pointer (irpId) plays the same role; some captures write
// irpId 0 for every record, so the key also holds the device and endpoint number to keep unrelated
// URBs apart.

import type { UrbEvent } from "./urbEvent.js";

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
}

/** The pairing key of an event (see the file comment). */
export function pairingKey(ev: UrbEvent): string {
  return ev.source === "usbmon"
    ? `${ev.bus}:${ev.id}`
    : `${ev.bus}:${ev.device}:${ev.endpoint & 0x0f}:${ev.id}`;
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
      this.onEvict(old, "reused");
    } else if (this.open.size >= this.capacity) {
      const oldestKey = this.open.keys().next().value as string;
      const oldest = this.open.get(oldestKey)!;
      this.open.delete(oldestKey);
      this.onEvict(oldest, "capacity");
    }
    const pending: PendingUrb = { submit: ev, controlIndex, data, status: 0, lastRecord: ev.record };
    this.open.set(key, pending);
    return pending;
  }

  /** The open submission `ev` belongs to, left open (USBPcap intermediate stages). */
  find(ev: UrbEvent): PendingUrb | undefined {
    return this.open.get(pairingKey(ev));
  }

  /** Close and return the submission `ev` completes, or undefined when none is open. */
  complete(ev: UrbEvent): PendingUrb | undefined {
    const key = pairingKey(ev);
    const pending = this.open.get(key);
    if (pending !== undefined) this.open.delete(key);
    return pending;
  }

  /** Remove and return every open submission, oldest first (end of capture). */
  drain(): PendingUrb[] {
    const all = [...this.open.values()];
    this.open.clear();
    return all;
  }
}
