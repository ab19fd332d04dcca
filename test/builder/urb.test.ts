import { describe, expect, it } from "vitest";
import { LinkType } from "../../as/shared/constants.js";
import { setupPacket } from "../../builder/device.js";
import { MemorySink } from "../../builder/sink.js";
import { UrbErrno, UrbHost, XferType, type UrbEvent } from "../../builder/urb.js";
import { encodeUsbmon, UsbmonPcapWriter } from "../../builder/usbmon.js";
import { UsbmonTextWriter, usbmonTextLine } from "../../builder/usbmonText.js";
import { ControlStage, encodeUsbpcap, UsbpcapWriter } from "../../builder/usbpcap.js";
import { readPcap, tempFile, tsharkFields } from "./helpers.js";
import { widgetDevice } from "../helpers/widgetDevice.js";

const dev = widgetDevice;

function traffic(h: UrbHost): void {
  h.enumerate(dev);
  h.bulkIn(5, 1, Uint8Array.of(1, 2, 3));
  h.bulkOut(5, 2, new Uint8Array(31));
  h.interruptIn(5, 3, Uint8Array.of(1, 2, 3, 4));
  h.iso(5, 0x84, [new Uint8Array(3), new Uint8Array(5)]);
}

const FIELDS = [
  "usb.urb_type",
  "usb.transfer_type",
  "usb.device_address",
  "usb.endpoint_address",
  "usb.setup.bRequest",
  "usb.bDescriptorType",
  "usb.bus_id",
  "usb.urb_status",
  "usb.iso.numdesc",
  "_ws.expert.message",
];

// Expected per record: transfer type, device, endpoint, bRequest, descriptor type.
const EXPECTED: [string, string, string, string, string][] = [
  ["0x02", "0", "0x80", "6", "0x01"],
  ["0x02", "0", "0x80", "", "0x01"],
  ["0x02", "0,5", "0x00", "5", ""], // Wireshark lists the new address from SET_ADDRESS too
  ["0x02", "0", "0x00", "", ""],
  ["0x02", "5", "0x80", "6", "0x01"],
  ["0x02", "5", "0x80", "", "0x01"],
  ["0x02", "5", "0x80", "6", "0x02"],
  ["0x02", "5", "0x80", "", "0x02"],
  ["0x02", "5", "0x80", "6", "0x02"],
  ["0x02", "5", "0x80", "", "0x02,0x04,0x05,0x05"],
  ["0x02", "5", "0x80", "6", "0x03"],
  ["0x02", "5", "0x80", "", "0x03"],
  ["0x02", "5", "0x80", "6", "0x03"],
  ["0x02", "5", "0x80", "", "0x03"],
  ["0x02", "5", "0x00", "9", ""],
  ["0x02", "5", "0x00", "", ""],
  ["0x03", "5", "0x81", "", ""],
  ["0x03", "5", "0x81", "", ""],
  ["0x03", "5", "0x02", "", ""],
  ["0x03", "5", "0x02", "", ""],
  ["0x01", "5", "0x83", "", ""],
  ["0x01", "5", "0x83", "", ""],
  ["0x00", "5", "0x84", "", ""],
  ["0x00", "5", "0x84", "", ""],
];

describe("usbmon binary writer (189, 220)", () => {
  for (const linktype of [LinkType.USB_LINUX, LinkType.USB_LINUX_MMAPPED] as const) {
    for (const byteOrder of ["le", "be"] as const) {
      it(`writes enumeration, bulk, interrupt and iso URBs as ${linktype} ${byteOrder} that tshark decodes cleanly`, () => {
        const m = new MemorySink();
        const w = new UsbmonPcapWriter(m.sink, { linktype, byteOrder });
        const h = new UrbHost(w, { busnum: 3 });
        traffic(h);
        w.close();
        const rows = tsharkFields(tempFile(m.toBytes()), FIELDS, [], "a");
        expect(rows.length).toBe(h.events);
        expect(rows.map((r) => r[0])).toEqual(EXPECTED.map((_, i) => (i % 2 === 0 ? "'S'" : "'C'")));
        expect(rows.map((r) => [r[1], r[2], r[3], r[4], r[5]])).toEqual(EXPECTED);
        expect(rows.every((r) => r[6] === "3")).toBe(true);
        expect(rows.map((r) => r[7])).toEqual(EXPECTED.map((_, i) => (i % 2 === 0 ? "-115" : "0")));
        expect(rows.at(-1)![8]!.split(",")[0]).toBe("2");
        expect(rows.filter((r) => r[9] !== "")).toEqual([]);
      });
    }
  }

  it("lays out mon_bin_hdr as usbmon.rst says", () => {
    const e: UrbEvent = {
      id: 0x1122334455667788n,
      type: "S",
      xferType: XferType.CONTROL,
      epnum: 0x80,
      devnum: 7,
      busnum: 2,
      sec: 100,
      nsec: 5_000,
      status: -115,
      length: 18,
      data: new Uint8Array(0),
      setup: Uint8Array.of(0x80, 6, 0, 1, 0, 0, 18, 0),
    };
    const b = encodeUsbmon(e, true, true);
    const v = new DataView(b.buffer);
    expect(b.length).toBe(64);
    expect(v.getBigUint64(0, true)).toBe(0x1122334455667788n);
    expect(String.fromCharCode(b[8]!)).toBe("S");
    expect([b[9], b[10], b[11], v.getUint16(12, true), b[14], b[15]]).toEqual([2, 0x80, 7, 2, 0, 0x3c]);
    expect([
      Number(v.getBigInt64(16, true)),
      v.getInt32(24, true),
      v.getInt32(28, true),
      v.getUint32(32, true),
      v.getUint32(36, true),
    ]).toEqual([100, 5, -115, 18, 0]);
    expect([...b.subarray(40, 48)]).toEqual([0x80, 6, 0, 1, 0, 0, 18, 0]);
    expect(encodeUsbmon(e, false, false).length).toBe(48);
  });

  it("maps control faults to URB status: STALL -32, overflow -75, timeout kill -2", () => {
    const m = new MemorySink();
    const w = new UsbmonPcapWriter(m.sink, { linktype: LinkType.USB_LINUX_MMAPPED });
    const h = new UrbHost(w);
    const gd = setupPacket(0x80, 6, 0x0200, 0, 9);
    const cfg = dev.configDescriptor;
    h.control(5, gd, { response: cfg, faults: { stall: "data" } });
    h.control(5, gd, { response: cfg, faults: { ignoreWLength: true } });
    h.control(5, gd, { response: cfg, faults: { nakForever: 100 } });
    h.control(5, gd, { response: cfg, faults: { truncateTo: 4 } });
    h.control(5, gd, { response: undefined });
    h.control(5, gd, { response: cfg, faults: { nakSetup: true } });
    w.close();
    const path = tempFile(m.toBytes());
    const rows = tsharkFields(
      path,
      ["usb.urb_status", "usb.urb_len", "frame.time_relative"],
      ["-Y", "usb.urb_type == 'C'"],
    );
    expect(rows.map((r) => [r[0], r[1]])).toEqual([
      ["-32", "0"],
      ["-75", "9"],
      ["-2", "0"],
      ["0", "4"],
      ["-32", "0"],
      ["-2", "0"],
    ]);
    // The killed URB completes after the 5 s control timeout.
    const all = tsharkFields(path, ["frame.time_relative"]).map((r) => Number(r[0]));
    expect(all[5]! - all[4]!).toBeGreaterThanOrEqual(5);
  });

  it("follows the enumeration faults named by step", () => {
    const m = new MemorySink();
    const w = new UsbmonPcapWriter(m.sink);
    const h = new UrbHost(w);
    h.enumerate(dev, { faults: { config9: { truncateTo: 4 } }, stopAfter: "config9" });
    w.close();
    const recs = readPcap(m.toBytes());
    expect(recs.length).toBe(8);
    const last = new DataView(recs[7]!.data.buffer, recs[7]!.data.byteOffset);
    expect(last.getUint32(32, true)).toBe(4);
  });
});

describe("submission errors", () => {
  it("writes an E event that tshark shows with its status and the text writer prints as status and length 0", () => {
    const m = new MemorySink();
    const w = new UsbmonPcapWriter(m.sink, { linktype: LinkType.USB_LINUX });
    const h = new UrbHost(w);
    h.submitError(XferType.BULK, 4, 0x81, UrbErrno.EPROTO, 512);
    w.close();
    expect(
      tsharkFields(tempFile(m.toBytes()), ["usb.urb_type", "usb.urb_status", "usb.endpoint_address"]),
    ).toEqual([["'E'", "-71", "0x81"]]);
    const t = new UsbmonTextWriter();
    new UrbHost(t).submitError(XferType.BULK, 4, 0x81, UrbErrno.EPROTO, 512);
    expect(t.lines[0]).toMatch(/ E Bi:1:004:1 -71 0$/);
  });
});

describe("USBPcap writer (249)", () => {
  it("writes control transfers as SETUP then COMPLETE stages and other URBs tshark decodes cleanly", () => {
    const m = new MemorySink();
    const w = new UsbpcapWriter(m.sink);
    const h = new UrbHost(w, { busnum: 2 });
    traffic(h);
    w.close();
    const rows = tsharkFields(
      tempFile(m.toBytes()),
      [
        "usb.transfer_type",
        "usb.device_address",
        "usb.endpoint_address",
        "usb.setup.bRequest",
        "usb.bDescriptorType",
        "usb.irp_info.direction",
        "usb.control_stage",
        "usb.bus_id",
        "usb.usbpcap_header_len",
        "usb.win32.iso_num_packets",
        "_ws.expert.message",
      ],
      [],
      "a",
    );
    expect(rows.length).toBe(h.events);
    expect(rows.map((r) => [r[0], r[1], r[2], r[3], r[4]])).toEqual(EXPECTED);
    expect(rows.map((r) => r[5])).toEqual(EXPECTED.map((_, i) => (i % 2 === 0 ? "0x00" : "0x01")));
    expect(rows.slice(0, 16).map((r) => r[6])).toEqual(
      EXPECTED.slice(0, 16).map((_, i) => (i % 2 === 0 ? "0" : "3")),
    );
    expect(rows.every((r) => r[7] === "2")).toBe(true);
    expect(rows.map((r) => r[8]).slice(0, 18)).toEqual([...Array(16).fill("28"), "27", "27"]);
    expect(rows.at(-1)![8]).toBe(String(39 + 12 * 2));
    expect(rows.at(-1)![9]).toBe("2");
    expect(rows.filter((r) => r[10] !== "")).toEqual([]);
  });

  it("puts the header fields at the offsets of USBPcapBuffer.h and lets a test break headerLen", () => {
    const b = encodeUsbpcap({
      irpId: 0xabcdn,
      status: 0xc0000004,
      function: 8,
      info: 1,
      bus: 1,
      device: 9,
      endpoint: 0x80,
      transfer: 2,
      stage: ControlStage.COMPLETE,
      data: Uint8Array.of(1, 2),
    });
    const v = new DataView(b.buffer);
    expect(b.length).toBe(30);
    expect([
      v.getUint16(0, true),
      v.getBigUint64(2, true),
      v.getUint32(10, true),
      v.getUint16(14, true),
      b[16],
      v.getUint16(17, true),
      v.getUint16(19, true),
      b[21],
      b[22],
      v.getUint32(23, true),
      b[27],
    ]).toEqual([28, 0xabcdn, 0xc0000004, 8, 1, 1, 9, 0x80, 2, 2, 3]);
    const bad = encodeUsbpcap({
      irpId: 1n,
      status: 0,
      function: 9,
      info: 0,
      bus: 1,
      device: 9,
      endpoint: 0x81,
      transfer: 3,
      data: new Uint8Array(0),
      headerLen: 20,
    });
    expect(new DataView(bad.buffer).getUint16(0, true)).toBe(20);
  });
});

describe("usbmon text writer", () => {
  it("prints the lines of usbmon.rst's examples", () => {
    const base = {
      id: 0xd5ea89a0n,
      busnum: 1,
      devnum: 1,
      epnum: 0x80,
      xferType: XferType.CONTROL,
      sec: 0xabc0000 + 3575,
      nsec: 914555000,
    };
    expect(
      usbmonTextLine({
        ...base,
        type: "S",
        status: -115,
        length: 4,
        data: new Uint8Array(0),
        setup: Uint8Array.of(0xa3, 0, 0, 0, 3, 0, 4, 0),
      }),
    ).toBe("d5ea89a0 3575914555 S Ci:1:001:0 s a3 00 0000 0003 0004 4 <");
    expect(
      usbmonTextLine({
        ...base,
        nsec: 914560000,
        type: "C",
        status: 0,
        length: 4,
        data: Uint8Array.of(1, 5, 0, 0),
      }),
    ).toBe("d5ea89a0 3575914560 C Ci:1:001:0 0 4 = 01050000");
  });

  it("writes a whole enumeration with at most 32 data bytes per line, interrupt and iso status fields", () => {
    const t = new UsbmonTextWriter();
    const h = new UrbHost(t, { start: { sec: (1700000000 & ~0xfff) + 0xfff, nsec: 999_000_000 } });
    traffic(h);
    const lines = t.text().trimEnd().split("\n");
    expect(lines.length).toBe(24);
    expect(lines[0]).toMatch(/^ffff8880a1b2c[0-9a-f]{3} \d+ S Ci:1:000:0 s 80 06 0100 0000 0040 64 <$/);
    expect(lines[1]).toMatch(/ C Ci:1:000:0 0 18 = 12010002 00000040 09120100 00010002 0001$/);
    expect(lines[2]).toMatch(/ S Co:1:000:0 s 00 05 0005 0000 0000 0$/);
    expect(lines[3]).toMatch(/ C Co:1:000:0 0 0$/);
    // The full configuration (32 bytes) is printed whole; the 31-byte bulk OUT on submission.
    const cfg = lines[9]!.split(" = ")[1]!.replace(/ /g, "");
    expect(cfg.length).toBe(64);
    expect(lines[18]).toMatch(/ S Bo:1:005:2 -115 31 = (\w{8} ){7}\w{6}$/);
    expect(lines[19]).toMatch(/ C Bo:1:005:2 0 31 >$/);
    expect(lines[20]).toMatch(/ S Ii:1:005:3 -115:8 512 <$/);
    expect(lines[21]).toMatch(/ C Ii:1:005:3 0:8 4 = 01020304$/);
    expect(lines[22]).toMatch(/ S Zi:1:005:4 -115:1:0 2 0:0:5 0:5:5 10 <$/);
    expect(lines[23]).toMatch(/ C Zi:1:005:4 0:1:0:0 2 0:0:3 0:5:5 10 = 00000000 00000000 0000$/);
    // The timestamp keeps only tv_sec & 0xFFF, so it wraps (FMT_TEXT_TS_WRAP): the first line is just before the wrap.
    const ts = lines.map((l) => Number(l.split(" ")[1]));
    expect(ts[0]).toBeGreaterThan(4095_000_000);
    expect(ts.at(-1)).toBeLessThan(1_000_000_000);
  });

  it("cuts data at 32 bytes and prints an E event with its status", () => {
    const e: UrbEvent = {
      id: 1n,
      busnum: 1,
      devnum: 2,
      epnum: 0x81,
      xferType: XferType.BULK,
      sec: 0,
      nsec: 0,
      type: "C",
      status: 0,
      length: 64,
      data: new Uint8Array(64).fill(0xaa),
    };
    expect(usbmonTextLine(e).split(" = ")[1]).toBe(Array(8).fill("aaaaaaaa").join(" "));
    expect(usbmonTextLine({ ...e, type: "E", status: UrbErrno.EPROTO })).toBe("1 0 E Bi:1:002:1 -71 0");
  });
});
