// A transaction open across a batch boundary: the reader reuses its input region for the next batch,
// so nothing the layer keeps may still point into the previous batch's bytes (the data fingerprint
// comes from the core's frame column, control payloads are copied).
import { describe, expect, it } from "vitest";
import { Pid } from "../../as/shared/constants.js";
import type { AnalysisContext } from "../../src/usb/model.js";
import type { Finding } from "../../src/usb/finding.js";
import { PacketLayer } from "../../src/transfers/packetLayer.js";
import type { TransferSummary } from "../../src/transfers/transferSummary.js";
import { ACK, data, inTok, records, toBatches } from "./helpers/packets.js";

/** Feed batches of `batchSize` records, scribbling over each batch's bytes once the layer has seen it. */
function runReusingBytes(packets: Uint8Array[], batchSize: number) {
  const findings: Finding[] = [];
  const transfers: TransferSummary[] = [];
  const ctx: AnalysisContext = {
    findings: { add: (f) => findings.push(f) },
    onControlTransfer: () => {},
    endpoints: { endpointType: (address, ep) => (address === 5 && ep === 0x81 ? "bulk" : undefined) },
    speed: "high",
  };
  const layer = new PacketLayer(ctx, { onTransfer: (t) => transfers.push(t) });
  for (const b of toBatches(records(packets), batchSize)) {
    layer.onBatch(b);
    b.bytes.fill(0xa5); // what the reader's next chunk does to the input region
  }
  layer.onEnd();
  return {
    toggle: findings.filter((f) => f.rule === "TOGGLE_BULK_INT").map((f) => [f.packet, f.severity]),
    counted: transfers.filter((t) => t.device === 5).reduce((s, t) => s + t.dataLength, 0),
  };
}

describe("transactions across a batch boundary", () => {
  // Packets 0-4 in the first batch: the second DATA0 (packet 4) ends it, its ACK starts the next one.
  const first = [inTok(5, 1), data(Pid.DATA0, [1, 2, 3]), ACK];

  it("recognises a retransmission whose data packet ended the previous batch", () => {
    const r = runReusingBytes(
      [...first, inTok(5, 1), data(Pid.DATA0, [1, 2, 3]), ACK, inTok(5, 1), data(Pid.DATA1, [4]), ACK],
      5,
    );
    expect(r.toggle).toEqual([[4, "info"]]);
    expect(r.counted).toBe(4);
  });

  it("still flags a wrong toggle with different data whose data packet ended the previous batch", () => {
    const r = runReusingBytes(
      [...first, inTok(5, 1), data(Pid.DATA0, [9, 9, 9]), ACK, inTok(5, 1), data(Pid.DATA1, [4]), ACK],
      5,
    );
    expect(r.toggle).toEqual([[4, "error"]]);
  });
});
