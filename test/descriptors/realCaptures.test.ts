// The descriptor layer on the public real captures, fed by the packet layer (raw 288/293-295) or the URB
// layer (usbmon 220, USBPcap 249): it never throws, clean devices stay clean, and the quirks these devices
// really have are found.
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ControlTransfer, Speed } from "../../src/usb/model.js";
import { readCapture } from "../transfers/helpers/pcapReader.js";
import { runRecords } from "../transfers/helpers/context.js";
import { slurpCapture } from "../helpers/pcapSlurp.js";
import { slurpedBatches } from "../helpers/recordBatch.js";
import { recordingContext } from "../urb/helpers/context.js";
import { UrbLayer } from "../../src/urb/urbLayer.js";
import { DescriptorLayer, type DescriptorLayerResult } from "../../src/devices/descriptorLayer.js";
import { renderDevice } from "../../src/report/descriptorTree.js";
import { publicDir } from "../helpers/paths.js";
import { descriptorRules } from "../../src/rules/descriptor/index.js";

const DIR = path.join(publicDir, "real");
const SPEEDS: Record<number, Speed> = { 293: "low", 294: "full", 295: "high" };

function controlsOf(file: string): { controls: ControlTransfer[]; speed: Speed } {
  const lt = Number(file.slice(0, 3));
  const speed = SPEEDS[lt] ?? "unknown";
  if (lt === 220 || lt === 249) {
    const cap = slurpCapture(path.join(DIR, file));
    const rc = recordingContext();
    const layer = new UrbLayer(rc.ctx, { littleEndian: cap.littleEndian });
    for (const b of slurpedBatches(cap, 4096)) layer.onBatch(b);
    layer.onEnd();
    return { controls: rc.transfers, speed };
  }
  return {
    controls: runRecords(readCapture(path.join(DIR, file)), {
      speed,
      learnEndpointTypes: true,
      batchSize: 4096,
    }).controls,
    speed,
  };
}

const cache = new Map<string, DescriptorLayerResult>();
function analyse(file: string): DescriptorLayerResult {
  let r = cache.get(file);
  if (!r) {
    const { controls, speed } = controlsOf(file);
    const layer = new DescriptorLayer(speed, descriptorRules);
    for (const c of controls) layer.onControlTransfer(c);
    r = layer.finish();
    cache.set(file, r);
  }
  return r;
}

const messages = (r: DescriptorLayerResult, rule: string) =>
  r.hits.filter((h) => h.finding.rule === rule).map((h) => h.finding.message);

describe("descriptor layer on the real captures", () => {
  const files = readdirSync(DIR)
    .filter((f) => /^\d{3}-/.test(f))
    .sort();

  for (const f of files) {
    it(`${f}: analyses, renders and diagnoses every device without throwing`, () => {
      const r = analyse(f);
      expect(r.devices.length).toBe(r.diagnoses.length);
      r.tracked.forEach((d, i) => expect(renderDevice(d, r.hitsByDevice[i]).length).toBeGreaterThan(0));
      expect(JSON.parse(JSON.stringify(r.devices)).length).toBe(r.devices.length);
    });
  }

  it("finds nothing wrong with the micro:bit DAPLink and reads its WebUSB BOS", () => {
    const r = analyse("249-microbit-daplink-bos-webusb-hub.pcapng");
    const i = r.tracked.findIndex((d) => d.device?.descriptor.idVendor === 0x0d28);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(r.hitsByDevice[i]!.map((h) => h.finding.message)).toEqual([]);
    expect(r.diagnoses[i]!.ok).toBe(true);
    expect(r.tracked[i]!.bos!.descriptor.capabilities.map((c) => c.name)).toEqual([
      "Platform (WebUSB)",
      "Platform (Microsoft OS 2.0)",
    ]);
    expect(r.devices[i]!.speed).toBe("full");
  });

  it("finds the DigiTech device's interface numbering gap and odd string lengths", () => {
    const r = analyse("249-usbpcap-official-sample-digitech.pcap");
    expect(messages(r, "IF_NUMBERING")).toContain(
      "configuration 1 has no interface number 3 (interfaces are 0, 1, 2, 6, 7)",
    );
    expect(messages(r, "STR_FORMAT")).toContain("string 3: bLength is 45; it must be even and at least 2");
  });

  it("finds the NUL characters the ESP32-S3 JTAG/serial unit puts in its strings", () => {
    expect(
      messages(analyse("288-esp32s3-jtag-serial-cdc-badge.pcap"), "STR_FORMAT").some((m) =>
        m.includes("contains a NUL character"),
      ),
    ).toBe(true);
  });

  it("finds the 17-byte device descriptor the Egis fingerprint reader returns", () => {
    expect(messages(analyse("220-egis0570-fingerprint-bulk.pcapng"), "CTRL_DESC_TRUNCATION")).toContain(
      "GET_DESCRIPTOR(DEVICE) asked for 273 bytes of a 18-byte descriptor but got 17",
    );
  });

  it("follows the HackRF from address 0 to configured, and reports the enumeration timeline", () => {
    const r = analyse("288-hackrf-one-connect-enum.pcap");
    const i = r.tracked.findIndex((d) => d.enumerationSeen);
    expect(r.diagnoses[i]!.reached).toBe("configured");
    const steps = r.devices[i]!.timeline.map((s) => s.step);
    expect(steps[0]).toMatch(/^GET_DESCRIPTOR DEVICE/);
    expect(steps).toContain(`SET_ADDRESS ${r.devices[i]!.address}`);
    expect(steps.some((s) => s.startsWith("SET_CONFIGURATION"))).toBe(true);
    expect(
      r.devices[i]!.timeline.slice(1).every((s) => s.sincePreviousMs !== undefined && s.sincePreviousMs >= 0),
    ).toBe(true);
  });
});
