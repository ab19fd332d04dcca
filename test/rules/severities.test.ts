// `usbscope rules` lists the severities each rule reports with (issue 11): every finding on the public and
// bundled captures, and on built captures of the cases that report a rule at another severity than its usual
// one, has a severity its rule lists; and each other severity a rule lists is one it really reports with.
import { describe, expect, it } from "vitest";
import path from "node:path";
import { readdirSync } from "node:fs";
import { analyzeFile, analyzeSource } from "../../src/analyze.js";
import { allRules } from "../../src/rules/registry.js";
import { bundledCaptures, publicCaptures, publicDir } from "../helpers/paths.js";
import type { Finding } from "../../src/usb/finding.js";
import { bufferSource } from "../../src/capture/source.js";
import { rawCapture } from "../../builder/capture.js";
import { encodeSetup, setupPacket } from "../../builder/device.js";
import { Pid } from "../../as/shared/constants.js";
import { widgetDevice } from "../helpers/widgetDevice.js";
import { hidCapture } from "../classes/hid.js";
import { compositeGadget } from "../../builder/classDevices.js";
import {
  DfuState,
  DfuStatus,
  busControlHost,
  dfuDownload,
  dfuModeDevice,
  firmwareImage,
} from "../../builder/dfu.js";

const rules = new Map(allRules().map((r) => [r.id, r]));

function textCaptures(): string[] {
  const real = path.join(publicDir, "real");
  return readdirSync(real)
    .filter((f) => /\.(mon|usbmon)$/.test(f))
    .map((f) => path.join(real, f));
}

const dev = widgetDevice;
const VENDOR_IN = encodeSetup(setupPacket(0xc0, 0x33, 0, 0, 4));

/** Built captures of the cases no public capture shows at the other severity. */
const BUILT: Record<string, () => Uint8Array> = {
  // The host's ACK of a control data packet is lost; the device sends the same DATA1 again (§8.6.4): info.
  "a control data retransmission": () =>
    rawCapture({ speed: "full" }, (sim) => {
      sim.enumerate(dev);
      sim.setup(dev.address, 0, VENDOR_IN);
      sim.fault({ pid: Pid.ACK, kind: "drop" });
      sim.in(dev.address, 0, Pid.DATA1, Uint8Array.of(1, 2, 3, 4));
      sim.in(dev.address, 0, Pid.DATA1, Uint8Array.of(1, 2, 3, 4));
      sim.out(dev.address, 0, Pid.DATA1, new Uint8Array(0));
    }).bytes,
  // The capture ends between a control read's data and status stages: info.
  "a control transfer cut by the capture's end": () =>
    rawCapture({ speed: "full" }, (sim) => {
      sim.enumerate(dev);
      sim.controlRead(dev.address, VENDOR_IN, Uint8Array.of(1, 2, 3, 4), 64, { noStatus: true });
    }).bytes,
  // A HID report longer than its report ID's declared size: the extra bytes are ignored, info.
  "a HID report longer than declared": () =>
    hidCapture("usbmon", (h) => h.input(2, Uint8Array.of(2, 0xe9, 0, 0, 0))),
  // A DFU error status left from before the capture, which the host clears before its download: info.
  "a DFU error left from before the capture": () =>
    rawCapture({ speed: "full" }, (sim) => {
      sim.enumerate(dfuModeDevice());
      dfuDownload(busControlHost(sim), {
        image: firmwareImage(100),
        initial: { bStatus: DfuStatus.errSTALLEDPKT, bState: DfuState.dfuERROR },
      });
    }).bytes,
  // A UAC2 function without its IAD: Linux refuses it too, so IAD_MISSING is an error.
  "a UAC2 function without an IAD": () =>
    rawCapture({ speed: "full" }, (sim) => {
      sim.enumerate(compositeGadget({ uac2: true, audioIad: false }));
    }).bytes,
};

describe("the severities usbscope rules lists are those the rules report with", () => {
  const seen = new Map<string, Set<string>>();
  const files = [...bundledCaptures(), ...publicCaptures(), ...textCaptures(), ...Object.keys(BUILT)];
  it(`every finding on ${files.length} captures has a severity its rule lists`, async () => {
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) {
      const built = BUILT[file];
      const r = built ? await analyzeSource(bufferSource(built()), file) : await analyzeFile(file);
      for (const f of r.findings.sorted() as Finding[]) {
        const rule = rules.get(f.rule);
        expect(rule, `${f.rule} is registered`).toBeDefined();
        expect(rule!.severities, `${path.basename(file)}: ${f.severity} ${f.rule}: ${f.message}`).toContain(
          f.severity,
        );
        const s = seen.get(f.rule) ?? new Set();
        s.add(f.severity);
        seen.set(f.rule, s);
      }
    }
  }, 120_000);
  it("each other severity a rule lists is one it reported with above", () => {
    expect(seen.size).toBeGreaterThan(10);
    for (const r of rules.values())
      for (const s of r.otherSeverities ?? [])
        expect([...(seen.get(r.id) ?? [])], `${r.id} ${s}`).toContain(s);
  });
});
