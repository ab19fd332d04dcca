// Packet-layer rules, each proven both ways: it fires at the damaged packet, and a clean capture
// of the same traffic stays silent.
import { describe, it, expect } from "vitest";
import { LinkType, Pid } from "../../as/shared/constants.js";
import { analyzeSource } from "../../src/analyze.js";
import { BusSim } from "../../builder/bus.js";
import { PcapWriter } from "../../builder/pcap.js";
import { sof } from "../../builder/packets.js";
import { MemorySink } from "../../builder/sink.js";
import type { BusSpeed } from "../../builder/device.js";
import { bufferSource } from "../../src/capture/source.js";

const PACKET_RULES = [
  "PID_INVALID",
  "PID_RESERVED",
  "CRC5",
  "SPLIT_CRC5",
  "CRC16",
  "PACKET_LENGTH",
  "SOF_SEQUENCE",
  "FMT_PACKET_TRUNCATED",
  "FMT_FRAMING",
];
const LINKTYPE: Record<BusSpeed, number> = { low: 293, full: 294, high: 295 };

/** Some realistic traffic on a bus: polling with NAKs and bulk data both ways. */
function traffic(speed: BusSpeed, damage?: (bus: BusSim) => void, linktype = LINKTYPE[speed]) {
  const mem = new MemorySink();
  const w = new PcapWriter(mem.sink, { linktype });
  const bus = new BusSim(w, { speed });
  bus.idle(3_000_000);
  bus.inNak(3, 1);
  bus.in(3, 1, Pid.DATA0, Uint8Array.of(1, 2, 3, 4));
  damage?.(bus);
  bus.out(3, 2, Pid.DATA0, new Uint8Array(64).fill(0x55));
  bus.in(3, 1, Pid.DATA1, Uint8Array.of(5, 6, 7, 8));
  bus.idle(3_000_000);
  w.close();
  return mem.toBytes();
}

async function packetFindings(bytes: Uint8Array) {
  const r = await analyzeSource(bufferSource(bytes), "test");
  return r.findings
    .sorted()
    .filter((f) => PACKET_RULES.includes(f.rule))
    .map((f) => ({ rule: f.rule, packet: f.packet, severity: f.severity }));
}

describe("clean traffic stays silent", () => {
  for (const speed of ["low", "full", "high"] as const) {
    it(`no packet-layer finding at ${speed} speed`, async () => {
      expect(await packetFindings(traffic(speed))).toEqual([]);
    });
  }
  it("no SOF_SEQUENCE on a high-speed capture under LINKTYPE_USB_2_0 (speed inferred from SOF spacing)", async () => {
    expect(await packetFindings(traffic("high", undefined, LinkType.USB_2_0))).toEqual([]);
  });
  it("no SOF_SEQUENCE when SOFs are missing from the capture but the frame counter kept time", async () => {
    expect(await packetFindings(traffic("full", (bus) => bus.skipSof(3).idle(5_000_000)))).toEqual([]);
  });
});

describe("each packet rule fires at the damaged packet", () => {
  const cases: Array<[string, (bus: BusSim) => number, string]> = [
    [
      "a bad CRC5 on an IN token",
      (bus) => bus.fault({ pid: Pid.IN, kind: "crc" }).in(3, 1, Pid.DATA1, Uint8Array.of(9)).first,
      "CRC5",
    ],
    [
      "a bad CRC16 on a data packet the receiver discarded (no handshake)",
      (bus) =>
        bus.fault({ pid: Pid.DATA1, kind: "crc" }).in(3, 1, Pid.DATA1, Uint8Array.of(9), null).first + 1,
      "CRC16",
    ],
    [
      "a broken PID check nibble",
      (bus) => bus.fault({ pid: Pid.NAK, kind: "pidCheck" }).inNak(3, 1).last,
      "PID_INVALID",
    ],
    [
      "the reserved PID",
      (bus) => bus.fault({ pid: Pid.NAK, kind: "reservedPid" }).inNak(3, 1).last,
      "PID_RESERVED",
    ],
    [
      "a 2-byte token",
      (bus) => bus.fault({ pid: Pid.IN, kind: "truncate" }).inNak(3, 1).first,
      "PACKET_LENGTH",
    ],
    [
      "a 2-byte handshake",
      (bus) => bus.fault({ pid: Pid.NAK, kind: "extraByte" }).inNak(3, 1).last,
      "PACKET_LENGTH",
    ],
  ];
  for (const [what, act, rule] of cases) {
    it(`${rule}: ${what}`, async () => {
      let at = -1;
      const found = await packetFindings(traffic("full", (bus) => (at = act(bus))));
      expect(at).toBeGreaterThan(0);
      expect(found).toEqual([{ rule, packet: at, severity: "error" }]);
    });
  }
  it("SPLIT_CRC5: a SPLIT token with a bad CRC5", async () => {
    let at = -1;
    const found = await packetFindings(
      traffic("high", (bus) => {
        bus.fault({ pid: Pid.SPLIT, kind: "crc" });
        at = bus.split({ sc: 0, hubAddr: 1, port: 2, s: 0, e: 0, et: 2 });
        bus.out(5, 1, Pid.DATA0, Uint8Array.of(1), Pid.ACK);
      }),
    );
    expect(found).toEqual([{ rule: "SPLIT_CRC5", packet: at, severity: "error" }]);
  });
  it("CRC5 on a SOF", async () => {
    const found = await packetFindings(
      traffic("full", (bus) => bus.fault({ pid: Pid.SOF, kind: "crc" }).idle(2_000_000)),
    );
    expect(found.map((f) => f.rule)).toEqual(["CRC5"]);
  });
});

describe("SOF_SEQUENCE", () => {
  function sofs(frames: number[], periodNs: number, linktype: number) {
    const mem = new MemorySink();
    const w = new PcapWriter(mem.sink, { linktype, resolution: "ns" });
    frames.forEach((f, i) =>
      w.addPacket(BigInt(1_700_000_000) * 1_000_000_000n + BigInt(i * periodNs), sof(f)),
    );
    w.close();
    return mem.toBytes();
  }
  it("fires where a full-speed frame number skips ahead 1 ms after the last SOF", async () => {
    expect(await packetFindings(sofs([10, 11, 12, 14, 15], 1_000_000, 294))).toEqual([
      { rule: "SOF_SEQUENCE", packet: 3, severity: "info" },
    ]);
  });
  it("fires where a high-speed frame repeats for a ninth microframe", async () => {
    const frames = [...Array(8).fill(100), ...Array(9).fill(101), 102];
    expect(await packetFindings(sofs(frames, 125_000, 295))).toEqual([
      { rule: "SOF_SEQUENCE", packet: 16, severity: "info" },
    ]);
  });
  it("stays silent on a full-speed counter that wraps from 2047 to 0 and on eight microframes per frame", async () => {
    expect(await packetFindings(sofs([2045, 2046, 2047, 0, 1], 1_000_000, 294))).toEqual([]);
    expect(
      await packetFindings(sofs([...Array(8).fill(2047), ...Array(8).fill(0), 1], 125_000, 295)),
    ).toEqual([]);
  });
});

describe("capture-level findings", () => {
  it("FMT_PACKET_TRUNCATED: a record cut by the snap length", async () => {
    const mem = new MemorySink();
    const w = new PcapWriter(mem.sink, { linktype: 294 });
    w.addPacket({ sec: 1, nsec: 0 }, Uint8Array.of(0x2d, 0x00, 0x10));
    w.addPacket({ sec: 1, nsec: 1000 }, Uint8Array.of(Pid.DATA0, 0x80, 0x06), 11);
    w.close();
    expect(await packetFindings(mem.toBytes())).toEqual([
      { rule: "FMT_PACKET_TRUNCATED", packet: 1, severity: "info" },
    ]);
  });
  it("FMT_FRAMING: a file cut inside a record names the offset and keeps the records before it", async () => {
    const bytes = traffic("full");
    const r = await analyzeSource(bufferSource(bytes.subarray(0, bytes.length - 2)), "cut");
    const f = r.findings.sorted().find((x) => x.rule === "FMT_FRAMING")!;
    expect(f.severity).toBe("error");
    expect(f.offset).toBeGreaterThan(24);
    expect(f.packet).toBe(r.capture.records);
    expect(r.capture.records).toBeGreaterThan(10);
  });
});
