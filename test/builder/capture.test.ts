import { describe, expect, it } from "vitest";
import { Pid } from "../../as/shared/constants.js";
import { rawCapture, urbCapture } from "../../builder/index.js";
import { device } from "./busHelpers.js";
import { tempFile, tsharkFields } from "./helpers.js";

describe("one-call capture builders", () => {
  it("rawCapture writes a big-endian pcapng with 2^-20 s timestamps that tshark reads record for record", () => {
    const { bytes, sim } = rawCapture(
      { speed: "high", format: "pcapng", byteOrder: "be", resolution: { base: 2, exp: 20 } },
      (s) => {
        s.enumerate(device("high", 64));
        s.bulkOut(5, 2, new Uint8Array(1024), 512);
      },
    );
    expect(bytes[0]).toBe(0x0a);
    expect(bytes[8]).toBe(0x1a); // big-endian byte-order magic 1A2B3C4D
    const rows = tsharkFields(tempFile(bytes, "pcapng"), [
      "usbll.pid",
      "usbll.crc5.status",
      "usbll.crc16.status",
      "_ws.expert.message",
    ]);
    expect(rows.length).toBe(sim.records);
    expect(rows.filter((r) => r[3] !== "")).toEqual([]);
    expect(rows.filter((r) => r[1] === "0" || r[2] === "0")).toEqual([]);
    expect(rows.filter((r) => Number(r[0]) === Pid.SOF).length).toBeGreaterThan(80);
  });

  it("rawCapture with link type 288 leaves the speed unknown and tshark still decodes", () => {
    const { bytes } = rawCapture({ speed: "full", linktype: 288, resolution: "us" }, (s) =>
      s.bulkIn(1, 1, new Uint8Array(3), 64),
    );
    const rows = tsharkFields(tempFile(bytes), ["usbll.pid"]);
    expect(rows.map((r) => Number(r[0]))).toEqual([Pid.SOF, Pid.IN, Pid.DATA0, Pid.ACK]);
  });

  it("urbCapture writes every URB format from the same scenario", () => {
    const scenario = (h: import("../../builder/urb.js").UrbHost) =>
      h.enumerate(device("full", 8), { stopAfter: "device18" });
    for (const format of ["usbmon48", "usbmon64", "usbpcap"] as const) {
      const { bytes, host } = urbCapture({ format, byteOrder: "be" }, scenario);
      const rows = tsharkFields(tempFile(bytes), ["usb.setup.bRequest", "usb.device_address"]);
      expect(host.events).toBe(6);
      expect(rows.map((r) => r[0])).toEqual(["6", "", "5", "", "6", ""]);
    }
    const text = new TextDecoder().decode(urbCapture({ format: "text" }, scenario).bytes);
    const lines = text.trimEnd().split("\n");
    expect(lines.length).toBe(6);
    // bMaxPacketSize0 8: the first 64-byte read returns one short packet of 8 bytes (the host expected 64).
    expect(lines[1]).toMatch(/ C Ci:1:000:0 0 8 = 12010002 00000008$/);
    expect(lines[5]).toMatch(/ C Ci:1:005:0 0 18 = 12010002 00000008 09120100 00010102 0001$/);
  });
});
