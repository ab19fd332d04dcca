import { describe, expect, it } from "vitest";
import { monBinLittleEndian, parseMonBin } from "../../src/urb/usbmonBinary.js";
import { collector, GET_DESCRIPTOR_DEVICE, monBin } from "./helpers/build.js";

const DEVICE_DESC = [
  0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x40, 0x6e, 0x05, 0xff, 0x00, 0x00, 0x01, 0x01, 0x02, 0x00, 0x01,
];

describe("usbmon binary records (mon_bin_hdr)", () => {
  it("parses a 48-byte (189) control submission with its setup packet", () => {
    const rec = monBin(
      {
        type: "S",
        xferType: 2,
        epnum: 0x80,
        devnum: 3,
        busnum: 2,
        flagSetup: 0,
        setup: GET_DESCRIPTOR_DEVICE,
        length: 18,
        status: -115,
        tsSec: 1312217400,
        tsUsec: 419830,
      },
      189,
    );
    expect(rec.length).toBe(48);
    const ev = parseMonBin(rec, 0, rec.length, 189, true, 7)!;
    expect(ev).toMatchObject({
      record: 7,
      kind: "submit",
      source: "usbmon",
      id: "ffff88030dd55900",
      bus: 2,
      device: 3,
      endpoint: 0x80,
      xferType: 2,
      transferType: "control",
      status: -115,
      length: 18,
      dataCaptured: 0,
      dataFlag: 0x3c,
    });
    expect(ev.time).toEqual({ sec: 1312217400, nsec: 419830000 });
    expect(ev.setup).toEqual({ bmRequestType: 0x80, bRequest: 6, wValue: 0x0100, wIndex: 0, wLength: 18 });
    expect(ev.interval).toBeUndefined(); // 189 has no interval/start_frame
  });

  it("parses a 64-byte (220) completion and copies the control data", () => {
    const rec = monBin({ type: "C", status: 0, data: DEVICE_DESC, interval: 0, startFrame: 0 });
    const bytes = new Uint8Array(10 + rec.length);
    bytes.set(rec, 10); // at a non-zero offset, as in a batch
    const ev = parseMonBin(bytes, 10, rec.length, 220, true, 0)!;
    expect(ev.kind).toBe("complete");
    expect(ev.status).toBe(0);
    expect([...ev.data]).toEqual(DEVICE_DESC);
    expect(ev.dataCaptured).toBe(18);
    bytes.fill(0); // the event owns a copy, not a view of the batch
    expect(ev.data[0]).toBe(0x12);
  });

  it("keeps only the length of bulk data unless asked for the bytes", () => {
    const rec = monBin({ type: "C", xferType: 3, epnum: 0x81, status: 0, data: [1, 2, 3, 4] });
    const ev = parseMonBin(rec, 0, rec.length, 220, true, 0)!;
    expect(ev.transferType).toBe("bulk");
    expect(ev.data.length).toBe(0);
    expect(ev.dataCaptured).toBe(4);
    expect([...parseMonBin(rec, 0, rec.length, 220, true, 0, { keepAllData: true })!.data]).toEqual([
      1, 2, 3, 4,
    ]);
  });

  it("reads a big-endian host's header when told the file is big-endian", () => {
    const rec = monBin(
      { type: "C", devnum: 5, busnum: 3, status: -32, length: 0, id: 0xdab6b880n, tsSec: 1312217400 },
      220,
      false,
    );
    const ev = parseMonBin(rec, 0, rec.length, 220, false, 0)!;
    expect(ev).toMatchObject({
      bus: 3,
      device: 5,
      status: -32,
      id: "dab6b880",
      time: { sec: 1312217400, nsec: 123456000 },
    });
  });

  it("flips to the other byte order when only that gives a plausible ts_usec", () => {
    const be = monBin({ type: "C", busnum: 3, status: -71, tsUsec: 999_999 }, 220, false);
    expect(monBinLittleEndian(be, 0, be.length, true)).toBe(false);
    expect(parseMonBin(be, 0, be.length, 220, true, 0)).toMatchObject({ bus: 3, status: -71 });
    const le = monBin({ type: "C", tsUsec: 5 }, 220, true);
    expect(monBinLittleEndian(le, 0, le.length, true)).toBe(true);
  });

  it("reads iso descriptors after the 220 header; len_cap counts them with the data", () => {
    const iso = [
      { status: -18, offset: 0, length: 4 },
      { status: 0, offset: 4, length: 4 },
    ];
    const rec = monBin({
      type: "S",
      xferType: 0,
      epnum: 0x01,
      interval: 1,
      startFrame: 42,
      iso,
      data: [1, 2, 3, 4, 5, 6, 7, 8],
      length: 8,
    });
    const f = collector();
    const ev = parseMonBin(rec, 0, rec.length, 220, true, 0, { findings: f, keepAllData: true })!;
    expect(ev.transferType).toBe("isochronous");
    expect(ev.iso).toEqual(iso);
    expect(ev.numberOfPackets).toBe(2);
    expect(ev.interval).toBe(1);
    expect(ev.startFrame).toBe(42);
    expect(ev.dataCaptured).toBe(8);
    expect([...ev.data]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(f.list).toEqual([]);
  });

  it("skips mmap filler records ('@')", () => {
    const rec = monBin({ type: "@" });
    expect(parseMonBin(rec, 0, rec.length, 220, true, 0)).toBeUndefined();
  });

  describe("FMT_MON_TRUNCATED", () => {
    it("fires when data is present but len_cap < length", () => {
      const f = collector();
      const rec = monBin({ type: "C", xferType: 3, epnum: 0x81, status: 0, length: 4096, data: [1, 2, 3] });
      parseMonBin(rec, 0, rec.length, 220, true, 9, { findings: f });
      expect(f.rules()).toEqual(["FMT_MON_TRUNCATED"]);
      expect(f.list[0]).toMatchObject({ packet: 9, severity: "info" });
      expect(f.list[0].message).toContain("3 of 4096");
    });
    it("fires when the snap length cut the record", () => {
      const f = collector();
      const rec = monBin({ type: "C", status: 0, data: DEVICE_DESC });
      parseMonBin(rec, 0, rec.length - 10, 220, true, 0, { findings: f, origLength: rec.length });
      expect(f.rules()).toEqual(["FMT_MON_TRUNCATED"]);
      expect(f.list[0].message).toContain("snap length");
    });
    it("stays silent on an IN submission ('<', no data) and on a whole record", () => {
      const f = collector();
      const s = monBin({ type: "S", flagSetup: 0, setup: GET_DESCRIPTOR_DEVICE, length: 18 });
      const c = monBin({ type: "C", status: 0, data: DEVICE_DESC });
      parseMonBin(s, 0, s.length, 220, true, 0, { findings: f, origLength: s.length });
      parseMonBin(c, 0, c.length, 220, true, 1, { findings: f, origLength: c.length });
      expect(f.list).toEqual([]);
    });
  });

  describe("URB_BAD_LENGTH", () => {
    it("fires when len_cap runs past the record without a snap-length cut", () => {
      const f = collector();
      const rec = monBin({ type: "C", status: 0, data: [1, 2], lenCap: 200 });
      const ev = parseMonBin(rec, 0, rec.length, 220, true, 3, { findings: f, origLength: rec.length })!;
      expect(f.rules()).toEqual(["URB_BAD_LENGTH"]);
      expect(ev.dataCaptured).toBe(2);
    });
    it("fires when a record is shorter than the header", () => {
      const f = collector();
      const rec = monBin({ type: "C" });
      expect(parseMonBin(rec, 0, 40, 220, true, 3, { findings: f })).toBeUndefined();
      expect(f.rules()).toEqual(["URB_BAD_LENGTH"]);
    });
    it("stays silent when len_cap matches the bytes", () => {
      const f = collector();
      const rec = monBin({ type: "C", status: 0, data: [1, 2] });
      parseMonBin(rec, 0, rec.length, 220, true, 3, { findings: f });
      expect(f.list).toEqual([]);
    });
  });

  describe("URB_SETUP_NON_CONTROL", () => {
    it("fires on flag_setup 0 on a bulk URB", () => {
      const f = collector();
      const rec = monBin({ type: "S", xferType: 3, epnum: 0x02, flagSetup: 0, setup: GET_DESCRIPTOR_DEVICE });
      parseMonBin(rec, 0, rec.length, 220, true, 0, { findings: f });
      expect(f.rules()).toEqual(["URB_SETUP_NON_CONTROL"]);
      expect(f.list[0].severity).toBe("error");
    });
    it("stays silent on a control submission with setup, and on bulk without", () => {
      const f = collector();
      const a = monBin({ type: "S", xferType: 2, flagSetup: 0, setup: GET_DESCRIPTOR_DEVICE, length: 18 });
      const b = monBin({ type: "S", xferType: 3, epnum: 0x02, data: [1], length: 1 });
      parseMonBin(a, 0, a.length, 220, true, 0, { findings: f });
      parseMonBin(b, 0, b.length, 220, true, 1, { findings: f });
      expect(f.list).toEqual([]);
    });
  });
});
