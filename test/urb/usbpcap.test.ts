import { describe, expect, it } from "vitest";
import { parseUsbPcap } from "../../src/urb/usbpcap.js";
import { controlStatusOf, errnoName, urbErrorSeverity, usbdStatusName } from "../../src/urb/status.js";
import { collector, GET_DESCRIPTOR_DEVICE, usbPcap } from "./helpers/build.js";

describe("USBPcap records", () => {
  it("parses a control SETUP stage: header fields, setup packet, no data", () => {
    const rec = usbPcap({
      irpId: 0xffffc2832ca42010n,
      function: 0x000b,
      info: 0,
      bus: 1,
      device: 4,
      endpoint: 0x80,
      transfer: 2,
      stage: 0,
      data: GET_DESCRIPTOR_DEVICE,
    });
    const ev = parseUsbPcap(rec, 0, rec.length, 20, { time: { sec: 5, nsec: 6 } })!;
    expect(ev).toMatchObject({
      record: 20,
      kind: "submit",
      source: "usbpcap",
      id: "ffffc2832ca42010",
      bus: 1,
      device: 4,
      endpoint: 0x80,
      transferType: "control",
      status: 0,
      length: 8,
      dataCaptured: 0,
    });
    expect(ev.usbpcap).toEqual({ headerLen: 28, function: 0x000b, info: 0, stage: 0 });
    expect(ev.setup).toEqual({ bmRequestType: 0x80, bRequest: 6, wValue: 0x100, wIndex: 0, wLength: 18 });
    expect(ev.time).toEqual({ sec: 5, nsec: 6 });
  });

  it("keeps OUT data that follows the setup bytes (USBPcap >= 1.5 SETUP + data)", () => {
    const rec = usbPcap({
      transfer: 2,
      stage: 0,
      endpoint: 0x00,
      data: [0x21, 0x20, 0, 0, 2, 0, 7, 0, 1, 2, 3, 4, 5, 6, 7],
    });
    const ev = parseUsbPcap(rec, 0, rec.length, 0)!;
    expect(ev.setup?.bRequest).toBe(0x20);
    expect([...ev.data]).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("parses a COMPLETE stage with IN data and a USBD_STATUS", () => {
    const rec = usbPcap({ info: 1, transfer: 2, stage: 3, status: 0xc0000004, data: [0x12, 0x01] });
    const ev = parseUsbPcap(rec, 0, rec.length, 1)!;
    expect(ev.kind).toBe("complete");
    expect(ev.status).toBe(0xc0000004);
    expect(ev.setup).toBeUndefined();
    expect([...ev.data]).toEqual([0x12, 0x01]);
  });

  it("parses the isochronous header and packet descriptors", () => {
    const packets = [
      { offset: 0, length: 192, status: 0 },
      { offset: 192, length: 192, status: 0xc0020000 },
    ];
    const rec = usbPcap({
      transfer: 0,
      endpoint: 0x81,
      info: 1,
      iso: { startFrame: 1234, errorCount: 1, packets },
      data: new Array(384).fill(7),
    });
    const f = collector();
    const ev = parseUsbPcap(rec, 0, rec.length, 0, { findings: f })!;
    expect(ev.transferType).toBe("isochronous");
    expect(ev.usbpcap?.headerLen).toBe(39 + 24);
    expect(ev).toMatchObject({ startFrame: 1234, numberOfPackets: 2, errorCount: 1, dataCaptured: 384 });
    expect(ev.iso).toEqual(packets);
    expect(ev.data.length).toBe(0); // iso bytes are not copied
    expect(f.list).toEqual([]);
  });

  it("reports IRP-info records (0xFE) with no transfer type name", () => {
    const rec = usbPcap({ transfer: 0xfe, info: 1, status: 0x80000300 });
    const ev = parseUsbPcap(rec, 0, rec.length, 0)!;
    expect(ev.transferType).toBeUndefined();
    expect(ev.xferType).toBe(0xfe);
  });

  describe("FMT_USBPCAP_HDRLEN", () => {
    it("fires on a control record whose headerLen is 27", () => {
      const f = collector();
      const rec = usbPcap({ transfer: 2, headerLen: 27 });
      parseUsbPcap(rec, 0, rec.length, 3, { findings: f });
      expect(f.rules()).toEqual(["FMT_USBPCAP_HDRLEN"]);
      expect(f.list[0]).toMatchObject({ severity: "error", packet: 3 });
      expect(f.list[0].message).toContain("expected 28");
    });
    it("fires on an iso record whose headerLen is not 39 + 12n", () => {
      const f = collector();
      const rec = usbPcap({
        transfer: 0,
        headerLen: 39,
        iso: { startFrame: 0, errorCount: 0, packets: [{ offset: 0, length: 8, status: 0 }] },
      });
      parseUsbPcap(rec, 0, rec.length, 3, { findings: f });
      expect(f.rules()).toEqual(["FMT_USBPCAP_HDRLEN"]);
      expect(f.list[0].message).toContain("expected 51");
    });
    it("fires on headerLen below the base header and drops the record", () => {
      const f = collector();
      const rec = usbPcap({ transfer: 3, headerLen: 20 });
      expect(parseUsbPcap(rec, 0, rec.length, 3, { findings: f })).toBeUndefined();
      expect(f.rules()).toEqual(["FMT_USBPCAP_HDRLEN"]);
    });
    it("stays silent on well-formed control, bulk and iso headers", () => {
      const f = collector();
      for (const rec of [
        usbPcap({ transfer: 2, stage: 0, data: GET_DESCRIPTOR_DEVICE }),
        usbPcap({ transfer: 2, stage: 3, info: 1 }),
        usbPcap({ transfer: 3, endpoint: 0x02, data: [1] }),
        usbPcap({
          transfer: 0,
          iso: { startFrame: 0, errorCount: 0, packets: [{ offset: 0, length: 1, status: 0 }] },
          data: [9],
        }),
      ]) {
        parseUsbPcap(rec, 0, rec.length, 0, { findings: f });
      }
      expect(f.list).toEqual([]);
    });
  });

  describe("URB_BAD_LENGTH", () => {
    it("fires when dataLength runs past the record", () => {
      const f = collector();
      const rec = usbPcap({ transfer: 3, endpoint: 0x81, info: 1, dataLength: 512, data: [1, 2, 3] });
      const ev = parseUsbPcap(rec, 0, rec.length, 0, { findings: f })!;
      expect(f.rules()).toEqual(["URB_BAD_LENGTH"]);
      expect(ev.dataCaptured).toBe(3);
    });
    it("fires when a SETUP stage holds fewer than 8 bytes", () => {
      const f = collector();
      const rec = usbPcap({ transfer: 2, stage: 0, data: [0x80, 6] });
      expect(parseUsbPcap(rec, 0, rec.length, 0, { findings: f })!.setup).toBeUndefined();
      expect(f.rules()).toEqual(["URB_BAD_LENGTH"]);
    });
    it("fires on a record shorter than the base header", () => {
      const f = collector();
      expect(parseUsbPcap(new Uint8Array(10), 0, 10, 0, { findings: f })).toBeUndefined();
      expect(f.rules()).toEqual(["URB_BAD_LENGTH"]);
    });
    it("reports a snap-length cut as truncation, not as a bad length", () => {
      const f = collector();
      const rec = usbPcap({ transfer: 3, endpoint: 0x81, info: 1, dataLength: 512, data: [1, 2, 3] });
      parseUsbPcap(rec, 0, rec.length, 0, { findings: f, origLength: 28 + 512 });
      expect(f.rules()).toEqual(["FMT_MON_TRUNCATED"]);
    });
    it("stays silent when dataLength matches", () => {
      const f = collector();
      const rec = usbPcap({ transfer: 3, endpoint: 0x81, info: 1, data: [1, 2, 3] });
      parseUsbPcap(rec, 0, rec.length, 0, { findings: f });
      expect(f.list).toEqual([]);
    });
  });
});

describe("URB status names", () => {
  it("names USBD_STATUS values from usb.h", () => {
    expect(usbdStatusName(0xc0000004)).toBe("USBD_STATUS_STALL_PID (0xc0000004)");
    expect(usbdStatusName(0xc0000005)).toContain("DEV_NOT_RESPONDING");
    expect(usbdStatusName(0xc000000c)).toContain("BUFFER_OVERRUN");
    expect(usbdStatusName(0xc0010000)).toContain("CANCELED");
    expect(usbdStatusName(0xc0000030)).toContain("ENDPOINT_HALTED");
    expect(usbdStatusName(0x80000300)).toContain("INVALID_PARAMETER");
    expect(usbdStatusName(0xc1234567)).toBe("USBD_STATUS 0xc1234567");
  });
  it("names errno values in words", () => {
    expect(errnoName(-32)).toMatch(/^-32 EPIPE/);
    expect(errnoName(-75)).toContain("babble");
    expect(errnoName(-121)).toContain("EREMOTEIO");
    expect(errnoName(-999)).toBe("-999 (errno 999)");
  });
  it("treats host cancellation as info and other errors as warnings", () => {
    expect(urbErrorSeverity(-2, "usbmon")).toBe("info");
    expect(urbErrorSeverity(-104, "usbmon")).toBe("info");
    expect(urbErrorSeverity(-71, "usbmon")).toBe("warning");
    expect(urbErrorSeverity(0xc0010000, "usbpcap")).toBe("info");
    expect(urbErrorSeverity(0xc0000005, "usbpcap")).toBe("warning");
  });
  it("maps completion statuses to control outcomes", () => {
    expect(controlStatusOf(0, "usbmon")).toBe("ok");
    expect(controlStatusOf(-32, "usbmon")).toBe("stall");
    expect(controlStatusOf(-71, "usbmon")).toBe("error");
    expect(controlStatusOf(0xc0000004, "usbpcap")).toBe("stall");
    expect(controlStatusOf(0xc0000005, "usbpcap")).toBe("error");
  });
});
