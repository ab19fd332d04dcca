// The accepted-data fast path (PacketLayer.dataTx, taken only when no listener is attached) against
// the general path (forced by a transaction listener): findings, counts and control transfers must not
// differ, on toggle sequences made to hit every toggle rule and on every public and bundled capture
// with its endpoint types learned from its own configuration descriptors.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Pid } from "../../as/shared/constants.js";
import type { AnalysisContext, ControlTransfer, EndpointType, Finding, RecordBatch } from "../../src/model.js";
import { PacketLayer } from "../../src/transfers/packetLayer.js";
import { slurpCapture } from "../helpers/pcapSlurp.js";
import { bundledCaptures, publicCaptures } from "../helpers/paths.js";
import { slurpedBatches } from "../helpers/recordBatch.js";
import { learnFromConfig } from "./helpers/context.js";
import { ACK, NAK, NYET, data, data0, data1, inTok, outTok, records, setupBytes, setupTok, split, toBatches } from "./helpers/packets.js";

interface Outcome {
  findings: Finding[];
  controls: string[];
  transactions: number;
  malformed: number;
  pids: number[];
}

function layerRun(batches: RecordBatch[], known: Record<string, EndpointType>, general: boolean): Outcome {
  const findings: Finding[] = [];
  const controls: string[] = [];
  const types = { ...known };
  const ctx: AnalysisContext = {
    findings: { add: (f) => findings.push(f) },
    onControlTransfer: (ct: ControlTransfer) => {
      controls.push(`${ct.index} ${ct.address} ${ct.request} ${ct.status} ${Array.from(ct.data).join(",")}`);
      // Learn endpoint types from configuration descriptors, as the descriptor layer does.
      if (ct.status === "ok" && ct.setup.bRequest === 6 && ct.setup.wValue >> 8 === 2) learnFromConfig(ct.address, ct.data, types);
    },
    endpoints: { endpointType: (address, ep) => types[`${address}:0x${ep.toString(16).padStart(2, "0")}`] },
    speed: "high",
  };
  // A transaction listener is enough to turn the fast paths off.
  const layer = new PacketLayer(ctx, general ? { onTransaction: () => {} } : {});
  for (const b of batches) layer.onBatch(b);
  layer.onEnd();
  const pids: number[] = [];
  for (let p = 0; p < 256; p++) pids.push(layer.pidCount(p));
  return { findings, controls, transactions: layer.transactionCount, malformed: layer.malformedCount, pids };
}

function fastPathCalls() {
  // dataTx is private: spy on the prototype, which the assembler's callback goes through.
  return vi.spyOn(PacketLayer.prototype as unknown as { dataTx: (...a: number[]) => boolean }, "dataTx");
}

afterEach(() => vi.restoreAllMocks());

const TYPES = { "5:0x81": "bulk", "5:0x02": "bulk", "6:0x83": "interrupt", "7:0x81": "isochronous" } as const;
const payload = (n: number, fill: number) => new Array(n).fill(fill);

describe("accepted data without a listener (fast path)", () => {
  it("gives the same findings and counts as the general path through every toggle case", () => {
    const setConfig = setupBytes(0x00, 9, 1, 0, 0);
    const setAddress = setupBytes(0x00, 5, 9, 0, 0);
    const packets = [
      // In sequence both ways, OUT answered with NYET, interrupt IN.
      inTok(5, 1), data0(payload(512, 1)), ACK, inTok(5, 1), data1(payload(512, 2)), ACK, inTok(5, 1), data0([3]), ACK,
      outTok(5, 2), data0(payload(512, 4)), NYET, outTok(5, 2), data1([5]), ACK,
      inTok(6, 3), data0([1]), ACK, inTok(6, 3), NAK, inTok(6, 3), data1([2]), ACK,
      // A wrong toggle (TOGGLE_BULK_INT), then a retransmission of handshaked data (info).
      inTok(5, 1), data0([9]), ACK, inTok(5, 1), data0([9]), ACK,
      // Unanswered data, then the same again (retransmission after a lost handshake).
      inTok(5, 1), data1([7]), inTok(5, 1), data1([7]), ACK,
      // DATA2 on a bulk endpoint; isochronous IN data; an unknown endpoint (reported once, then nothing to check).
      inTok(5, 1), data(Pid.DATA2, [1]), ACK, inTok(7, 1), data0([1]), inTok(8, 1), data0([1]), ACK, inTok(8, 1), data0([1]), ACK,
      // SET_CONFIGURATION: the next data must be DATA0 (TOGGLE_RESET_DATA0 when it is not).
      setupTok(5), data0(setConfig), ACK, inTok(5, 0), data1([]), ACK,
      inTok(5, 1), data1([1]), ACK, outTok(5, 2), data0([1]), ACK,
      // A split data transaction, and data on the control endpoint.
      split({ hub: 2, port: 1, complete: false, et: 2 }), outTok(5, 2), data1([1]), ACK,
      inTok(5, 0), data1([1]), ACK,
      // SET_ADDRESS pending: everything takes the general path until the device answers at the new address.
      setupTok(5), data0(setAddress), ACK, inTok(5, 0), data1([]), ACK, inTok(5, 1), data0([1]), ACK, inTok(9, 1), NAK,
      outTok(5, 2), data1([1]), // the capture ends before the handshake
    ];
    const recs = records(packets);
    for (const batchSize of [4, 9, recs.length]) {
      const spy = fastPathCalls();
      const fast = layerRun(toBatches(recs, batchSize), TYPES, false);
      expect(spy.mock.results.filter((r) => r.value === true).length).toBeGreaterThan(3);
      expect(spy.mock.results.some((r) => r.value === false)).toBe(true); // and it declined where it must
      spy.mockRestore();
      expect(fast).toEqual(layerRun(toBatches(recs, batchSize), TYPES, true));
      expect(fast.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(["TOGGLE_BULK_INT", "TOGGLE_RESET_DATA0", "TOGGLE_ISO"]));
    }
  });

  it("is never taken when a listener is attached", () => {
    const spy = fastPathCalls();
    layerRun(toBatches(records([inTok(5, 1), data0([1]), ACK])), TYPES, true);
    expect(spy).not.toHaveBeenCalled();
  });

  it("gives the same findings, control transfers and counts as the general path on every public and bundled capture", () => {
    let taken = 0;
    for (const file of [...publicCaptures(), ...bundledCaptures()]) {
      const cap = slurpCapture(file);
      const spy = fastPathCalls();
      const fast = layerRun(slurpedBatches(cap, 64), {}, false);
      taken += spy.mock.results.filter((r) => r.value === true).length;
      spy.mockRestore();
      expect({ file, ...fast }).toEqual({ file, ...layerRun(slurpedBatches(cap, 64), {}, true) });
    }
    expect(taken).toBeGreaterThan(100);
  });
});
