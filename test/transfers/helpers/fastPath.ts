// The PacketLayer fast paths (poll, dataTx: taken only when no listener is attached) against the
// general path (forced by a transaction listener): what a test compares, and the comparison on every
// public and bundled capture.
import { expect, vi } from "vitest";
import type { AnalysisContext, ControlTransfer, EndpointType, RecordBatch } from "../../../src/usb/model.js";
import type { Finding } from "../../../src/usb/finding.js";
import { PacketLayer } from "../../../src/transfers/packetLayer.js";
import { slurpCapture } from "../../helpers/pcapSlurp.js";
import { bundledCaptures, publicCaptures } from "../../helpers/paths.js";
import { slurpedBatches } from "../../helpers/recordBatch.js";
import { endpointKey, learnFromConfig } from "./context.js";

export interface LayerOutcome {
  findings: Finding[];
  controls: string[];
  transactions: number;
  transfers: number;
  malformed: number;
  pids: number[];
}

/**
 * Feed `batches` through a PacketLayer: with a transaction listener (`general`) or with none (fast
 * paths on). Endpoint types are `known`, plus what configuration descriptors in the capture say, as
 * the descriptor layer would learn them.
 */
export function layerRun(
  batches: RecordBatch[],
  known: Record<string, EndpointType>,
  general: boolean,
): LayerOutcome {
  const findings: Finding[] = [];
  const controls: string[] = [];
  const types = { ...known };
  const ctx: AnalysisContext = {
    findings: { add: (f) => findings.push(f) },
    onControlTransfer: (ct: ControlTransfer) => {
      controls.push(`${ct.index} ${ct.address} ${ct.request} ${ct.status} ${Array.from(ct.data).join(",")}`);
      if (ct.status === "ok" && ct.setup.bRequest === 6 && ct.setup.wValue >> 8 === 2)
        learnFromConfig(ct.address, ct.data, types);
    },
    endpoints: { endpointType: (address, ep) => types[endpointKey(address, ep)] },
    speed: "high",
  };
  const layer = new PacketLayer(ctx, general ? { onTransaction: () => {} } : {});
  for (const b of batches) layer.onBatch(b);
  layer.onEnd();
  const pids: number[] = [];
  for (let p = 0; p < 256; p++) pids.push(layer.pidCount(p));
  return {
    findings,
    controls,
    transactions: layer.transactionCount,
    transfers: layer.transfers,
    malformed: layer.malformedCount,
    pids,
  };
}

/** Spy on a fast path (private: through the prototype, which the assembler's callback goes through). */
export function fastPathCalls(name: "poll" | "dataTx") {
  return vi.spyOn(PacketLayer.prototype as unknown as Record<typeof name, (...a: number[]) => boolean>, name);
}

/** Both paths on every public and bundled capture must agree; returns how often the fast path was taken. */
export function expectSameOnEveryCapture(name: "poll" | "dataTx"): number {
  let taken = 0;
  for (const file of [...publicCaptures(), ...bundledCaptures()]) {
    const cap = slurpCapture(file);
    const spy = fastPathCalls(name);
    const fast = layerRun(slurpedBatches(cap, 64), {}, false);
    taken += spy.mock.results.filter((r) => r.value === true).length;
    spy.mockRestore();
    expect({ file, ...fast }).toEqual({ file, ...layerRun(slurpedBatches(cap, 64), {}, true) });
  }
  return taken;
}
