// Where a tshark frame is in usbscope's transfers, for the class comparisons with tshark.
import { expect } from "vitest";
import type { TransferSummary } from "../../src/index.js";

/** The tshark fields `atOf` reads, in this order, first in a comparison's field list. */
export const AT_FIELDS = ["frame.number", "usb.urb_id", "usb.irp_id", "usb.device_address", "usb.bus_id"];

/** One tshark frame: its record, and on URB captures the URB (usbmon) or IRP (USBPcap) id, device and bus. */
export interface TsharkAt {
  record: number;
  urb?: bigint;
  device: number;
  bus: number;
}

/** The AT_FIELDS columns of a tshark row. */
export function atOf(row: string[]): TsharkAt {
  const [frame, urbId, irpId, device, bus] = row;
  return {
    record: Number(frame) - 1,
    urb: urbId || irpId ? BigInt(urbId || irpId!) : undefined,
    device: Number(device),
    bus: Number(bus),
  };
}

/**
 * The transfer holding tshark's frame: on URB captures the one with the same URB (or IRP) id whose records
 * include it (URBs overlap), or else the run of identical transfers on that device that folds it (`repeat`,
 * whose URBs have ids of their own); on raw captures the one whose records include it.
 */
export function transferAt(mine: TransferSummary[], s: TsharkAt): TransferSummary | undefined {
  const within = (a: number, b: number) => a <= s.record && s.record <= b;
  if (s.urb === undefined) return mine.find((m) => !m.urb && within(m.firstPacket, m.lastPacket));
  return (
    mine.find((m) => m.urb && BigInt(`0x${m.urb.id}`) === s.urb && within(m.firstPacket, m.lastPacket)) ??
    mine.find(
      (m) =>
        m.repeat &&
        m.device === s.device &&
        m.bus === s.bus &&
        within(m.repeat.firstPacket, m.repeat.lastPacket),
    )
  );
}

/**
 * Both ways: each frame tshark decodes is a transfer of `mine` with tshark's request name and at least its
 * fields (`each` checks and counts what more the comparison has), and no transfer of `mine` is left that
 * tshark does not decode (`unmatched` names them in the failure).
 */
export function matchBothWays<S extends TsharkAt & { name: string; fields: Record<string, unknown> }>(
  mine: TransferSummary[],
  theirs: S[],
  unmatched: string,
  each: (s: S, t: TransferSummary, what: string) => void,
): void {
  const matched = new Set<TransferSummary>();
  for (const s of theirs) {
    const t = transferAt(mine, s);
    const what = `${s.name} at record ${s.record}`;
    expect(t, what).toBeDefined();
    expect(t!.class!.name, what).toBe(s.name);
    expect(t!.class!.fields, what).toMatchObject(s.fields);
    each(s, t!, what);
    matched.add(t!);
  }
  expect(
    mine.filter((t) => !matched.has(t)).map((t) => `${t.class!.name} [${t.firstPacket}]`),
    unmatched,
  ).toEqual([]);
}
