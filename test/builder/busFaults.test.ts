import { describe, expect, it } from "vitest";
import { Pid } from "../../as/shared/constants.js";
import {
  bosDesc,
  configuration,
  deviceDescriptor,
  endpointDesc,
  interfaceDesc,
  stringDesc,
} from "../../builder/descriptors.js";
import { setupPacket, type EnumerateOptions } from "../../builder/device.js";
import { readPcap, tsharkFields } from "./helpers.js";
import { build, capture, dataSizes, device, noSof, pids, rows } from "./busHelpers.js";

describe("BusSim faults show up in tshark", () => {
  const gd = setupPacket(0x80, 6, 0x0100, 0, 18);
  const dd = deviceDescriptor();
  it("a CRC fault on SETUP makes a bad CRC5 and the rest stays good", () => {
    const rs = noSof(
      rows(capture("full", (s) => s.fault({ pid: Pid.SETUP, kind: "crc" }).controlRead(1, gd, dd, 64))),
    );
    expect(rs[0]!.crc5).toBe("0");
    expect(rs.slice(1).every((r) => r.crc5 !== "0" && r.crc16 !== "0")).toBe(true);
  });
  it("a CRC fault on a SOF makes a bad CRC5", () => {
    const rs = rows(capture("full", (s) => s.fault({ pid: Pid.SOF, skip: 1, kind: "crc" }).idle(2_000_000)));
    expect(rs.map((r) => r.crc5)).toEqual(["1", "0", "1"]);
  });
  it("a CRC fault on DATA1 makes a bad CRC16", () => {
    const rs = noSof(
      rows(capture("full", (s) => s.fault({ pid: Pid.DATA1, kind: "crc" }).controlRead(1, gd, dd, 64))),
    );
    expect(rs.filter((r) => r.crc16 === "0").length).toBe(1);
    expect(rs.find((r) => r.crc16 === "0")!.expert).toMatch(/Wrong CRC/);
  });
  it("a CRC fault on SPLIT makes a bad split CRC5", () => {
    const path = capture("high", (s) => {
      s.fault({ pid: Pid.SPLIT, kind: "crc" });
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
    });
    expect(
      tsharkFields(path, ["usbll.split_crc5.status"], ["-Y", "usbll.pid == 0x78"]).map((r) => r[0]),
    ).toEqual(["0", "1", "1"]);
  });
  it("a broken PID check nibble is an invalid PID", () => {
    const rs = noSof(
      rows(capture("full", (s) => s.fault({ pid: Pid.ACK, kind: "pidCheck" }).controlRead(1, gd, dd, 64))),
    );
    expect(rs[2]!.expert).toBe("Invalid USB Packet ID");
    expect(rs[2]!.pid).toBe(0x52);
  });
  it("the reserved PID is written as 0xF0", () => {
    expect(
      pids(
        build("full", (s) => s.fault({ pid: Pid.ACK, kind: "reservedPid" }).controlRead(1, gd, dd, 64)),
      )[2],
    ).toBe(0xf0);
  });
  it("a wrong length is malformed", () => {
    const rs = noSof(
      rows(
        capture("full", (s) =>
          s
            .fault({ pid: Pid.IN, kind: "truncate" })
            .fault({ pid: Pid.ACK, kind: "extraByte" })
            .controlRead(1, gd, dd, 64),
        ),
      ),
    );
    expect(rs[2]!.expert).toMatch(/Not dissected/);
    expect(rs[3]!.expert).toMatch(/Malformed/);
  });
  it("a skipped SOF leaves a gap in frame numbers", () => {
    const sofs = readPcap(
      build("full", (s) => s.skipSof().fault({ pid: Pid.SOF, skip: 1, kind: "drop" }).idle(4_000_000)),
    );
    expect(sofs.map((r) => r.data[1]! | ((r.data[2]! & 7) << 8))).toEqual([1, 3, 4]);
  });
  it("a DATA0 first data packet is an invalid sequence for a control read (and DATA1 first is not)", () => {
    const bad = noSof(
      rows(
        capture("full", (s) =>
          s.controlRead(1, gd, deviceDescriptor({ bMaxPacketSize0: 8 }), 8, { firstDataPid: Pid.DATA0 }),
        ),
      ),
    );
    expect(bad.some((r) => r.expert.includes("Invalid PID Sequence"))).toBe(true);
    const good = noSof(
      rows(capture("full", (s) => s.controlRead(1, gd, deviceDescriptor({ bMaxPacketSize0: 8 }), 8))),
    );
    expect(good.some((r) => r.expert !== "")).toBe(false);
  });
  it("a dropped handshake leaves IN DATA1 followed by the next token", () => {
    expect(
      pids(build("full", (s) => s.fault({ pid: Pid.ACK, skip: 1, kind: "drop" }).controlRead(1, gd, dd, 64))),
    ).toEqual([Pid.SETUP, Pid.DATA0, Pid.ACK, Pid.IN, Pid.DATA1, Pid.OUT, Pid.DATA1, Pid.ACK]);
  });
  it("a replaced PID keeps the CRC16 good (a pure toggle error)", () => {
    const rs = noSof(
      rows(
        capture("full", (s) => {
          s.bulkIn(2, 1, new Uint8Array(10), 64);
          s.fault({ pid: Pid.DATA1, kind: { pid: Pid.DATA0 } }).bulkIn(2, 1, new Uint8Array(10), 64);
        }),
      ),
    );
    expect(rs.filter((r) => r.pid === Pid.DATA0).length).toBe(2);
    expect(rs.every((r) => r.crc16 !== "0")).toBe(true);
  });
});

describe("control-transfer faults", () => {
  const gd = (len: number) => setupPacket(0x80, 6, 0x0200, 0, len);
  const cfg64 = configuration({}, [
    interfaceDesc({}, [endpointDesc(), endpointDesc({ bEndpointAddress: 2 })]),
    interfaceDesc({ bInterfaceNumber: 1 }, [endpointDesc({ bEndpointAddress: 0x84 })]),
  ]);

  it("the whole reply is split in max-packet pieces and a ZLP ends an exact multiple shorter than wLength", () => {
    expect(cfg64.length).toBe(48);
    // SETUP 8, three 16-byte packets, ZLP, status ZLP.
    expect(dataSizes(build("full", (s) => s.controlRead(1, gd(255), cfg64, 16)))).toEqual([
      8, 16, 16, 16, 0, 0,
    ]);
    expect(dataSizes(build("full", (s) => s.controlRead(1, gd(255), cfg64, 16, { omitZlp: true })))).toEqual([
      8, 16, 16, 16, 0,
    ]);
    // No ZLP when the reply fills wLength exactly.
    expect(dataSizes(build("full", (s) => s.controlRead(1, gd(48), cfg64, 16)))).toEqual([8, 16, 16, 16, 0]);
  });
  it("truncates, ignores wLength, STALLs, NAKs and NAKs forever when told", () => {
    expect(dataSizes(build("full", (s) => s.controlRead(1, gd(255), cfg64, 64, { truncateTo: 20 })))).toEqual(
      [8, 20, 0],
    );
    expect(
      dataSizes(build("full", (s) => s.controlRead(1, gd(9), cfg64, 64, { ignoreWLength: true }))),
    ).toEqual([8, 48, 0]);
    expect(pids(build("full", (s) => s.controlRead(1, gd(9), cfg64, 64, { stall: "data" })))).toEqual([
      Pid.SETUP,
      Pid.DATA0,
      Pid.ACK,
      Pid.IN,
      Pid.STALL,
    ]);
    expect(
      pids(build("full", (s) => s.controlRead(1, gd(9), cfg64, 64, { naks: 2 }))).filter((p) => p === Pid.NAK)
        .length,
    ).toBe(4);
    const forever = pids(build("full", (s) => s.controlRead(1, gd(9), cfg64, 64, { nakForever: 30 })));
    expect(forever.filter((p) => p === Pid.NAK).length).toBe(30);
    expect(forever.at(-1)).toBe(Pid.NAK);
    expect(
      pids(build("full", (s) => s.controlNoData(1, setupPacket(0, 9, 1, 0, 0), { stall: "status" }))),
    ).toEqual([Pid.SETUP, Pid.DATA0, Pid.ACK, Pid.IN, Pid.STALL]);
    expect(
      pids(build("full", (s) => s.controlNoData(1, setupPacket(0, 9, 1, 0, 0), { stall: "setup" }))),
    ).toEqual([Pid.SETUP, Pid.DATA0, Pid.STALL]);
    expect(
      pids(build("full", (s) => s.controlNoData(1, setupPacket(0, 9, 1, 0, 0), { nakSetup: true }))),
    ).toEqual([Pid.SETUP, Pid.DATA0, Pid.NAK]);
    expect(pids(build("full", (s) => s.controlRead(1, gd(9), cfg64, 64, { noStatus: true })))).toEqual([
      Pid.SETUP,
      Pid.DATA0,
      Pid.ACK,
      Pid.IN,
      Pid.DATA1,
      Pid.ACK,
    ]);
  });
  it("control write sends DATA1 first and ends with an IN status ZLP", () => {
    const rs = noSof(
      rows(
        capture("full", (s) => s.controlWrite(1, setupPacket(0x21, 9, 0x200, 0, 20), new Uint8Array(20), 8)),
      ),
    );
    expect(rs.map((r) => r.pid)).toEqual([
      Pid.SETUP,
      Pid.DATA0,
      Pid.ACK,
      Pid.OUT,
      Pid.DATA1,
      Pid.ACK,
      Pid.OUT,
      Pid.DATA0,
      Pid.ACK,
      Pid.OUT,
      Pid.DATA1,
      Pid.ACK,
      Pid.IN,
      Pid.DATA1,
      Pid.ACK,
    ]);
    expect(rs.filter((r) => r.expert !== "")).toEqual([]);
  });
  it("delays stretch the time between stages", () => {
    const rs = readPcap(
      build("full", (s) =>
        s.controlRead(1, gd(9), cfg64, 64, {
          delayBeforeDataNs: 600_000_000,
          delayBeforeStatusNs: 60_000_000,
        }),
      ),
    ).filter((r) => r.data[0] !== Pid.SOF);
    const t = (i: number) => rs[i]!.sec + rs[i]!.nsec / 1e9;
    expect(t(3) - t(2)).toBeGreaterThan(0.6);
    expect(t(6) - t(5)).toBeGreaterThan(0.06);
  });
  it("reads the BOS when bcdUSB >= 0x0201 and the device STALLs it when it has none", () => {
    const setupsOf = (bytes: Uint8Array) => {
      const recs = readPcap(bytes).filter((r) => r.data[0] !== Pid.SOF);
      return recs
        .filter((r, i) => i > 0 && recs[i - 1]!.data[0] === Pid.SETUP)
        .map((r) => (r.data[3]! | (r.data[4]! << 8)).toString(16) + "/" + (r.data[7]! | (r.data[8]! << 8)));
    };
    const base = device("full", 64);
    const withBos = { ...base, deviceDescriptor: deviceDescriptor({ bcdUSB: 0x0210 }), bos: bosDesc() };
    expect(setupsOf(build("full", (s) => s.enumerate(withBos)))).toEqual([
      "100/64",
      "5/0",
      "100/18",
      "f00/5",
      "f00/12",
      "200/9",
      "200/32",
      "1/0",
    ]);
    const noBos = { ...withBos, bos: undefined };
    const recs = pids(build("full", (s) => s.enumerate(noBos, { stopAfter: "bos5" })));
    expect(recs.slice(-2)).toEqual([Pid.IN, Pid.STALL]);
  });

  it("enumeration faults apply to the named step and stopAfter ends early", () => {
    const opts: EnumerateOptions = { faults: { string2: { stall: "data" } }, stopAfter: "string2" };
    const dev = device("full", 64);
    const recs = readPcap(build("full", (s) => s.enumerate(dev, opts))).filter((r) => r.data[0] !== Pid.SOF);
    expect(recs.at(-1)!.data[0]).toBe(Pid.STALL);
    const setups = recs
      .filter((r, i) => i > 0 && recs[i - 1]!.data[0] === Pid.SETUP)
      .map((r) => `${r.data[2]}:${(r.data[3]! | (r.data[4]! << 8)).toString(16)}`);
    // GET_DESCRIPTOR device, SET_ADDRESS, device, config 9, config all, string 0, string 2 (STALLed): no SET_CONFIGURATION.
    expect(setups).toEqual(["6:100", "5:5", "6:100", "6:200", "6:200", "6:300", "6:302"]);
    expect(stringDesc("A")).toEqual(Uint8Array.of(4, 3, 65, 0));
  });
});
