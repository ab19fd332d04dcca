// The descriptor layer in live use (onDevice): devices reported as soon as their enumeration is over, rules
// run then, finish() adding only what came later, replaced devices dropped; and the same findings as a
// whole-file analysis.
import { describe, expect, it } from "vitest";
import path from "node:path";
import { readdirSync } from "node:fs";
import { analyzeFile, analyzeSource } from "../../src/analyze.js";
import { bufferSource } from "../../src/capture/source.js";
import {
  UrbHost,
  UsbmonTextWriter,
  configuration,
  enumerationSteps,
  deviceDescriptor,
  endpointDesc,
  interfaceDesc,
  setupPacket,
  type DeviceModel,
} from "../../builder/index.js";
import type { Finding } from "../../src/usb/finding.js";
import { publicDir } from "../helpers/paths.js";

function model(address: number, o: { idProduct?: number; iInterface?: number } = {}): DeviceModel {
  return {
    speed: "full",
    address,
    deviceDescriptor: deviceDescriptor({ idProduct: o.idProduct ?? 1, iProduct: 2 }),
    configDescriptor: configuration({}, [
      interfaceDesc({ iInterface: o.iInterface ?? 0 }, [
        endpointDesc({ bEndpointAddress: 0x81, bmAttributes: 3, wMaxPacketSize: 8, bInterval: 10 }),
      ]),
    ]),
    strings: { 2: "P" },
  };
}

function textOf(build: (h: UrbHost) => void): Uint8Array {
  const w = new UsbmonTextWriter();
  build(new UrbHost(w, { busnum: 1 }));
  return new TextEncoder().encode(w.text());
}

type Ev =
  | { kind: "ct"; index: number; request: string }
  | { kind: "finding"; f: Finding }
  | {
      kind: "device";
      address: number;
      ok: boolean;
      enumerationSeen: boolean;
      bus?: number;
      reached?: string;
    };

async function liveEvents(bytes: Uint8Array, forget = false, full = false) {
  const events: Ev[] = [];
  let cts = 0;
  const r = await analyzeSource(bufferSource(bytes), "t", {
    forgetReplacedDevices: forget,
    onFinding: (f) => events.push({ kind: "finding", f }),
    onControlTransfer: (ct) => events.push({ kind: "ct", index: cts++, request: ct.request }),
    onDevice: (report, diagnosis, d) =>
      events.push({
        kind: "device",
        address: report.address,
        ok: diagnosis.ok,
        enumerationSeen: d.enumerationSeen,
        ...(full ? { bus: report.bus, reached: diagnosis.reached } : {}),
      }),
  });
  return { r, events };
}

const key = (f: Finding) => `${f.rule}|${f.packet}|${f.message}`;

describe("descriptor layer, live use", () => {
  it("reports a device at its SET_CONFIGURATION, with the rules' findings for what was read so far", async () => {
    const bytes = textOf((h) => {
      h.enumerate(model(5), { faults: { config9: { stall: "data" } } });
      h.interruptIn(5, 1, Uint8Array.of(1));
      h.enumerate(model(6));
    });
    const { events } = await liveEvents(bytes);
    const at = events.findIndex((e) => e.kind === "device");
    // onControlTransfer runs after the descriptor layer took the transfer: the device comes just before SET_CONFIGURATION's.
    expect(events[at + 1]).toMatchObject({ kind: "ct", request: expect.stringMatching(/SET_CONFIGURATION/) });
    expect(events[at]).toEqual({ kind: "device", address: 5, ok: false, enumerationSeen: true });
    const cfgFail = events.findIndex((e) => e.kind === "finding" && e.f.rule === "CFG_READ_FAIL");
    expect(cfgFail).toBeGreaterThan(-1);
    expect(cfgFail).toBeLessThan(at);
    // The second device too, at its own SET_CONFIGURATION, not at the end.
    const devices = events.filter((e) => e.kind === "device");
    expect(devices).toEqual([
      { kind: "device", address: 5, ok: false, enumerationSeen: true },
      { kind: "device", address: 6, ok: true, enumerationSeen: true },
    ]);
    expect(events[events.length - 1]).toMatchObject({
      kind: "ct",
      request: expect.stringMatching(/SET_CONFIGURATION/),
    });
  });

  it("a later read's finding comes at finish(), once; findings made at SET_CONFIGURATION are not repeated", async () => {
    const bytes = textOf((h) => {
      h.enumerate(model(5, { iInterface: 4 }), { faults: { config9: { stall: "data" } } });
      // After SET_CONFIGURATION a driver reads iInterface: an odd bLength (STR_FORMAT).
      h.control(5, setupPacket(0x80, 6, 0x0304, 0x0409, 255), {
        response: Uint8Array.of(5, 3, 0x41, 0, 0x42),
      });
    });
    const { r, events } = await liveEvents(bytes);
    const whole = await analyzeSource(bufferSource(bytes), "t");
    const findings = events.flatMap((e) => (e.kind === "finding" ? [e.f] : []));
    expect(findings.map(key).sort()).toEqual(whole.findings.kept.map(key).sort());
    expect(new Set(findings.map(key)).size).toBe(findings.length);
    const device = events.findIndex((e) => e.kind === "device");
    const str = events.findIndex((e) => e.kind === "finding" && e.f.rule === "STR_FORMAT");
    expect(str).toBeGreaterThan(device);
    expect(r.descriptors.devices).toHaveLength(1);
    expect(r.descriptors.hits.map((h) => h.finding.rule).sort()).toEqual(
      whole.descriptors.hits.map((h) => h.finding.rule).sort(),
    );
  });

  it("a device that never gets configured is reported when another device takes its address", async () => {
    const bytes = textOf((h) => {
      // A device whose SET_ADDRESS STALLs stays at address 0; then another one (other idProduct) is plugged in.
      h.enumerate(model(5, { idProduct: 0x10 }), {
        faults: { setAddress: { stall: "data" } },
        stopAfter: "setAddress",
      });
      h.idle(1e9);
      h.enumerate(model(6, { idProduct: 0x20 }), { stopAfter: "device64" });
    });
    const { events } = await liveEvents(bytes);
    const devices = events.flatMap((e, i) => (e.kind === "device" ? [{ i, ...e }] : []));
    expect(devices.map((d) => [d.address, d.ok])).toEqual([
      [0, false],
      [0, true],
    ]);
    // The first one as soon as the second one's device descriptor arrived, the second one at the end.
    const cts = events.flatMap((e, i) => (e.kind === "ct" ? [i] : []));
    expect(devices[0]!.i).toBe(cts[2]! - 1);
    expect(devices[1]!.i).toBeGreaterThan(cts[2]!);
  });

  it("an enumeration that fails after SET_ADDRESS is reported when the next enumeration starts on the bus (Linux retries with a new address)", async () => {
    const bytes = textOf((h) => {
      // Linux: "device descriptor read/all, error -32", then a port reset and a new attempt as device 6.
      h.enumerate(model(5), {
        faults: { device18: { stall: "data" }, config9: { stall: "data" }, configAll: { stall: "data" } },
        stopAfter: "configAll",
      });
      h.idle(500e6);
      h.enumerate(model(6));
    });
    const { events } = await liveEvents(bytes);
    const cts = events.flatMap((e, i) => (e.kind === "ct" ? [{ i, request: e.request }] : []));
    const devices = events.flatMap((e, i) => (e.kind === "device" ? [{ i, ...e }] : []));
    expect(devices.map((d) => [d.address, d.ok])).toEqual([
      [5, false],
      [6, true],
    ]);
    // Device 5 right when the second attempt's first request (GET_DESCRIPTOR at address 0) arrives: the 6th transfer.
    expect(devices[0]!.i).toBe(cts[5]!.i - 1);
    expect(cts[5]!.request).toMatch(/GET_DESCRIPTOR/);
  });

  it("a device still enumerating is not reported early by another bus's enumeration", async () => {
    const w = new UsbmonTextWriter();
    const bus1 = new UrbHost(w, { busnum: 1 });
    const bus2 = new UrbHost(w, { busnum: 2 });
    // Bus 1's enumeration is cut in two by bus 2's whole enumeration (two host controllers work in parallel).
    const steps = enumerationSteps(model(5));
    const cut = steps.findIndex((st) => st.name === "device18") + 1;
    const issue = (st: (typeof steps)[number]) =>
      bus1.control(st.address, st.setup, {
        response: st.response,
        maxPacket0: 64,
        hostMaxPacket0: st.hostMaxPacket0,
      });
    steps.slice(0, cut).forEach(issue);
    bus2.idle(1e9);
    bus2.enumerate(model(5));
    bus1.idle(2e9);
    steps.slice(cut).forEach(issue);
    const { events } = await liveEvents(new TextEncoder().encode(w.text()), false, true);
    const devices = events.filter((e) => e.kind === "device");
    // Bus 2's device first (its SET_CONFIGURATION), then bus 1's single device when it is configured.
    expect(events.filter((e) => e.kind === "ct")).toHaveLength(16);
    expect(devices).toEqual([
      { kind: "device", address: 5, ok: true, enumerationSeen: true, bus: 2, reached: "configured" },
      { kind: "device", address: 5, ok: true, enumerationSeen: true, bus: 1, reached: "configured" },
    ]);
  });

  it("forgetReplacedDevices drops re-enumerated devices once reported: the result keeps only the current one, findings are the same", async () => {
    const bytes = textOf((h) => {
      for (let i = 0; i < 5; i++) {
        h.enumerate(model(5), { faults: { config9: { stall: "data" } } });
        h.idle(1e9);
      }
    });
    const kept = await liveEvents(bytes, false);
    const dropped = await liveEvents(bytes, true);
    expect(kept.events.filter((e) => e.kind === "device")).toHaveLength(5);
    expect(dropped.events.filter((e) => e.kind === "device")).toHaveLength(5);
    expect(kept.r.descriptors.devices).toHaveLength(5);
    expect(dropped.r.descriptors.devices).toHaveLength(1);
    expect(dropped.r.descriptors.tracked).toHaveLength(1);
    expect(Object.fromEntries(dropped.r.findings.countByRule)).toEqual(
      Object.fromEntries(kept.r.findings.countByRule),
    );
    expect(dropped.r.findings.countByRule.get("CFG_READ_FAIL")).toBe(5);
  });

  const urbCaptures = readdirSync(path.join(publicDir, "real"))
    .filter((f) => /^(220|249|text)-/.test(f))
    .map((f) => path.join(publicDir, "real", f));
  it.each(urbCaptures.map((f) => [path.basename(f), f]))(
    "%s: the same findings per rule live (with and without dropping replaced devices) as in a whole-file analysis; each device reported once",
    async (_name, file) => {
      const whole = await analyzeFile(file);
      let reported = 0;
      const live = await analyzeFile(file, {
        onDevice: () => reported++,
        keepControlTransfers: false,
        maxFindingsPerRule: 0,
      });
      const forget = await analyzeFile(file, {
        onDevice: () => {},
        forgetReplacedDevices: true,
        keepControlTransfers: false,
        maxFindingsPerRule: 0,
      });
      const counts = Object.fromEntries([...whole.findings.countByRule].sort());
      expect(Object.fromEntries([...live.findings.countByRule].sort())).toEqual(counts);
      expect(Object.fromEntries([...forget.findings.countByRule].sort())).toEqual(counts);
      expect(reported).toBe(whole.descriptors.devices.length);
      expect(live.descriptors.diagnoses.map((d) => d.verdict)).toEqual(
        whole.descriptors.diagnoses.map((d) => d.verdict),
      );
    },
  );
});
