import { describe, expect, it } from "vitest";
import { Pid } from "../../as/shared/constants.js";
import { run } from "./helpers/context.js";
import {
  type Packet,
  data,
  hs,
  inTok,
  outTok,
  pingTok,
  setupTok,
  sof,
  split,
  setupBytes,
} from "./helpers/packets.js";

/** Deterministic xorshift32, so a failure reproduces. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function randomPacket(r: () => number): Packet {
  const addr = Math.floor(r() * 4);
  const ep = Math.floor(r() * 3);
  const pick = Math.floor(r() * 17);
  switch (pick) {
    case 0:
      return setupTok(addr, ep);
    case 1:
    case 2:
      return inTok(addr, ep);
    case 3:
      return outTok(addr, ep);
    case 4:
      return pingTok(addr, ep);
    case 5:
      return sof(Math.floor(r() * 2048));
    case 6:
      return data(Pid.DATA0, setupBytes(0x80, 6, 0x0100, 0, Math.floor(r() * 70)));
    case 7:
      return data(
        Pid.DATA1,
        Array.from({ length: Math.floor(r() * 70) }, () => Math.floor(r() * 256)),
      );
    case 8:
      return data([Pid.DATA2, Pid.MDATA][Math.floor(r() * 2)], [1, 2]);
    case 9:
    case 10:
      return hs(Pid.ACK);
    case 11:
      return hs(Pid.NAK);
    case 12:
      return hs([Pid.STALL, Pid.NYET, Pid.PRE_ERR][Math.floor(r() * 3)]);
    case 13:
      return split({
        hub: 9,
        port: 1,
        complete: r() < 0.5,
        et: Math.floor(r() * 4),
        s: r() < 0.3,
        eu: r() < 0.1,
      });
    case 14:
      return Uint8Array.of(Math.floor(r() * 256), Math.floor(r() * 256)); // garbage: bad PID check or length
    case 15:
      return new Uint8Array(0);
    default:
      return data(Pid.DATA0, [9]).map((b, i) => (i === 1 ? b ^ 0x55 : b)); // bad CRC16
  }
}

describe("robustness", () => {
  for (const seed of [1, 2, 3, 42]) {
    it(`never throws and keeps every index consistent on random packet soup (seed ${seed})`, () => {
      const r = rng(seed);
      const packets = Array.from({ length: 20000 }, () => randomPacket(r));
      const res = run(packets, {
        batchSize: 333,
        endpointTypes: { "1:0x81": "bulk", "2:0x82": "interrupt", "3:0x01": "isochronous" },
      });
      const indices = res.transfers.flatMap((t) => t.transactions.map((x) => x.index)).sort((a, b) => a - b);
      // Every transaction lands in exactly one transfer of the tree, and indices run 0..n-1.
      expect(indices).toEqual(Array.from({ length: res.layer.transactionCount }, (_, i) => i));
      for (const t of res.transfers)
        for (const x of t.transactions) for (const p of x.packets) expect(p).toBeLessThan(packets.length);
      for (const f of res.findings)
        expect(f.packet === undefined || (f.packet >= 0 && f.packet < packets.length)).toBe(true);
      for (const c of res.controls) expect(["ok", "stall", "incomplete", "error"]).toContain(c.status);
    });
  }
});
