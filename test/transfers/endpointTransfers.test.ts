import { describe, expect, it } from "vitest";
import { Pid } from "../../as/shared/constants.js";
import { run } from "./helpers/context.js";
import { ACK, NAK, STALL, data, inTok, outTok } from "./helpers/packets.js";
import { range } from "./helpers/scenarios.js";

const bulkIn = (pid: Pid, n: number) => [inTok(5, 1), data(pid, range(n)), ACK];

describe("bulk and interrupt transfers (§5.7, §5.8)", () => {
  it("groups high-speed bulk packets until a short packet", () => {
    const r = run([...bulkIn(Pid.DATA0, 512), ...bulkIn(Pid.DATA1, 512), ...bulkIn(Pid.DATA0, 100)], {
      endpointTypes: { "5:0x81": "bulk" },
    });
    expect(r.transfers.map((t) => [t.kind, t.dataLength, t.outcome, t.transactions.length])).toEqual([
      ["bulk", 1124, "ok", 3],
    ]);
  });

  it("ends a transfer of whole packets with a zero-length packet", () => {
    const r = run([...bulkIn(Pid.DATA0, 512), ...bulkIn(Pid.DATA1, 0), ...bulkIn(Pid.DATA0, 3)], {
      endpointTypes: { "5:0x81": "bulk" },
    });
    expect(r.transfers.map((t) => [t.dataLength, t.outcome])).toEqual([
      [512, "ok"],
      [3, "ok"],
    ]);
  });

  it("uses wMaxPacketSize from the descriptor layer when it offers one", () => {
    const r = run([...bulkIn(Pid.DATA0, 64), ...bulkIn(Pid.DATA1, 64), ...bulkIn(Pid.DATA0, 10)], {
      endpointTypes: { "5:0x81": "bulk" },
      maxPacketSizes: { "5:0x81": 64 },
    });
    expect(r.transfers.map((t) => t.dataLength)).toEqual([138]);
  });

  it("collapses a run of NAKs into one polling entry with a count", () => {
    const polls = Array.from({ length: 5 }, () => [inTok(5, 1), NAK]).flat();
    const r = run([...polls, inTok(5, 1), data(Pid.DATA0, range(4)), ACK, ...polls], {
      endpointTypes: { "5:0x81": "interrupt" },
    });
    expect(r.transfers.map((t) => [t.kind, t.nakCount, t.dataLength, t.outcome])).toEqual([
      ["polling", 5, 0, "nak"],
      ["interrupt", 0, 4, "ok"],
      ["polling", 5, 0, "nak"],
    ]);
  });

  it("ends an interrupt transfer of a full-size report at the next NAK when wMaxPacketSize is unknown", () => {
    const r = run(
      [
        inTok(5, 1),
        data(Pid.DATA0, range(8)),
        ACK,
        inTok(5, 1),
        NAK,
        inTok(5, 1),
        data(Pid.DATA1, range(8)),
        ACK,
      ],
      { endpointTypes: { "5:0x81": "interrupt" } },
    );
    expect(r.transfers.map((t) => [t.kind, t.dataLength, t.outcome])).toEqual([
      ["interrupt", 8, "ok"],
      ["polling", 0, "nak"],
      ["interrupt", 8, "incomplete"],
    ]);
  });

  it("keeps a bulk transfer open across NAKs when wMaxPacketSize is known, ends it at a NAK when not", () => {
    const packets = [
      ...bulkIn(Pid.DATA0, 64),
      inTok(5, 1),
      NAK,
      ...bulkIn(Pid.DATA1, 64),
      ...bulkIn(Pid.DATA0, 1),
    ];
    const known = run(packets, { endpointTypes: { "5:0x81": "bulk" }, maxPacketSizes: { "5:0x81": 64 } });
    expect(known.transfers.map((t) => [t.dataLength, t.nakCount])).toEqual([[129, 1]]);
    const unknown = run(packets, { endpointTypes: { "5:0x81": "bulk" }, speed: "full", linktype: 294 });
    expect(unknown.transfers.map((t) => [t.kind, t.dataLength])).toEqual([
      ["bulk", 64],
      ["polling", 0],
      ["bulk", 65],
    ]);
  });

  it("ends a transfer at a STALL", () => {
    const r = run(
      [outTok(5, 2), data(Pid.DATA0, range(512)), ACK, outTok(5, 2), data(Pid.DATA1, range(512)), STALL],
      { endpointTypes: { "5:0x02": "bulk" } },
    );
    expect(r.transfers.map((t) => [t.direction, t.dataLength, t.outcome])).toEqual([["out", 512, "stall"]]);
  });

  it("counts transactions, transfers and PIDs", () => {
    const r = run([...bulkIn(Pid.DATA0, 3), inTok(5, 1), NAK], { endpointTypes: { "5:0x81": "bulk" } });
    expect(r.layer.transactionCount).toBe(2);
    expect(r.layer.transfers).toBe(2);
    expect(r.layer.controlTransferCount).toBe(0);
    expect(r.layer.pidCount(Pid.IN)).toBe(2);
    expect(r.layer.pidCount(Pid.NAK)).toBe(1);
  });
});
