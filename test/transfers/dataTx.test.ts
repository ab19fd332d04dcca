// The accepted-data fast path (PacketLayer.dataTx, taken only when no listener is attached) against
// the general path (forced by a transaction listener): findings, counts and control transfers must not
// differ, on toggle sequences made to hit every toggle rule and on every public and bundled capture
// with its endpoint types learned from its own configuration descriptors.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Pid } from "../../as/shared/constants.js";
import { expectSameOnEveryCapture, fastPathCalls, layerRun } from "./helpers/fastPath.js";
import {
  ACK,
  NAK,
  NYET,
  data,
  data0,
  data1,
  inTok,
  outTok,
  records,
  setupBytes,
  setupTok,
  split,
  toBatches,
} from "./helpers/packets.js";

afterEach(() => vi.restoreAllMocks());

const TYPES = { "5:0x81": "bulk", "5:0x02": "bulk", "6:0x83": "interrupt", "7:0x81": "isochronous" } as const;
const payload = (n: number, fill: number) => new Array(n).fill(fill);

describe("accepted data without a listener (fast path)", () => {
  it("gives the same findings and counts as the general path through every toggle case", () => {
    const setConfig = setupBytes(0x00, 9, 1, 0, 0);
    const setAddress = setupBytes(0x00, 5, 9, 0, 0);
    const packets = [
      // In sequence both ways, OUT answered with NYET, interrupt IN.
      inTok(5, 1),
      data0(payload(512, 1)),
      ACK,
      inTok(5, 1),
      data1(payload(512, 2)),
      ACK,
      inTok(5, 1),
      data0([3]),
      ACK,
      outTok(5, 2),
      data0(payload(512, 4)),
      NYET,
      outTok(5, 2),
      data1([5]),
      ACK,
      inTok(6, 3),
      data0([1]),
      ACK,
      inTok(6, 3),
      NAK,
      inTok(6, 3),
      data1([2]),
      ACK,
      // A wrong toggle (TOGGLE_BULK_INT), then a retransmission of handshaked data (info).
      inTok(5, 1),
      data0([9]),
      ACK,
      inTok(5, 1),
      data0([9]),
      ACK,
      // Unanswered data, then the same again (retransmission after a lost handshake).
      inTok(5, 1),
      data1([7]),
      inTok(5, 1),
      data1([7]),
      ACK,
      // DATA2 on a bulk endpoint; isochronous IN data; an unknown endpoint (reported once, then nothing to check).
      inTok(5, 1),
      data(Pid.DATA2, [1]),
      ACK,
      inTok(7, 1),
      data0([1]),
      inTok(8, 1),
      data0([1]),
      ACK,
      inTok(8, 1),
      data0([1]),
      ACK,
      // SET_CONFIGURATION: the next data must be DATA0 (TOGGLE_RESET_DATA0 when it is not).
      setupTok(5),
      data0(setConfig),
      ACK,
      inTok(5, 0),
      data1([]),
      ACK,
      inTok(5, 1),
      data1([1]),
      ACK,
      outTok(5, 2),
      data0([1]),
      ACK,
      // A split data transaction, and data on the control endpoint.
      split({ hub: 2, port: 1, complete: false, et: 2 }),
      outTok(5, 2),
      data1([1]),
      ACK,
      inTok(5, 0),
      data1([1]),
      ACK,
      // SET_ADDRESS pending: everything takes the general path until the device answers at the new address.
      setupTok(5),
      data0(setAddress),
      ACK,
      inTok(5, 0),
      data1([]),
      ACK,
      inTok(5, 1),
      data0([1]),
      ACK,
      inTok(9, 1),
      NAK,
      outTok(5, 2),
      data1([1]), // the capture ends before the handshake
    ];
    const recs = records(packets);
    for (const batchSize of [4, 9, recs.length]) {
      const spy = fastPathCalls("dataTx");
      const fast = layerRun(toBatches(recs, batchSize), TYPES, false);
      expect(spy.mock.results.filter((r) => r.value === true).length).toBeGreaterThan(3);
      expect(spy.mock.results.some((r) => r.value === false)).toBe(true); // and it declined where it must
      spy.mockRestore();
      expect(fast).toEqual(layerRun(toBatches(recs, batchSize), TYPES, true));
      expect(fast.findings.map((f) => f.rule)).toEqual(
        expect.arrayContaining(["TOGGLE_BULK_INT", "TOGGLE_RESET_DATA0", "TOGGLE_ISO"]),
      );
    }
  });

  it("is never taken when a listener is attached", () => {
    const spy = fastPathCalls("dataTx");
    layerRun(toBatches(records([inTok(5, 1), data0([1]), ACK])), TYPES, true);
    expect(spy).not.toHaveBeenCalled();
  });

  it("gives the same findings, control transfers and counts as the general path on every public and bundled capture", () => {
    expect(expectSameOnEveryCapture("dataTx")).toBeGreaterThan(100);
  });
});
