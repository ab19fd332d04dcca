import { describe, expect, it } from "vitest";
import { Pid } from "../../as/shared/constants.js";
import { BusSim, linktypeForSpeed, pcapngInterface } from "../../src/builder/bus.js";
import { configuration, deviceDescriptor, endpointDesc, interfaceDesc, stringDesc } from "../../src/builder/descriptors.js";
import { setupPacket, type BusSpeed, type DeviceModel } from "../../src/builder/device.js";
import type { EnumerateOptions } from "../../src/builder/device.js";
import { PcapWriter } from "../../src/builder/pcap.js";
import { PcapngWriter } from "../../src/builder/pcapng.js";
import { MemorySink } from "../../src/builder/sink.js";
import { readPcap, tempFile, tsharkFields } from "./helpers.js";

/** Run `fill` on a fresh bus and return the pcap bytes. */
function build(speed: BusSpeed, fill: (s: BusSim) => void, sof?: boolean): Uint8Array {
  const m = new MemorySink();
  const w = new PcapWriter(m.sink, { linktype: linktypeForSpeed(speed), resolution: "ns" });
  fill(new BusSim(w, { speed, sof }));
  w.close();
  return m.toBytes();
}
/** Same, written to a temp file for tshark. */
function capture(speed: BusSpeed, fill: (s: BusSim) => void, sof?: boolean): string {
  return tempFile(build(speed, fill, sof));
}
/** PIDs of the non-SOF packets, read back without tshark. */
function pids(bytes: Uint8Array): number[] {
  return readPcap(bytes).map((r) => r.data[0]!).filter((p) => p !== Pid.SOF);
}
/** Payload sizes of the data packets. */
function dataSizes(bytes: Uint8Array): number[] {
  return readPcap(bytes).filter((r) => (r.data[0]! & 0x03) === 0x03).map((r) => r.data.length - 3);
}

const F = ["frame.number", "usbll.pid", "usbll.device_addr", "usbll.endp", "usbll.frame_num", "usbll.crc5.status", "usbll.crc16.status", "_ws.expert.message", "usb.setup.bRequest", "usb.bDescriptorType", "frame.time_relative"];
interface Row {
  n: number;
  pid: number;
  addr: string;
  endp: string;
  frame: string;
  crc5: string;
  crc16: string;
  expert: string;
  bRequest: string;
  descType: string;
  time: number;
}
function rows(path: string): Row[] {
  return tsharkFields(path, F).map((r) => ({
    n: Number(r[0]),
    pid: Number(r[1]),
    addr: r[2]!,
    endp: r[3]!,
    frame: r[4]!,
    crc5: r[5]!,
    crc16: r[6]!,
    expert: r[7]!,
    bRequest: r[8]!,
    descType: r[9]!,
    time: Number(r[10]),
  }));
}
const noSof = (rs: Row[]) => rs.filter((r) => r.pid !== Pid.SOF);

function device(speed: BusSpeed, mps0: number): DeviceModel {
  return {
    speed,
    address: 5,
    deviceDescriptor: deviceDescriptor({ bMaxPacketSize0: mps0, iManufacturer: 1, iProduct: 2 }),
    configDescriptor: configuration({}, [interfaceDesc({}, [endpointDesc({ bEndpointAddress: 0x81, wMaxPacketSize: speed === "high" ? 512 : 64 }), endpointDesc({ bEndpointAddress: 0x02, wMaxPacketSize: speed === "high" ? 512 : 64 })])]),
    strings: { 1: "usbscope", 2: "Builder test device" },
  };
}

describe("BusSim clean traffic", () => {
  for (const [speed, mps0] of [["full", 8], ["full", 64], ["high", 64]] as const) {
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
      expect(requests).toEqual(["6:0x01", "5:", "6:0x01", "6:0x02", "6:0x02", "6:0x03", "6:0x03", "6:0x03", "9:"]);
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
    expect(rows(capture("low", (s) => s.idle(3_000_000))).length).toBe(0);
    expect(rows(capture("low", (s) => s.idle(3_000_000), true)).length).toBe(4);
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
    const dataPids = rs.filter((r) => r.pid === Pid.DATA0 || r.pid === Pid.DATA1).map((r) => (r.pid === Pid.DATA0 ? 0 : 1));
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
      s.splitNonPeriodic({ hubAddr: 2, port: 1, et: 0, kind: "setup", addr: 3, ep: 0, dataPid: Pid.DATA0, payload: new Uint8Array(8) });
      s.splitNonPeriodic({ hubAddr: 2, port: 1, et: 2, kind: "in", addr: 3, ep: 1, dataPid: Pid.DATA1, payload: new Uint8Array(18), nyets: 2 });
      s.splitInterruptIn({ hubAddr: 2, port: 3, lowSpeed: true, addr: 6, ep: 1, dataPid: Pid.DATA0, payload: new Uint8Array(4), nyets: 1 });
    });
    const r = tsharkFields(path, ["usbll.pid", "usbll.split_hub_addr", "usbll.split_port", "usbll.split_sc", "usbll.split_s", "usbll.split_et", "usbll.split_crc5.status", "_ws.expert.message"], ["-Y", "usbll.pid == 0x78"]);
    // SSPLIT, CSPLIT NYET, CSPLIT; SSPLIT, 2 CSPLIT NYET, CSPLIT; SSPLIT, CSPLIT NYET, CSPLIT.
    expect(r.length).toBe(3 + 4 + 3);
    expect(r.every((x) => x[6] === "1" && x[7] === "")).toBe(true);
    expect(r[0]!.slice(1, 6)).toEqual(["2", "1", "0", "0", "0"]);
    expect(r[1]![3]).toBe("1");
    expect(r[3]![5]).toBe("2");
    expect(r[7]!.slice(1, 6)).toEqual(["2", "3", "0", "1", "3"]);
    expect(rows(path).filter((x) => x.expert !== "")).toEqual([]);
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

describe("BusSim faults show up in tshark", () => {
  const gd = setupPacket(0x80, 6, 0x0100, 0, 18);
  const dd = deviceDescriptor();
  it("a CRC fault on SETUP makes a bad CRC5 and the rest stays good", () => {
    const rs = noSof(rows(capture("full", (s) => s.fault({ pid: Pid.SETUP, kind: "crc" }).controlRead(1, gd, dd, 64))));
    expect(rs[0]!.crc5).toBe("0");
    expect(rs.slice(1).every((r) => r.crc5 !== "0" && r.crc16 !== "0")).toBe(true);
  });
  it("a CRC fault on a SOF makes a bad CRC5", () => {
    const rs = rows(capture("full", (s) => s.fault({ pid: Pid.SOF, skip: 1, kind: "crc" }).idle(2_000_000)));
    expect(rs.map((r) => r.crc5)).toEqual(["1", "0", "1"]);
  });
  it("a CRC fault on DATA1 makes a bad CRC16", () => {
    const rs = noSof(rows(capture("full", (s) => s.fault({ pid: Pid.DATA1, kind: "crc" }).controlRead(1, gd, dd, 64))));
    expect(rs.filter((r) => r.crc16 === "0").length).toBe(1);
    expect(rs.find((r) => r.crc16 === "0")!.expert).toMatch(/Wrong CRC/);
  });
  it("a CRC fault on SPLIT makes a bad split CRC5", () => {
    const path = capture("high", (s) => {
      s.fault({ pid: Pid.SPLIT, kind: "crc" });
      s.splitNonPeriodic({ hubAddr: 2, port: 1, et: 0, kind: "setup", addr: 3, ep: 0, dataPid: Pid.DATA0, payload: new Uint8Array(8) });
    });
    expect(tsharkFields(path, ["usbll.split_crc5.status"], ["-Y", "usbll.pid == 0x78"]).map((r) => r[0])).toEqual(["0", "1", "1"]);
  });
  it("a broken PID check nibble is an invalid PID", () => {
    const rs = noSof(rows(capture("full", (s) => s.fault({ pid: Pid.ACK, kind: "pidCheck" }).controlRead(1, gd, dd, 64))));
    expect(rs[2]!.expert).toBe("Invalid USB Packet ID");
    expect(rs[2]!.pid).toBe(0x52);
  });
  it("the reserved PID is written as 0xF0", () => {
    expect(pids(build("full", (s) => s.fault({ pid: Pid.ACK, kind: "reservedPid" }).controlRead(1, gd, dd, 64)))[2]).toBe(0xf0);
  });
  it("a wrong length is malformed", () => {
    const rs = noSof(rows(capture("full", (s) => s.fault({ pid: Pid.IN, kind: "truncate" }).fault({ pid: Pid.ACK, kind: "extraByte" }).controlRead(1, gd, dd, 64))));
    expect(rs[2]!.expert).toMatch(/Not dissected/);
    expect(rs[3]!.expert).toMatch(/Malformed/);
  });
  it("a skipped SOF leaves a gap in frame numbers", () => {
    const sofs = readPcap(build("full", (s) => s.skipSof().fault({ pid: Pid.SOF, skip: 1, kind: "drop" }).idle(4_000_000)));
    expect(sofs.map((r) => r.data[1]! | ((r.data[2]! & 7) << 8))).toEqual([1, 3, 4]);
  });
  it("a DATA0 first data packet is an invalid sequence for a control read (and DATA1 first is not)", () => {
    const bad = noSof(rows(capture("full", (s) => s.controlRead(1, gd, deviceDescriptor({ bMaxPacketSize0: 8 }), 8, { firstDataPid: Pid.DATA0 }))));
    expect(bad.some((r) => r.expert.includes("Invalid PID Sequence"))).toBe(true);
    const good = noSof(rows(capture("full", (s) => s.controlRead(1, gd, deviceDescriptor({ bMaxPacketSize0: 8 }), 8))));
    expect(good.some((r) => r.expert !== "")).toBe(false);
  });
  it("a dropped handshake leaves IN DATA1 followed by the next token", () => {
    expect(pids(build("full", (s) => s.fault({ pid: Pid.ACK, skip: 1, kind: "drop" }).controlRead(1, gd, dd, 64)))).toEqual([Pid.SETUP, Pid.DATA0, Pid.ACK, Pid.IN, Pid.DATA1, Pid.OUT, Pid.DATA1, Pid.ACK]);
  });
  it("a replaced PID keeps the CRC16 good (a pure toggle error)", () => {
    const rs = noSof(rows(capture("full", (s) => {
      s.bulkIn(2, 1, new Uint8Array(10), 64);
      s.fault({ pid: Pid.DATA1, kind: { pid: Pid.DATA0 } }).bulkIn(2, 1, new Uint8Array(10), 64);
    })));
    expect(rs.filter((r) => r.pid === Pid.DATA0).length).toBe(2);
    expect(rs.every((r) => r.crc16 !== "0")).toBe(true);
  });
});

describe("control-transfer faults", () => {
  const gd = (len: number) => setupPacket(0x80, 6, 0x0200, 0, len);
  const cfg64 = configuration({}, [interfaceDesc({}, [endpointDesc(), endpointDesc({ bEndpointAddress: 2 })]), interfaceDesc({ bInterfaceNumber: 1 }, [endpointDesc({ bEndpointAddress: 0x84 })])]);

  it("the whole reply is split in max-packet pieces and a ZLP ends an exact multiple shorter than wLength", () => {
    expect(cfg64.length).toBe(48);
    // SETUP 8, three 16-byte packets, ZLP, status ZLP.
    expect(dataSizes(build("full", (s) => s.controlRead(1, gd(255), cfg64, 16)))).toEqual([8, 16, 16, 16, 0, 0]);
    expect(dataSizes(build("full", (s) => s.controlRead(1, gd(255), cfg64, 16, { omitZlp: true })))).toEqual([8, 16, 16, 16, 0]);
    // No ZLP when the reply fills wLength exactly.
    expect(dataSizes(build("full", (s) => s.controlRead(1, gd(48), cfg64, 16)))).toEqual([8, 16, 16, 16, 0]);
  });
  it("truncates, ignores wLength, STALLs, NAKs and NAKs forever when told", () => {
    expect(dataSizes(build("full", (s) => s.controlRead(1, gd(255), cfg64, 64, { truncateTo: 20 })))).toEqual([8, 20, 0]);
    expect(dataSizes(build("full", (s) => s.controlRead(1, gd(9), cfg64, 64, { ignoreWLength: true })))).toEqual([8, 48, 0]);
    expect(pids(build("full", (s) => s.controlRead(1, gd(9), cfg64, 64, { stall: "data" })))).toEqual([Pid.SETUP, Pid.DATA0, Pid.ACK, Pid.IN, Pid.STALL]);
    expect(pids(build("full", (s) => s.controlRead(1, gd(9), cfg64, 64, { naks: 2 }))).filter((p) => p === Pid.NAK).length).toBe(4);
    const forever = pids(build("full", (s) => s.controlRead(1, gd(9), cfg64, 64, { nakForever: 30 })));
    expect(forever.filter((p) => p === Pid.NAK).length).toBe(30);
    expect(forever.at(-1)).toBe(Pid.NAK);
    expect(pids(build("full", (s) => s.controlNoData(1, setupPacket(0, 9, 1, 0, 0), { stall: "status" })))).toEqual([Pid.SETUP, Pid.DATA0, Pid.ACK, Pid.IN, Pid.STALL]);
    expect(pids(build("full", (s) => s.controlNoData(1, setupPacket(0, 9, 1, 0, 0), { stall: "setup" })))).toEqual([Pid.SETUP, Pid.DATA0, Pid.STALL]);
    expect(pids(build("full", (s) => s.controlNoData(1, setupPacket(0, 9, 1, 0, 0), { nakSetup: true })))).toEqual([Pid.SETUP, Pid.DATA0, Pid.NAK]);
    expect(pids(build("full", (s) => s.controlRead(1, gd(9), cfg64, 64, { noStatus: true })))).toEqual([Pid.SETUP, Pid.DATA0, Pid.ACK, Pid.IN, Pid.DATA1, Pid.ACK]);
  });
  it("control write sends DATA1 first and ends with an IN status ZLP", () => {
    const rs = noSof(rows(capture("full", (s) => s.controlWrite(1, setupPacket(0x21, 9, 0x200, 0, 20), new Uint8Array(20), 8))));
    expect(rs.map((r) => r.pid)).toEqual([Pid.SETUP, Pid.DATA0, Pid.ACK, Pid.OUT, Pid.DATA1, Pid.ACK, Pid.OUT, Pid.DATA0, Pid.ACK, Pid.OUT, Pid.DATA1, Pid.ACK, Pid.IN, Pid.DATA1, Pid.ACK]);
    expect(rs.filter((r) => r.expert !== "")).toEqual([]);
  });
  it("delays stretch the time between stages", () => {
    const rs = readPcap(build("full", (s) => s.controlRead(1, gd(9), cfg64, 64, { delayBeforeDataNs: 600_000_000, delayBeforeStatusNs: 60_000_000 }))).filter((r) => r.data[0] !== Pid.SOF);
    const t = (i: number) => rs[i]!.sec + rs[i]!.nsec / 1e9;
    expect(t(3) - t(2)).toBeGreaterThan(0.6);
    expect(t(6) - t(5)).toBeGreaterThan(0.06);
  });
  it("enumeration faults apply to the named step and stopAfter ends early", () => {
    const opts: EnumerateOptions = { faults: { string2: { stall: "data" } }, stopAfter: "string2" };
    const dev = device("full", 64);
    const recs = readPcap(build("full", (s) => s.enumerate(dev, opts))).filter((r) => r.data[0] !== Pid.SOF);
    expect(recs.at(-1)!.data[0]).toBe(Pid.STALL);
    const setups = recs.filter((r, i) => i > 0 && recs[i - 1]!.data[0] === Pid.SETUP).map((r) => `${r.data[2]}:${(r.data[3]! | (r.data[4]! << 8)).toString(16)}`);
    // GET_DESCRIPTOR device, SET_ADDRESS, device, config 9, config all, string 0, string 2 (STALLed): no SET_CONFIGURATION.
    expect(setups).toEqual(["6:100", "5:5", "6:100", "6:200", "6:200", "6:300", "6:302"]);
    expect(stringDesc("A")).toEqual(Uint8Array.of(4, 3, 65, 0));
  });
});
