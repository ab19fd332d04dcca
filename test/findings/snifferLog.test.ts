// ataradov's usb-sniffer: its LINKTYPE 252 log interface is read as bus events (a reset cuts the control
// transfer in flight, the chirp gives the speed, folded frames are counted), its records are analysed, not
// "other link types", and a one-byte glitch next to a logged line-state change is the sniffer's, not the
// device's: a capture note. The same byte among ordinary traffic is still PID_INVALID.
import { describe, expect, it } from "vitest";
import path from "node:path";
import { LinkType, Pid } from "../../as/shared/constants.js";
import { BusSim, pcapngInterface } from "../../builder/bus.js";
import { usbSnifferLog } from "../../builder/busEvent.js";
import { PcapngWriter } from "../../builder/pcapng.js";
import { MemorySink } from "../../builder/sink.js";
import { analyzeFile } from "../../src/analyze.js";
import { snifferLogEvent } from "../../src/packets/snifferLog.js";
import { BusEvent } from "../../src/packets/busEvents.js";
import { publicDir } from "../helpers/paths.js";
import { widgetDevice } from "../helpers/widgetDevice.js";
import { analyse, ofRule } from "./helpers.js";

const START = { sec: 1_700_000_000, nsec: 0 };

/** A full-speed capture with usb-sniffer's two interfaces; `log(text)` writes a log line at the bus's time. */
function capture(scenario: (sim: BusSim, log: (text: string) => void) => void): Uint8Array {
  const mem = new MemorySink();
  const w = new PcapngWriter(mem.sink);
  const usb = w.addInterface({ linktype: LinkType.USB_2_0_FULL_SPEED, tsresol: "ns" });
  const logIf = w.addInterface({ linktype: LinkType.WIRESHARK_UPPER_PDU, tsresol: "ns" });
  const sim = new BusSim(pcapngInterface(w, usb), { speed: "full", sof: false, start: START });
  const log = (text: string) => {
    const ns = START.nsec + Math.round(sim.now);
    w.writeEnhanced(logIf, START.sec + Math.floor(ns / 1e9), ns % 1e9, usbSnifferLog(text));
  };
  scenario(sim, log);
  w.close();
  return mem.toBytes();
}

describe("usb-sniffer's log lines", () => {
  it("name the events Cynthion's custom blocks carry", () => {
    expect(snifferLogEvent("--- Bus Reset ---")).toBe(BusEvent.BUS_RESET);
    expect(snifferLogEvent("VBUS ON")).toBe(BusEvent.VBUS_VALID);
    expect(snifferLogEvent("Detected speed: High-Speed")).toBe(BusEvent.SPEED_HIGH);
    expect(snifferLogEvent("Line state: SE0 (568.60 us)")).toBe(BusEvent.LINE_SE0);
    expect(snifferLogEvent("Line state: K [single] (1.22 ms)")).toBe(BusEvent.LINE_CHIRP_K);
    expect(snifferLogEvent("Line state: J [both] (49.00 us)")).toBe(BusEvent.LINE_CHIRP_J);
    expect(snifferLogEvent("Folded 76 empty frames")).toBe(BusEvent.FRAMES_FOLDED);
    expect(snifferLogEvent("Periodic update")).toBeUndefined();
  });

  it("a logged bus reset ends the control transfer in flight, as a custom block's does", async () => {
    const r = await analyse(
      capture((sim, log) => {
        sim.enumerate(widgetDevice, { strings: false });
        sim.setup(5, 0, Uint8Array.of(0x80, 6, 0, 1, 0, 0, 18, 0));
        sim.in(5, 0, Pid.DATA1, new Uint8Array(18).fill(1));
        log("--- Bus Reset ---");
      }),
    );
    expect(r.busEvents.counts.get("bus reset")).toBe(1);
    const told = r.findings.sorted().filter((f) => /status stage/.test(f.message));
    expect(told).toHaveLength(1);
    expect(told[0]!.message).toMatch(/reset the bus before the status stage/);
    // Read, not skipped: no record of another link type.
    expect(r.recordAccounting.otherLinkTypes).toBe(0);
    expect(r.recordAccounting.analysed).toBe(r.recordAccounting.read);
  });

  it("a one-byte bad PID next to a logged line state is CAPTURE_GLITCH (info); among traffic it is PID_INVALID", async () => {
    const glitch = await analyse(
      capture((sim, log) => {
        log("Line state: SE0 (20.03 us)");
        sim.emit(Uint8Array.of(0xef));
        log("Line state: J (1.07 us)");
        sim.enumerate(widgetDevice, { strings: false });
      }),
    );
    expect(ofRule(glitch, "CAPTURE_GLITCH").map((f) => [f.severity, f.packet, f.occurrences])).toEqual([
      ["info", 1, 1],
    ]);
    expect(ofRule(glitch, "PID_INVALID")).toEqual([]);
    const real = await analyse(
      capture((sim, log) => {
        log("Line state: J (1.07 us)");
        sim.enumerate(widgetDevice, { strings: false });
        sim.emit(Uint8Array.of(0xef));
        sim.enumerate(widgetDevice, { strings: false });
      }),
    );
    expect(ofRule(real, "PID_INVALID").map((f) => f.severity)).toEqual(["error"]);
    expect(ofRule(real, "CAPTURE_GLITCH")).toEqual([]);
  });

  it("the public high-speed flash drive capture: events decoded, its 0xEF glitch a note, every record analysed", async () => {
    const r = await analyzeFile(path.join(publicDir, "real", "295-hs-flash-drive-msc-usbsniffer.pcapng"));
    expect(r.busEvents.counts.get("bus reset")).toBe(3);
    expect(r.busEvents.counts.get("speed changed to high")).toBe(2);
    expect(r.busEvents.counts.get("chirp K line state")).toBeGreaterThan(1000);
    // Chirp bits and folded frames are counted, not listed.
    expect(r.busEvents.list.some((e) => e.event.startsWith("chirp"))).toBe(false);
    expect(ofRule(r, "CAPTURE_GLITCH").map((f) => [f.packet, f.severity])).toEqual([[36, "info"]]);
    expect(ofRule(r, "PID_INVALID")).toEqual([]);
    expect(r.recordAccounting.otherLinkTypes).toBe(0);
    expect(r.recordAccounting.interfaces.map((i) => [i.linktype, i.read === i.analysed])).toEqual([
      [295, true],
      [252, true],
    ]);
  });
});
