// Bounded at any size: the JSON document lists the first N of each list and states how many more there are
// (README "The JSON contract"), and the analysis holds a bounded number of devices, settling the least
// recently active early without changing what is found. The memory itself is measured by `npm run bench`
// (scale rows), never asserted here.
import { describe, it, expect } from "vitest";
import { MemorySink } from "../../builder/sink.js";
import { UsbmonPcapWriter } from "../../builder/usbmon.js";
import { UrbHost } from "../../builder/urb.js";
import { urbCapture } from "../../builder/capture.js";
import { analyzeSource } from "../../src/analyze.js";
import { bufferSource } from "../../src/capture/source.js";
import { analysisJson } from "../../src/report/json.js";
import { analysisText } from "../../src/report/text.js";
import { MAX_OPEN_DEVICES } from "../../src/devices/descriptorLayer.js";
import { widgetDevice } from "../helpers/widgetDevice.js";
import { cli } from "../helpers/cli.js";

interface Doc {
  controlTransfers: unknown[];
  controlTransfersNotListed?: number;
  devices: { address: number; bus: number }[];
  devicesNotListed?: number;
  diagnoses: { device: number; bus: number; ok: boolean }[];
  summary: { controlTransfers: number; findingsByRule: Record<string, number> };
  findingsNotListed?: Record<string, number>;
}

describe("the lists of the JSON document are capped, the rest counted", () => {
  it("12,000 control transfers: the first 10,000 listed, the count of the others stated; transfers --json streams all", async () => {
    const { bytes } = urbCapture({ format: "usbmon64" }, (h) => {
      h.enumerate(widgetDevice);
      for (let i = 0; i < 12_000; i++)
        h.control(
          5,
          { bmRequestType: 0xc0, bRequest: 1, wValue: i, wIndex: 0, wLength: 4 },
          {
            response: new Uint8Array([1, 2, 3, 4]),
          },
        );
    });
    const r = await cli(["analyze", "--json", "-"], bytes);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as Doc;
    const total = doc.summary.controlTransfers;
    expect(total).toBeGreaterThan(12_000);
    expect(doc.controlTransfers).toHaveLength(10_000);
    expect(doc.controlTransfersNotListed).toBe(total - 10_000);
    const t = await cli(["transfers", "--json", "-"], bytes);
    expect(t.out.trim().split("\n")).toHaveLength(total);
  });

  it("more devices than are held at once: each is checked once, the first 1000 listed in order, the rest counted", async () => {
    // 1,100 devices on 10 buses, each STALLing its configuration read (CFG_READ_FAIL and an enumeration that
    // stops), so every device has findings and a failed diagnosis: more than MAX_OPEN_DEVICES are held.
    const n = 1100;
    expect(n).toBeGreaterThan(MAX_OPEN_DEVICES);
    const mem = new MemorySink();
    const writer = new UsbmonPcapWriter(mem.sink);
    for (let i = 0; i < n; i++) {
      const host = new UrbHost(writer, {
        busnum: 1 + Math.floor(i / 110),
        start: { sec: 1_700_000_000 + i, nsec: 0 },
      });
      host.enumerate(
        { ...widgetDevice, address: 1 + (i % 110) },
        { faults: { config9: { stall: "setup" } } },
      );
    }
    writer.close();
    const one = urbCapture({ format: "usbmon64" }, (h) =>
      h.enumerate(widgetDevice, { faults: { config9: { stall: "setup" } } }),
    );
    const single = await analyzeSource(bufferSource(one.bytes), "one");
    const r = await analyzeSource(bufferSource(mem.toBytes()), "many");
    // Every device was checked exactly once, whether it was settled early or at the end.
    for (const [rule, count] of single.findings.countByRule)
      expect(r.findings.countByRule.get(rule), rule).toBe(count * n);
    expect(single.findings.countByRule.size).toBeGreaterThan(0);
    const doc = analysisJson(r) as unknown as Doc;
    expect(doc.devices).toHaveLength(1000);
    expect(doc.diagnoses).toHaveLength(1000);
    expect(doc.devicesNotListed).toBe(100);
    doc.devices.forEach((d, i) =>
      expect([d.bus, d.address]).toEqual([1 + Math.floor(i / 110), 1 + (i % 110)]),
    );
    doc.diagnoses.forEach((d, i) =>
      expect([d.bus, d.device, d.ok]).toEqual([1 + Math.floor(i / 110), 1 + (i % 110), false]),
    );
    const text = analysisText(r);
    expect(text.match(/^ {2}FAIL bus \d+ device/gm)).toHaveLength(1000);
    expect(text).toContain("  … and 100 more devices, checked but not listed\n");
    // The findings list keeps its own cap (1000 per rule).
    for (const [rule, count] of Object.entries(doc.summary.findingsByRule))
      if (count > 1000) expect(doc.findingsNotListed?.[rule]).toBe(count - 1000);
  });
});
