// The poll fast path (PacketLayer.poll: IN-NAK, PING-NAK, PING-ACK; taken only when no listener is attached) against the
// general path (forced by a transaction listener): findings, counts and transfers must not differ.
import { afterEach, describe, expect, it, vi } from "vitest";
import { expectSameOnEveryCapture, fastPathCalls, layerRun } from "./helpers/fastPath.js";
import {
  ACK,
  NAK,
  STALL,
  data0,
  data1,
  inTok,
  outTok,
  pingTok,
  records,
  setupBytes,
  setupTok,
  sof,
  split,
  toBatches,
} from "./helpers/packets.js";

afterEach(() => vi.restoreAllMocks());

const BULK_IN = { "5:0x81": "bulk", "5:0x02": "bulk", "6:0x83": "interrupt" } as const;

describe("NAKed polls without a listener (fast path)", () => {
  it("gives the same findings, counts and transfers as the general path on a synthetic polling storm", () => {
    const stdRequest = setupBytes(0x00, 5, 7, 0, 0); // SET_ADDRESS 7: a pending move makes NAKs take the general path
    const packets = [
      inTok(9, 1),
      NAK,
      inTok(9, 1),
      NAK, // unknown type: the first IN reports it, the next one may go fast
      ...Array.from({ length: 6 }, () => [inTok(5, 1), NAK]).flat(),
      inTok(5, 1),
      data0([1, 2, 3]),
      ACK,
      inTok(5, 1),
      NAK,
      inTok(5, 1),
      data1([4]),
      ACK, // data between NAK runs
      pingTok(5, 2),
      NAK,
      pingTok(5, 2),
      NAK,
      pingTok(5, 2),
      ACK,
      outTok(5, 2),
      data0([7]),
      ACK,
      inTok(6, 3),
      NAK,
      inTok(6, 3),
      data0([1]),
      ACK,
      inTok(6, 3),
      NAK, // interrupt: a NAK after data ends the transfer
      sof(100),
      inTok(5, 1),
      sof(101),
      NAK, // a SOF between token and NAK
      split({ hub: 2, port: 1, complete: false, et: 2 }),
      inTok(5, 1),
      NAK, // a token after SSPLIT continues the split
      inTok(5, 1),
      Uint8Array.of(0x5b), // NAK with a bad PID check: malformed, no pair
      inTok(5, 1),
      STALL,
      inTok(5, 1),
      NAK,
      inTok(0, 0),
      NAK, // control endpoint: general path
      setupTok(3),
      data0(stdRequest),
      ACK,
      inTok(3, 0),
      data1([]),
      ACK,
      inTok(3, 1),
      NAK,
      inTok(7, 1),
      NAK,
      inTok(5, 1),
      NAK,
      inTok(5, 1), // the batch (and capture) ends after a token whose NAK never comes
    ];
    const recs = records(packets);
    for (const batchSize of [3, 7, recs.length]) {
      const spy = fastPathCalls("poll");
      const fast = layerRun(toBatches(recs, batchSize), BULK_IN, false);
      expect(spy.mock.results.filter((r) => r.value === true).length).toBeGreaterThan(5);
      expect(spy.mock.results.some((r) => r.value === false)).toBe(true); // and it declined where it must
      spy.mockRestore();
      const general = layerRun(toBatches(recs, batchSize), BULK_IN, true);
      expect(fast).toEqual(general);
    }
  });

  it("is never taken when a listener is attached", () => {
    const spy = fastPathCalls("poll");
    layerRun(toBatches(records([inTok(5, 1), NAK, inTok(5, 1), NAK])), BULK_IN, true);
    expect(spy).not.toHaveBeenCalled();
  });

  it("gives the same findings and counts as the general path on every public and bundled capture", () => {
    expect(expectSameOnEveryCapture("poll")).toBeGreaterThan(100);
  });
});
