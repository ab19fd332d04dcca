// The decode path's CRC16 (16-lane SIMD + slicing-by-8, setCrcMode(0)) must give the same verdicts
// and columns as the byte-at-a-time reference (setCrcMode(1)) and slicing-by-8 alone (mode 2).
import { describe, expect, it } from "vitest";
import { PacketStatus, LinkType } from "../../as/shared/constants.js";
import { createCore } from "../../src/core/core.js";
import { PcapWriter } from "../../builder/pcap.js";
import { MemorySink } from "../../builder/sink.js";
import { Pid, data } from "../../builder/packets.js";
import { captureBytes, xorshift as rng } from "../../bench/generate.js";
import { collectBytes, type Collected } from "../helpers/collect.js";

/** For every payload length 0..1024: a correct DATA packet, one with a flipped payload bit, one with a wrong CRC. */
function randomDataCapture(): { bytes: Uint8Array; expected: number[] } {
  const rand = rng(12345);
  const out = new MemorySink();
  const w = new PcapWriter(out.sink, { linktype: LinkType.USB_2_0_HIGH_SPEED, resolution: "ns" });
  const expected: number[] = [];
  for (let len = 0; len <= 1024; len++) {
    const payload = new Uint8Array(len);
    for (let i = 0; i < len; i++) payload[i] = rand() & 0xff;
    const good = data(len % 2 ? Pid.DATA1 : Pid.DATA0, payload);
    w.addPacket({ sec: 1, nsec: len }, good);
    expected.push(PacketStatus.OK);
    if (len > 0) {
      const flipped = good.slice();
      const bit = rand() % (len * 8);
      flipped[1 + (bit >> 3)]! ^= 1 << (bit & 7);
      w.addPacket({ sec: 1, nsec: len }, flipped);
      expected.push(PacketStatus.BAD_CRC16);
    }
    const wrongCrc = good.slice();
    wrongCrc[len + 1 + (rand() & 1)]! ^= 1 + (rand() % 255);
    w.addPacket({ sec: 1, nsec: len }, wrongCrc);
    expected.push(PacketStatus.BAD_CRC16);
  }
  w.close();
  return { bytes: out.toBytes(), expected };
}

async function decodeWithMode(bytes: Uint8Array, mode: number, debug = false): Promise<Collected> {
  const core = await createCore({ debug });
  core.exports.setCrcMode(mode);
  return collectBytes(bytes, { core, chunkSize: 1 << 20 });
}

function expectSameColumns(a: Collected, b: Collected): void {
  expect(a.info.records).toBe(b.info.records);
  for (const col of [
    "offset",
    "tsSec",
    "tsNsec",
    "linktype",
    "pid",
    "status",
    "address",
    "endpoint",
    "frame",
    "origLength",
  ] as const) {
    expect(a[col], col).toEqual(b[col]);
  }
}

describe("fast CRC16 path", () => {
  it("gives the reference verdict for random payloads of every length 0..1024, good and corrupted", async () => {
    const { bytes, expected } = randomDataCapture();
    const ref = await decodeWithMode(bytes, 1);
    const fast = await decodeWithMode(bytes, 0);
    const sliced = await decodeWithMode(bytes, 2);
    expect(ref.status).toEqual(expected);
    expect(fast.status).toEqual(expected);
    expect(sliced.status).toEqual(expected);
    expectSameColumns(fast, ref);
  });

  it("gives the same verdicts in the debug build of the core", async () => {
    const { bytes, expected } = randomDataCapture();
    const fast = await decodeWithMode(bytes, 0, true);
    expect(fast.status).toEqual(expected);
  });

  it("gives identical columns to the reference on the generated bulk and small-packet captures", async () => {
    for (const kind of ["bulk", "small"] as const) {
      const bytes = captureBytes(kind, 3 << 20);
      const ref = await decodeWithMode(bytes, 1);
      const fast = await decodeWithMode(bytes, 0);
      expect(ref.info.error).toBeUndefined();
      expectSameColumns(fast, ref);
      // The generator writes only valid packets: any CRC verdict other than OK is a bug somewhere.
      expect(new Set(fast.status)).toEqual(new Set([PacketStatus.OK]));
      expect(fast.pid.filter((p) => p === Pid.DATA0 || p === Pid.DATA1).length).toBeGreaterThan(1000);
    }
  });
});
