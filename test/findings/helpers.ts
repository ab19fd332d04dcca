// One scenario, every format: the same device and host behaviour written as a raw bus capture (BusSim, pcap
// 293/294/295) and as each URB capture usbscope reads (usbmon 48/64-byte headers, USBPcap, usbmon text).
import { rawCapture, urbCapture, type UrbFormat } from "../../builder/capture.js";
import type { BusSim } from "../../builder/bus.js";
import type { UrbHost } from "../../builder/urb.js";
import type { DeviceModel, EnumerateOptions } from "../../builder/device.js";
import type { ControlFaults } from "../../builder/faults.js";
import type { SetupPacket } from "../../src/usb/model.js";
import { bufferSource } from "../../src/capture/source.js";
import { analyzeSource } from "../../src/analyze.js";
import type { AnalysisResult } from "../../src/result.js";
import type { Finding } from "../../src/usb/finding.js";

export type Format = "raw" | UrbFormat;
export const FORMATS: readonly Format[] = ["raw", "usbmon48", "usbmon64", "usbpcap", "text"];

/** What a scenario does, the same on the wire and in URBs. */
export interface Host {
  enumerate(dev: DeviceModel, opts?: EnumerateOptions): void;
  /** A control request; an IN request without `response` is STALLed by the device. */
  control(dev: DeviceModel, setup: SetupPacket, response?: Uint8Array, faults?: ControlFaults): void;
  bulkIn(dev: DeviceModel, ep: number, data: Uint8Array): void;
  idle(ns: number): void;
}

function rawHost(sim: BusSim): Host {
  return {
    enumerate: (dev, opts) => void sim.enumerate(dev, opts),
    control: (dev, setup, response, faults) => {
      const mps0 = dev.deviceDescriptor[7] ?? 8;
      if (setup.bmRequestType & 0x80) sim.controlRead(dev.address, setup, response, mps0, faults);
      else sim.controlNoData(dev.address, setup, faults);
    },
    bulkIn: (dev, ep, data) => void sim.bulkIn(dev.address, ep, data, 64),
    idle: (ns) => void sim.idle(ns),
  };
}

function urbHost(h: UrbHost): Host {
  return {
    enumerate: (dev, opts) => void h.enumerate(dev, opts),
    control: (dev, setup, response, faults) =>
      void h.control(dev.address, setup, { response, faults, maxPacket0: dev.deviceDescriptor[7] ?? 8 }),
    bulkIn: (dev, ep, data) => void h.bulkIn(dev.address, ep, data),
    idle: (ns) => void h.idle(ns),
  };
}

/** The capture bytes of `scenario` in `format`. */
export function build(format: Format, speed: DeviceModel["speed"], scenario: (h: Host) => void): Uint8Array {
  if (format === "raw") return rawCapture({ speed }, (sim) => scenario(rawHost(sim))).bytes;
  return urbCapture({ format }, (h) => scenario(urbHost(h))).bytes;
}

export async function analyse(bytes: Uint8Array, name = "built"): Promise<AnalysisResult> {
  return analyzeSource(bufferSource(bytes), name);
}

/** "severity RULE" of every finding that is not info. */
export function loud(r: AnalysisResult): string[] {
  return r.findings
    .sorted()
    .filter((f) => f.severity !== "info")
    .map((f) => `${f.severity} ${f.rule} #${f.packet}: ${f.message}`);
}

export function ofRule(r: AnalysisResult, rule: string): Finding[] {
  return r.findings.sorted().filter((f) => f.rule === rule);
}
