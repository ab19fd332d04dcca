// A device that never answers (issue 11): every request fails from the first with no response at all (no
// handshake on the wire, -71 EPROTO, USBD_STATUS_DEV_NOT_RESPONDING). The verdict says so, with the bench causes,
// and the evidence is every request in capture order, not a later step ("did not complete SET_ADDRESS 5").
import { describe, expect, it } from "vitest";
import { setupPacket } from "../../builder/device.js";
import { widgetDevice } from "../helpers/widgetDevice.js";
import { bundledCaptures, publicCaptures } from "../helpers/paths.js";
import { analyzeFile } from "../../src/analyze.js";
import { FORMATS, analyse, build, type Host } from "./helpers.js";

const dev = widgetDevice;
const at0 = { ...dev, address: 0 };
const DEVICE64 = setupPacket(0x80, 6, 0x0100, 0, 64);
const SET_ADDRESS = setupPacket(0x00, 5, dev.address, 0, 0);

/** Linux on a dead device: three GET_DESCRIPTOR(DEVICE, 64) tries, then two SET_ADDRESS tries (hub.c). */
function dead(h: Host): void {
  for (let i = 0; i < 3; i++) {
    h.control(at0, DEVICE64, dev.deviceDescriptor, { noAnswer: true });
    h.idle(100_000_000);
  }
  for (let i = 0; i < 2; i++) {
    h.control(at0, SET_ADDRESS, undefined, { noAnswer: true });
    h.idle(100_000_000);
  }
}

/** The device answers its first request, then stops answering at SET_ADDRESS: a later step, not "never". */
function diesAtSetAddress(h: Host): void {
  h.enumerate(dev, { faults: { setAddress: { noAnswer: true } }, stopAfter: "setAddress" });
}

/** The device STALLs the first read: it answers (wrongly), so it is not silent. */
function stallsFirst(h: Host): void {
  h.control(at0, DEVICE64, undefined);
}

describe("a device that never answers", () => {
  for (const format of FORMATS) {
    it(`${format}: the verdict says never answered, with the bench causes, evidence in capture order`, async () => {
      const r = await analyse(build(format, "full", dead));
      const [d, ...more] = r.descriptors.diagnoses;
      expect(more).toEqual([]);
      expect(d!.ok).toBe(false);
      expect(d!.verdict).toMatch(
        /^never answered: all \d requests to the device, from the first \(GET_DESCRIPTOR\(DEVICE\)\)/,
      );
      for (const cause of [
        "pull-up",
        "48 MHz",
        "PHY not powered",
        "D+ and D- swapped",
        "peripheral not started",
      ])
        expect(d!.verdict).toContain(cause);
      if (format === "usbpcap") expect(d!.verdict).toContain("USBD_STATUS_DEV_NOT_RESPONDING");
      else if (format === "raw") expect(d!.verdict).toContain("got no handshake");
      else expect(d!.verdict).toContain("-71 EPROTO");
      expect(d!.stage).toBe("GET_DESCRIPTOR(DEVICE)");
      const at = d!.evidence.map((e) => e.packet);
      expect(at).toEqual([...at].sort((a, b) => a - b));
      expect(at.length).toBe(format === "raw" ? 2 : 5); // raw: the host's tries of one SETUP are one transfer
      expect(d!.evidence[0]!.text).toMatch(/^GET_DESCRIPTOR DEVICE/);
      expect(d!.evidence[at.length - 1]!.text).toMatch(/^SET_ADDRESS 5/);
    });

    it(`${format}: silent on a device that answered first, on one that STALLs, on a healthy one`, async () => {
      const later = await analyse(build(format, "full", diesAtSetAddress));
      expect(later.descriptors.diagnoses.map((d) => d.verdict)).toEqual([
        expect.stringMatching(/did not complete SET_ADDRESS 5/),
      ]);
      const stall = await analyse(build(format, "full", stallsFirst));
      for (const d of stall.descriptors.diagnoses) expect(d.verdict).not.toMatch(/never answered/);
      const ok = await analyse(build(format, "full", (h) => h.enumerate(dev)));
      expect(ok.descriptors.diagnoses.map((d) => d.ok)).toEqual([true]);
    });
  }

  it("silent on every public and bundled capture", async () => {
    const files = [...bundledCaptures(), ...publicCaptures()];
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) {
      const r = await analyzeFile(file);
      for (const d of r.descriptors.diagnoses) expect(d.verdict, file).not.toMatch(/never answered/);
    }
  }, 120_000);
});
