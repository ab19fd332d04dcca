import { describe, expect, it } from "vitest";
import { LinkType, Pid } from "../../as/shared/constants.js";
import { run } from "./helpers/context.js";
import {
  ACK,
  ERR,
  NAK,
  NYET,
  STALL,
  data0,
  data1,
  hs,
  inTok,
  outTok,
  pingTok,
  setupBytes,
  setupTok,
  sof,
  split,
} from "./helpers/packets.js";

const GET_DEV = setupBytes(0x80, 6, 0x0100, 0, 18);

/** A DATA packet whose CRC16 is wrong: the core marks it BAD_CRC16. */
function corrupt(p: Uint8Array): Uint8Array {
  const c = p.slice();
  c[1] ^= 0xff;
  return c;
}

describe("transactions (USB 2.0 §8.5)", () => {
  it("assembles SETUP, IN and OUT transactions with their handshakes", () => {
    const r = run([
      setupTok(3),
      data0(GET_DEV),
      ACK,
      inTok(3),
      data1([1, 2]),
      ACK,
      outTok(3),
      data1([]),
      ACK,
    ]);
    expect(r.transactions).toEqual(["none|SETUP|3.0|8|ACK", "none|IN|3.0|2|ACK", "none|OUT|3.0|0|ACK"]);
    expect(r.layer.transactionCount).toBe(3);
    expect(r.findings.filter((f) => f.severity !== "info")).toEqual([]);
  });

  it("gives each transaction one outcome: NAK, STALL, NYET, PING answers", () => {
    const r = run(
      [
        inTok(2, 1),
        NAK,
        inTok(2, 1),
        STALL,
        outTok(2, 2),
        data0([1]),
        NYET,
        pingTok(2, 2),
        ACK,
        pingTok(2, 2),
        NAK,
      ],
      { endpointTypes: { "2:0x81": "bulk", "2:0x02": "bulk" } },
    );
    expect(r.transactions).toEqual([
      "none|IN|2.1|-1|NAK",
      "none|IN|2.1|-1|STALL",
      "none|OUT|2.2|1|NYET",
      "none|PING|2.2|-1|ACK",
      "none|PING|2.2|-1|NAK",
    ]);
    expect(r.rule("PID_SEQUENCE")).toEqual([]);
  });

  it("keeps a transaction whole when a SOF falls inside it", () => {
    const r = run([inTok(3), sof(100), data1([9]), sof(101), ACK]);
    expect(r.transactions).toEqual(["none|IN|3.0|1|ACK"]);
    expect(r.layer.pidCount(Pid.SOF)).toBe(2);
    expect(r.findings).toEqual([]);
  });

  it("ignores a PRE preamble before a low-speed packet at full speed (§8.6.5)", () => {
    const r = run([hs(Pid.PRE_ERR), inTok(3), hs(Pid.PRE_ERR), data1([9]), ACK], {
      speed: "full",
      linktype: LinkType.USB_2_0_FULL_SPEED,
    });
    expect(r.transactions).toEqual(["none|IN|3.0|1|ACK"]);
    expect(r.rule("PID_SEQUENCE")).toEqual([]);
  });

  it("carries a transaction across a batch boundary", () => {
    const packets = [setupTok(3), data0(GET_DEV), ACK, inTok(3), data1([1, 2, 3]), ACK];
    for (const batchSize of [1, 2, 4]) {
      const r = run(packets, { batchSize });
      expect(r.transactions).toEqual(["none|SETUP|3.0|8|ACK", "none|IN|3.0|3|ACK"]);
      expect(r.controls[0].setup.wLength).toBe(18);
      expect(Array.from(r.controls[0].data)).toEqual([1, 2, 3]);
    }
  });

  it("assembles start and complete splits, NYET and ERR included (§11.17–11.21)", () => {
    const ss = (et: number) => split({ hub: 9, port: 2, complete: false, et, s: et !== 2 && et !== 1 });
    const cs = (et: number) => split({ hub: 9, port: 2, complete: true, et, s: et !== 2 && et !== 1 });
    const r = run([
      ss(0),
      setupTok(5),
      data0(GET_DEV),
      ACK,
      cs(0),
      setupTok(5),
      NYET,
      cs(0),
      setupTok(5),
      ACK,
      ss(0),
      inTok(5),
      ACK,
      cs(0),
      inTok(5),
      data1([1, 2]),
      ss(3),
      inTok(5, 1),
      cs(3),
      inTok(5, 1),
      ERR,
    ]);
    expect(r.transactions).toEqual([
      "start|SETUP|5.0|8|ACK",
      "complete|SETUP|5.0|-1|NYET",
      "complete|SETUP|5.0|-1|ACK",
      "start|IN|5.0|-1|ACK",
      "complete|IN|5.0|2|none",
      "start|IN|5.1|-1|none",
      "complete|IN|5.1|-1|ERR",
    ]);
    expect(r.findings.filter((f) => f.severity !== "info")).toEqual([]);
    // The GET_DESCRIPTOR never reached its status stage: flushed at the end as incomplete, with the data seen.
    expect(r.controls.map((c) => [c.status, Array.from(c.data)])).toEqual([["incomplete", [1, 2]]]);
  });

  it("numbers transactions file-wide from 0 and points at their first packet", () => {
    const seen: number[][] = [];
    const r = run([sof(1), inTok(3), NAK, sof(2), inTok(3), NAK]);
    for (const t of r.transfers) for (const tx of t.transactions) seen.push([tx.index, tx.firstPacket]);
    expect(seen).toEqual([
      [0, 1],
      [1, 4],
    ]);
  });
});

describe("PID_SEQUENCE", () => {
  it("flags a handshake outside any transaction, at its packet", () => {
    const r = run([inTok(3), data1([1]), ACK, ACK]);
    expect(r.rule("PID_SEQUENCE").map((f) => f.packet)).toEqual([3]);
  });

  it("flags a NAK after IN data (only the host handshakes IN data, and only with ACK)", () => {
    const r = run([inTok(3), data1([1]), NAK]);
    expect(r.rule("PID_SEQUENCE").map((f) => f.packet)).toEqual([2]);
  });

  it("flags an OUT token with no data packet", () => {
    const r = run([outTok(3), inTok(3), NAK]);
    expect(r.rule("PID_SEQUENCE").map((f) => f.packet)).toEqual([0]);
  });

  it("flags ERR outside a complete split at high speed (no PRE there)", () => {
    const r = run([inTok(3, 1), NAK, ERR], { speed: "high" });
    expect(r.rule("PID_SEQUENCE").map((f) => f.packet)).toEqual([2]);
  });

  it("stays silent on valid sequences", () => {
    const r = run([
      setupTok(3),
      data0(GET_DEV),
      ACK,
      inTok(3),
      NAK,
      inTok(3),
      data1([1]),
      ACK,
      outTok(3),
      data1([]),
      ACK,
      pingTok(3, 1),
      ACK,
    ]);
    expect(r.rule("PID_SEQUENCE")).toEqual([]);
  });

  it("does not blame the handshake that follows a corrupted data packet", () => {
    const r = run([inTok(3), corrupt(data1([1, 2])), ACK, inTok(3), NAK]);
    expect(r.rule("PID_SEQUENCE")).toEqual([]);
    expect(r.layer.malformedCount).toBe(1);
  });
});

describe("NO_HANDSHAKE", () => {
  it("flags bulk OUT data with no handshake before the next token, at the data packet", () => {
    const r = run([outTok(4, 2), data0([1, 2]), outTok(4, 2), data0([1, 2]), ACK], {
      endpointTypes: { "4:0x02": "bulk" },
    });
    expect(r.rule("NO_HANDSHAKE").map((f) => [f.packet, f.severity])).toEqual([[1, "warning"]]);
  });

  it("flags control IN data the host never ACKed", () => {
    const r = run([setupTok(3), data0(GET_DEV), ACK, inTok(3), data1([1]), inTok(3), data1([1]), ACK]);
    expect(r.rule("NO_HANDSHAKE").map((f) => f.packet)).toEqual([4]);
  });

  it("stays silent for isochronous data, which has no handshake (§8.5.5)", () => {
    const r = run([inTok(4, 1), data0([1, 2]), inTok(4, 1), data0([1, 2])], {
      endpointTypes: { "4:0x81": "isochronous" },
    });
    expect(r.rule("NO_HANDSHAKE")).toEqual([]);
  });

  it("stays silent when the endpoint type is unknown, and says so once", () => {
    const r = run([inTok(4, 1), data0([1, 2]), inTok(4, 1), data0([1, 2])]);
    expect(r.rule("NO_HANDSHAKE")).toEqual([]);
    const info = r.findings.filter((f) => f.severity === "info" && /type unknown/.test(f.message));
    expect(info.map((f) => f.endpoint)).toEqual([0x81]);
  });
});

describe("SETUP_LENGTH", () => {
  it("flags a SETUP data payload that is not 8 bytes", () => {
    const r = run([setupTok(3), data0(GET_DEV.slice(0, 7)), ACK]);
    expect(r.rule("SETUP_LENGTH").map((f) => f.packet)).toEqual([0]);
  });

  it("stays silent on an 8-byte SETUP", () => {
    expect(run([setupTok(3), data0(GET_DEV), ACK]).rule("SETUP_LENGTH")).toEqual([]);
  });
});

describe("split bits (§8.4.2.2)", () => {
  it("SPLIT_S_BIT flags S set on a bulk split", () => {
    const r = run([
      split({ hub: 9, port: 1, complete: false, et: 2, s: true }),
      outTok(5, 2),
      data0([1]),
      ACK,
    ]);
    expect(r.rule("SPLIT_S_BIT").map((f) => f.packet)).toEqual([0]);
  });

  it("SPLIT_S_BIT flags S set on an isochronous IN split", () => {
    const r = run([split({ hub: 9, port: 1, complete: false, et: 1, s: true }), inTok(5, 3)]);
    expect(r.rule("SPLIT_S_BIT").map((f) => f.packet)).toEqual([0]);
  });

  it("SPLIT_S_BIT stays silent on S (low speed) for interrupt and control splits", () => {
    const r = run([
      split({ hub: 9, port: 1, complete: false, et: 3, s: true }),
      inTok(5, 1),
      split({ hub: 9, port: 1, complete: true, et: 0, s: true }),
      inTok(5, 0),
      NAK,
    ]);
    expect(r.rule("SPLIT_S_BIT")).toEqual([]);
  });

  it("SPLIT_EU_BIT flags E on a non-isochronous start split and U on a complete split", () => {
    const r = run([
      split({ hub: 9, port: 1, complete: false, et: 3, eu: true }),
      inTok(5, 1),
      split({ hub: 9, port: 1, complete: true, et: 3, eu: true }),
      inTok(5, 1),
      NAK,
    ]);
    expect(r.rule("SPLIT_EU_BIT").map((f) => f.packet)).toEqual([0, 2]);
  });

  it("SPLIT_EU_BIT stays silent on E for an isochronous OUT start split", () => {
    const r = run([
      split({ hub: 9, port: 1, complete: false, et: 1, s: true, eu: true }),
      outTok(5, 3),
      data0([1, 2, 3]),
    ]);
    expect(r.rule("SPLIT_EU_BIT")).toEqual([]);
    expect(r.rule("SPLIT_S_BIT")).toEqual([]);
  });
});
