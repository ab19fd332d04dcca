import { describe, expect, it } from "vitest";
import { Pid } from "../../as/shared/constants.js";
import { BusSim, pcapngInterface } from "../../builder/bus.js";
import { deviceDescriptor } from "../../builder/descriptors.js";
import { setupPacket } from "../../builder/device.js";
import { PcapngWriter } from "../../builder/pcapng.js";
import { MemorySink } from "../../builder/sink.js";
import { readFileSync } from "node:fs";
import { readPcap, tempFile, tsharkFields } from "./helpers.js";
import { build, capture, device, noSof, rows } from "./busHelpers.js";

describe("BusSim clean traffic", () => {
  for (const [speed, mps0] of [
    ["full", 8],
    ["full", 64],
    ["high", 64],
  ] as const) {
    it(`enumerates a ${speed}-speed device (bMaxPacketSize0 ${mps0}) that tshark decodes without a single expert item`, () => {
      const rs = rows(capture(speed, (s) => s.enumerate(device(speed, mps0))));
      expect(rs.length).toBeGreaterThan(50);
      expect(rs.filter((r) => r.expert !== "")).toEqual([]);
      for (const r of rs) {
        if (r.crc5 !== "") expect(r.crc5).toBe("1");
        if (r.crc16 !== "") expect(r.crc16).toBe("1");
      }
      // The requests Linux makes, in order (USB 2.0 §9.4: 6 GET_DESCRIPTOR, 5 SET_ADDRESS, 9 SET_CONFIGURATION).
      const requests = rs.filter((r) => r.bRequest !== "").map((r) => `${r.bRequest}:${r.descType}`);
      expect(requests).toEqual([
        "6:0x01",
        "5:",
        "6:0x01",
        "6:0x02",
        "6:0x02",
        "6:0x03",
        "6:0x03",
        "6:0x03",
        "9:",
      ]);
      // Address 0 until SET_ADDRESS completes, then 5.
      const tokens = rs.filter((r) => r.addr !== "");
      const firstAt5 = tokens.findIndex((r) => r.addr === "5");
      expect(tokens.slice(0, firstAt5).every((r) => r.addr === "0")).toBe(true);
      expect(tokens.slice(firstAt5).every((r) => r.addr === "5")).toBe(true);
      // Timestamps never go backwards.
      for (let i = 1; i < rs.length; i++) expect(rs[i]!.time).toBeGreaterThanOrEqual(rs[i - 1]!.time);
    });
  }

  it("sends a full-speed SOF every 1 ms with consecutive frame numbers", () => {
    const sofs = rows(capture("full", (s) => s.idle(5_000_000))).filter((r) => r.pid === Pid.SOF);
    expect(sofs.map((r) => r.frame)).toEqual(["0", "1", "2", "3", "4", "5"]);
    for (let i = 1; i < sofs.length; i++) expect(sofs[i]!.time - sofs[i - 1]!.time).toBeCloseTo(0.001, 8);
  });

  it("sends a high-speed SOF every 125 µs, advancing the frame number every 8 microframes (§8.4.3.1)", () => {
    const sofs = rows(capture("high", (s) => s.idle(2_000_000))).filter((r) => r.pid === Pid.SOF);
    expect(sofs.length).toBe(17);
    expect(sofs.map((r) => Number(r.frame))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
    expect(sofs[1]!.time - sofs[0]!.time).toBeCloseTo(0.000125, 8);
  });

  it("sends no SOF packets at low speed unless asked (keep-alive is an EOP, §11.8.4.1)", () => {
    expect(readPcap(build("low", (s) => s.idle(3_000_000))).length).toBe(0);
    expect(readPcap(build("low", (s) => s.idle(3_000_000), true)).length).toBe(4);
  });

  it("alternates bulk toggles across calls and resets them on SET_CONFIGURATION", () => {
    const rs = noSof(
      rows(
        capture("full", (s) => {
          s.bulkIn(3, 1, new Uint8Array(100), 64, { naks: 1 });
          s.bulkIn(3, 1, new Uint8Array(64), 64, { zlp: true });
          s.bulkOut(3, 2, new Uint8Array(10), 64, { naks: 2 });
          s.controlNoData(3, setupPacket(0, 9, 1, 0, 0));
          s.resetToggles(3);
          s.bulkIn(3, 1, new Uint8Array(1), 64);
        }),
      ),
    );
    const dataPids = rs
      .filter((r) => r.pid === Pid.DATA0 || r.pid === Pid.DATA1)
      .map((r) => (r.pid === Pid.DATA0 ? 0 : 1));
    // bulkIn 100: D0 D1; bulkIn 64+ZLP: D0 D1; bulkOut with 2 NAKed retries: D0 D0 D0; SETUP D0, status D1; after reset: D0.
    expect(dataPids).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 1, 0]);
    expect(rs.filter((r) => r.pid === Pid.NAK).length).toBe(4);
    expect(rs.filter((r) => r.expert !== "")).toEqual([]);
  });

  it("builds high-speed PING/NYET and split transactions tshark accepts", () => {
    const path = capture("high", (s) => {
      s.ping(4, 1, Pid.NAK);
      s.ping(4, 1, Pid.ACK);
      s.out(4, 1, Pid.DATA0, new Uint8Array(512), Pid.NYET);
      s.splitNonPeriodic({
        hubAddr: 2,
        port: 1,
        et: 0,
        kind: "setup",
        addr: 3,
        ep: 0,
        dataPid: Pid.DATA0,
        payload: new Uint8Array(8),
      });
      s.splitNonPeriodic({
        hubAddr: 2,
        port: 1,
        et: 2,
        kind: "in",
        addr: 3,
        ep: 1,
        dataPid: Pid.DATA1,
        payload: new Uint8Array(18),
        nyets: 2,
      });
      s.splitInterruptIn({
        hubAddr: 2,
        port: 3,
        lowSpeed: true,
        addr: 6,
        ep: 1,
        dataPid: Pid.DATA0,
        payload: new Uint8Array(4),
        nyets: 1,
      });
    });
    const r = tsharkFields(
      path,
      [
        "usbll.pid",
        "usbll.split_hub_addr",
        "usbll.split_port",
        "usbll.split_sc",
        "usbll.split_s",
        "usbll.split_et",
        "usbll.split_crc5.status",
        "_ws.expert.message",
      ],
      ["-Y", "usbll.pid == 0x78"],
    );
    // SSPLIT, CSPLIT NYET, CSPLIT; SSPLIT, 2 CSPLIT NYET, CSPLIT; SSPLIT, CSPLIT NYET, CSPLIT.
    expect(r.length).toBe(3 + 4 + 3);
    expect(r.every((x) => x[6] === "1" && x[7] === "")).toBe(true);
    expect(r[0]!.slice(1, 6)).toEqual(["2", "1", "0", "0", "0"]);
    expect(r[1]![3]).toBe("1");
    expect(r[3]![5]).toBe("2");
    expect(r[7]!.slice(1, 6)).toEqual(["2", "3", "0", "1", "3"]);
    expect(rows(path).filter((x) => x.expert !== "")).toEqual([]);
  });

  it("keeps SOFs on schedule and time monotonic through a long full-speed transfer", () => {
    const recs = readPcap(build("full", (s) => s.bulkIn(2, 1, new Uint8Array(64 * 60), 64)));
    const t = recs.map((r) => (r.sec - 1700000000) * 1e9 + r.nsec);
    for (let i = 1; i < t.length; i++) expect(t[i]!).toBeGreaterThanOrEqual(t[i - 1]!);
    const sofs = recs.filter((r) => r.data[0] === Pid.SOF);
    // 60 packets of 64 bytes take several frames at 12 Mbit/s.
    expect(sofs.length).toBeGreaterThan(3);
    sofs.forEach((r, i) => expect(r.data[1]! | ((r.data[2]! & 7) << 8)).toBe(i));
    // A transaction is never cut by a SOF: each SOF follows a handshake or another SOF (or starts the capture).
    recs.forEach((r, i) => {
      if (r.data[0] === Pid.SOF && i > 0) expect([Pid.ACK, Pid.SOF]).toContain(recs[i - 1]!.data[0]);
    });
  });

  it("keeps high-speed SOFs exactly on the 125 µs grid through mixed traffic, splits included", () => {
    const recs = readPcap(
      build("high", (s) => {
        for (let i = 0; i < 40; i++) {
          s.inNak(3, 1);
          s.bulkIn(3, 1, new Uint8Array(1500), 512);
          s.splitNonPeriodic({
            hubAddr: 1,
            port: 1,
            et: 2,
            kind: "in",
            addr: 4,
            ep: 1,
            dataPid: Pid.DATA0,
            payload: new Uint8Array(64),
          });
        }
      }),
    );
    const sofs = recs.filter((r) => r.data[0] === Pid.SOF).map((r) => (r.sec - 1700000000) * 1e9 + r.nsec);
    expect(sofs.length).toBeGreaterThan(10);
    sofs.forEach((t, i) => expect(t).toBe(i * 125_000));
  });

  it("isochronous transactions carry no handshake and a bus reset pauses SOFs and resets toggles", () => {
    const recs = readPcap(
      build("full", (s) => {
        s.isoIn(2, 3, new Uint8Array(192));
        s.isoOut(2, 4, new Uint8Array(10));
        s.bulkIn(2, 1, new Uint8Array(1), 64);
        s.reset(5_000_000);
        s.bulkIn(2, 1, new Uint8Array(1), 64);
      }),
    );
    expect(recs.map((r) => r.data[0]).filter((p) => p !== Pid.SOF)).toEqual([
      Pid.IN,
      Pid.DATA0,
      Pid.OUT,
      Pid.DATA0,
      Pid.IN,
      Pid.DATA0,
      Pid.ACK,
      Pid.IN,
      Pid.DATA0,
      Pid.ACK,
    ]);
    const sofTimes = recs
      .filter((r) => r.data[0] === Pid.SOF)
      .map((r) => (r.sec - 1700000000) * 1e9 + r.nsec);
    expect(sofTimes[1]! - sofTimes[0]!).toBeGreaterThanOrEqual(5_000_000);
  });

  it("enumerates a full-speed device behind a high-speed hub with split transactions tshark decodes cleanly", () => {
    const path = capture("high", (s) =>
      s.enumerate(device("full", 64), { hub: { hubAddr: 1, port: 2 }, setAddressDelayNs: 1_000_000 }),
    );
    const rs = rows(path);
    expect(rs.filter((r) => r.expert !== "")).toEqual([]);
    const requests = rs.filter((r) => r.bRequest !== "").map((r) => `${r.bRequest}:${r.descType}`);
    expect(requests).toEqual([
      "6:0x01",
      "5:",
      "6:0x01",
      "6:0x02",
      "6:0x02",
      "6:0x03",
      "6:0x03",
      "6:0x03",
      "9:",
    ]);
    const splits = tsharkFields(
      path,
      ["usbll.split_hub_addr", "usbll.split_port", "usbll.split_et", "usbll.split_crc5.status"],
      ["-Y", "usbll.pid == 0x78"],
    );
    expect(splits.length).toBeGreaterThan(60);
    expect(splits.every((r) => r[0] === "1" && r[1] === "2" && r[2] === "0" && r[3] === "1")).toBe(true);
    // Every non-SOF token goes right after a SPLIT.
    const noSofs = noSof(rs);
    noSofs.forEach((r, i) => {
      if (r.pid === Pid.SETUP || r.pid === Pid.IN || r.pid === Pid.OUT)
        expect(noSofs[i - 1]!.pid).toBe(Pid.SPLIT);
    });
  });

  it("builds high-bandwidth iso and periodic split transactions tshark accepts without complaint", () => {
    const path = capture("high", (s) => {
      s.hsIsoIn(2, 1, [new Uint8Array(1024), new Uint8Array(1024), new Uint8Array(100)]);
      s.hsIsoOut(2, 2, [new Uint8Array(1024), new Uint8Array(10)]);
      s.splitIsoOut({ hubAddr: 1, port: 1, addr: 3, ep: 2, payload: new Uint8Array(400) });
      s.splitIsoIn({ hubAddr: 1, port: 1, addr: 3, ep: 1, parts: [new Uint8Array(188), new Uint8Array(12)] });
      s.splitInterruptOut({
        hubAddr: 1,
        port: 2,
        lowSpeed: true,
        addr: 4,
        ep: 2,
        dataPid: Pid.DATA1,
        payload: Uint8Array.of(1, 2),
        nyets: 1,
      });
    });
    const rs = noSof(rows(path));
    expect(rs.filter((r) => r.expert !== "")).toEqual([]);
    expect(rs.slice(0, 6).map((r) => r.pid)).toEqual([
      Pid.IN,
      Pid.DATA2,
      Pid.IN,
      Pid.DATA1,
      Pid.IN,
      Pid.DATA0,
    ]);
    expect(rs.slice(6, 10).map((r) => r.pid)).toEqual([Pid.OUT, Pid.MDATA, Pid.OUT, Pid.DATA1]);
    // tshark 4.0 does not show S/E on iso splits, but checks their CRC5 over all 19 bits.
    const st = tsharkFields(path, ["usbll.split_crc5.status"], ["-Y", "usbll.pid == 0x78"]);
    expect(st.length).toBe(3 + 3 + 3);
    expect(st.every((r) => r[0] === "1")).toBe(true);
    // S is bit 7 of byte 2, E bit 0 of byte 3 (§8.4.2.2): iso OUT 400 bytes goes as begin, middle, end.
    const splits = readPcap(readFileSync(path)).filter((r) => r.data[0] === Pid.SPLIT);
    expect(splits.slice(0, 3).map((r) => [r.data[2]! >>> 7, r.data[3]! & 1])).toEqual([
      [1, 0],
      [0, 0],
      [0, 1],
    ]);
  });

  it("writes through a pcapng interface", () => {
    const m = new MemorySink();
    const w = new PcapngWriter(m.sink, { byteOrder: "be" });
    const id = w.addInterface({ linktype: 294, tsresol: "ns" });
    const s = new BusSim(pcapngInterface(w, id), { speed: "full" });
    s.controlRead(0, setupPacket(0x80, 6, 0x100, 0, 64), deviceDescriptor(), 64);
    w.close();
    const rs = rows(tempFile(m.toBytes(), "pcapng"));
    expect(rs.length).toBe(s.records);
    expect(rs.filter((r) => r.bRequest === "6").length).toBe(1);
  });
});
