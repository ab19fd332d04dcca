// The same event gets the same verdict in every format (issue 11): a request the device may refuse is info
// whether the capture is raw packets (a STALL handshake) or URBs (-32 EPIPE, USBD_STATUS_STALL_PID); a failed
// enumeration request is one finding, the rule that explains it, carrying the status the capture tool saw.
import { describe, expect, it } from "vitest";
import { setupPacket } from "../../builder/device.js";
import { widgetDevice } from "../helpers/widgetDevice.js";
import { FORMATS, analyse, build, loud, ofRule, type Host } from "./helpers.js";

const dev = widgetDevice;
const QUALIFIER = setupPacket(0x80, 6, 0x0600, 0, 10);
const OTHER_SPEED = setupPacket(0x80, 6, 0x0700, 0, 9);
const VENDOR_IN = setupPacket(0xc0, 0x33, 0, 0, 4);

/** A healthy full-speed device: it STALLs what §9.6.2 and §9.2.7 let it refuse, and moves data. */
function refusals(h: Host): void {
  h.enumerate(dev);
  h.control(dev, QUALIFIER); // §9.6.2: a full-speed-only device must STALL it
  h.control(dev, OTHER_SPEED); // §9.6.4: likewise
  h.control(dev, VENDOR_IN); // a vendor request it does not support: Request Error (§9.2.7)
  h.bulkIn(dev, 1, Uint8Array.of(1, 2, 3));
}

describe("a request the device may refuse is info in every format", () => {
  for (const format of FORMATS) {
    it(`${format}: no error, no warning; each refusal is one CTRL_STALL info`, async () => {
      const r = await analyse(build(format, "full", refusals));
      expect(loud(r)).toEqual([]);
      const stalls = ofRule(r, "CTRL_STALL");
      expect(stalls.map((f) => f.severity)).toEqual(["info", "info", "info"]);
      expect(stalls.map((f) => f.message.split(" STALLed")[0])).toEqual([
        "GET_DESCRIPTOR DEVICE_QUALIFIER",
        "GET_DESCRIPTOR OTHER_SPEED_CONFIGURATION",
        expect.stringMatching(/^vendor IN 0x33/),
      ]);
      expect(ofRule(r, "URB_ERROR")).toEqual([]);
      expect(r.descriptors.diagnoses.every((d) => d.ok)).toBe(true);
    });
  }
});

/** The device STALLs the read of its whole configuration set: Linux gives up on it (config.c). */
function configStall(h: Host): void {
  h.enumerate(dev, { faults: { configAll: { stall: "data" } }, stopAfter: "configAll" });
}

describe("one cause, one finding: a failed enumeration request", () => {
  for (const format of FORMATS) {
    it(`${format}: CFG_READ_FAIL alone reports the STALLed read, with the status`, async () => {
      const r = await analyse(build(format, "full", configStall));
      const fail = ofRule(r, "CFG_READ_FAIL");
      expect(fail).toHaveLength(1);
      const t = fail[0]!.transfer;
      expect(t).toBeDefined();
      // Nothing else about the same transfer: no CTRL_STALL, no URB_ERROR.
      const same = r.findings.sorted().filter((f) => f.transfer === t && f.rule !== "CFG_READ_FAIL");
      expect(same).toEqual([]);
      expect(ofRule(r, "CTRL_STALL")).toEqual([]);
      expect(ofRule(r, "URB_ERROR")).toEqual([]);
      if (format === "usbpcap") expect(fail[0]!.message).toContain("USBD_STATUS_STALL_PID");
      else if (format !== "raw") expect(fail[0]!.message).toContain("-32 EPIPE");
      expect(r.descriptors.diagnoses.some((d) => !d.ok)).toBe(true);
    });
  }

  it("a failed request no rule explains keeps its own finding (raw and URB alike)", async () => {
    for (const format of FORMATS) {
      const r = await analyse(build(format, "full", refusals));
      // Each refusal is reported: held back until the rules ran, then not explained by any of them.
      expect(
        ofRule(r, "CTRL_STALL").every((f) => f.transfer !== undefined),
        format,
      ).toBe(true);
    }
  });
});

/** The device answers a 4-byte vendor read with 8 bytes (babble, §9.3.5); then the same read done right. */
function babble(h: Host): void {
  h.enumerate(dev);
  h.control(dev, VENDOR_IN, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), { ignoreWLength: true });
  h.control(dev, VENDOR_IN, Uint8Array.of(1, 2, 3, 4));
}

describe("one cause, one finding: a control read past wLength", () => {
  for (const format of FORMATS) {
    it(`${format}: one finding for the read past wLength; the read within wLength is silent`, async () => {
      const r = await analyse(build(format, "full", babble));
      if (format === "usbpcap") {
        // The builder writes -75 as USBD_STATUS_BUFFER_OVERRUN, the host controller's own overrun (OHCI
        // TD_BUFFEROVER), not babble: one URB_ERROR, and CTRL_RESP_OVER_WLENGTH cannot tell (builderRoundTrip).
        expect(loud(r)).toEqual([expect.stringMatching(/^warning URB_ERROR .*USBD_STATUS_BUFFER_OVERRUN/)]);
        return;
      }
      const over = ofRule(r, "CTRL_RESP_OVER_WLENGTH");
      expect(over).toHaveLength(1);
      expect(over[0]!.severity).toBe("error");
      if (format !== "raw") expect(over[0]!.message).toContain("-75 EOVERFLOW");
      // Nothing else is loud: no URB_ERROR for the same URB, nothing about the good read.
      expect(loud(r)).toEqual([expect.stringMatching(/^error CTRL_RESP_OVER_WLENGTH /)]);
      expect(ofRule(r, "URB_ERROR")).toEqual([]);
    });
  }
});
