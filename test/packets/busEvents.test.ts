// Bus events from a sniffer (Cynthion via Packetry: pcapng custom blocks): decoded as Packetry itself
// lists them in its test suite's reference output, and applied: a bus reset returns every endpoint's
// toggle to DATA0 (TOGGLE_RESET_DATA0, both ways) and ends the requests in flight.
import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LinkType, Pid } from "../../as/shared/constants.js";
import { analyzeFile, analyzeSource } from "../../src/analyze.js";
import { BusSim, pcapngInterface } from "../../builder/bus.js";
import { PACKETRY_PEN, packetryEvent } from "../../builder/busEvent.js";
import { configuration, deviceDescriptor, endpointDesc, interfaceDesc } from "../../builder/descriptors.js";
import { PcapngWriter } from "../../builder/pcapng.js";
import { MemorySink } from "../../builder/sink.js";
import { bufferSource } from "../../src/capture/source.js";
import { readCapture } from "../../src/capture/reader.js";
import { BUS_EVENT_NAMES, BusEvent } from "../../src/packets/busEvents.js";
import { PacketLines } from "../../src/report/packetLines.js";
import { publicDir } from "../helpers/paths.js";
import { slurpCapture } from "../helpers/pcapSlurp.js";

/** Packetry's names for its events (its src/event.rs Display), as its reference.txt prints them. */
const PACKETRY_NAMES: Record<string, string> = {
  "capture started at low speed": "Capture started at Low Speed (1.5 Mbps)",
  "capture started at full speed": "Capture started at Full Speed (12 Mbps)",
  "capture started at high speed": "Capture started at High Speed (480 Mbps)",
  "speed changed to low": "Speed changed to Low Speed (1.5 Mbps)",
  "speed changed to full": "Speed changed to Full Speed (12 Mbps)",
  "SE0 line state": "SE0 line state detected",
  "low-speed idle (J) line state": "Low Speed idle state detected",
  suspend: "Bus entered suspend",
  "bus reset": "Bus reset",
  "device attached at low speed": "Device attached at Low Speed",
  "capture stopped": "Capture stopped by request",
};

describe("Cynthion bus events in Packetry's captures", () => {
  for (const name of ["ls-keepalive-divided-transaction", "ls-keepalive-more-divided-transactions"]) {
    it(`lists the events of ${name} as Packetry does, and counts every keepalive`, async () => {
      const dir = path.join(publicDir, "packetry", name);
      const r = await analyzeFile(path.join(dir, "capture.pcapng"));
      const reference = readFileSync(path.join(dir, "reference.txt"), "utf8").split("\n");
      const known = new Set(Object.values(PACKETRY_NAMES));
      const refEvents = reference
        .filter((l) => l.startsWith("○ ") && known.has(l.slice(2)))
        .map((l) => l.slice(2));
      expect(refEvents.length).toBeGreaterThan(5);
      expect(r.busEvents.list.map((e) => PACKETRY_NAMES[e.event] ?? e.event)).toEqual(refEvents);
      // Packetry's printed tree is cut short on long captures, so the keepalives are counted from the
      // file here, by an independent walk: every Great Scott Gadgets custom block with event code 30.
      const cap = slurpCapture(path.join(dir, "capture.pcapng"));
      const dv = new DataView(cap.bytes.buffer, cap.bytes.byteOffset, cap.bytes.byteLength);
      const keepalives = cap.records.filter(
        (rec) =>
          rec.linktype === LinkType.PCAPNG_CUSTOM_BLOCK &&
          dv.getUint32(rec.dataOffset - 4, cap.littleEndian) === PACKETRY_PEN &&
          dv.getUint16(rec.dataOffset + 2, cap.littleEndian) === 30,
      ).length;
      expect(keepalives).toBeGreaterThan(1000);
      expect(r.busEvents.counts.get("low-speed keepalive")).toBe(keepalives);
      // Times are the blocks' own: increasing, and the first bus reset after the capture started.
      const times = r.busEvents.list.map((e) => e.time.sec * 1e9 + e.time.nsec);
      for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]!);
    });
  }
});

const START = { sec: 1_700_000_000, nsec: 0 };

/**
 * A low-speed keyboard-like device enumerated on LINKTYPE_USB_2_0 (no speed in the link type, no SOFs
 * at low speed), with a capture-start event saying low speed when `event` is set.
 */
function lowSpeedCapture(event: boolean, bInterval: number): Uint8Array {
  const mem = new MemorySink();
  const w = new PcapngWriter(mem.sink);
  const id = w.addInterface({ linktype: LinkType.USB_2_0, tsresol: "ns" });
  if (event) w.addCustom(PACKETRY_PEN, packetryEvent(BusEvent.CAPTURE_START_LOW, START), false);
  const sim = new BusSim(pcapngInterface(w, id), { speed: "low", start: START });
  sim.enumerate(
    {
      speed: "low",
      address: 3,
      deviceDescriptor: deviceDescriptor({
        bcdUSB: 0x0110,
        bMaxPacketSize0: 8,
        idVendor: 0x1209,
        idProduct: 0x0002,
      }),
      configDescriptor: configuration({}, [
        interfaceDesc({ bInterfaceNumber: 0, bInterfaceClass: 0xff }, [
          endpointDesc({ bEndpointAddress: 0x81, bmAttributes: 3, wMaxPacketSize: 8, bInterval }),
        ]),
      ]),
    },
    { strings: false },
  );
  w.close();
  return mem.toBytes();
}

describe("the speed a capture-start event states", () => {
  it("is the capture's speed when the link type does not say, so the low-speed rules apply", async () => {
    const said = await analyzeSource(bufferSource(lowSpeedCapture(true, 1)), "event");
    expect(said.speed).toBe("low");
    // §9.6.6: a low-speed interrupt endpoint polls at 10 ms at the most often.
    expect(said.findings.sorted().filter((f) => f.rule === "EP_BINTERVAL")).toHaveLength(1);
    const fine = await analyzeSource(bufferSource(lowSpeedCapture(true, 10)), "fine");
    expect(fine.speed).toBe("low");
    expect(fine.findings.sorted().filter((f) => f.rule === "EP_BINTERVAL")).toEqual([]);
    // Without the event nothing says low speed, and the rule cannot judge.
    const unsaid = await analyzeSource(bufferSource(lowSpeedCapture(false, 1)), "no event");
    expect(unsaid.speed).toBe("unknown");
    expect(unsaid.findings.sorted().filter((f) => f.rule === "EP_BINTERVAL")).toEqual([]);
  });

  it("makes Packetry's low-speed keyboard capture low speed, where its 1 ms bInterval is out of range", async () => {
    const r = await analyzeFile(path.join(publicDir, "real", "288-ls-keyboard-keepalive-divided.pcapng"));
    expect(r.speed).toBe("low");
    const hits = r.findings
      .sorted()
      .filter((f) => f.rule === "EP_BINTERVAL")
      .map((f) => f.message);
    expect(hits).toHaveLength(2);
    expect(hits[0]).toMatch(/interrupt endpoint 0x81: bInterval 1 is below 10 ms/);
    expect(hits[1]).toMatch(/interrupt endpoint 0x82: bInterval 1 is below 10 ms/);
  });
});

/**
 * A high-speed device at address 5 with a bulk IN endpoint 0x81, configured; then `scenario` on the
 * bus, where `reset()` writes a bus-reset event at the current bus time.
 */
function capture(byteOrder: "le" | "be", scenario: (sim: BusSim, reset: () => void) => void): Uint8Array {
  const mem = new MemorySink();
  const w = new PcapngWriter(mem.sink, { byteOrder });
  const id = w.addInterface({ linktype: LinkType.USB_2_0_HIGH_SPEED, tsresol: "ns" });
  const sim = new BusSim(pcapngInterface(w, id), { speed: "high", sof: false, start: START });
  sim.enumerate(
    {
      speed: "high",
      address: 5,
      deviceDescriptor: deviceDescriptor({
        bcdUSB: 0x0200,
        bMaxPacketSize0: 64,
        idVendor: 0x1209,
        idProduct: 0x0001,
      }),
      configDescriptor: configuration({}, [
        interfaceDesc({ bInterfaceNumber: 0, bInterfaceClass: 0xff }, [
          endpointDesc({ bEndpointAddress: 0x81, bmAttributes: 2, wMaxPacketSize: 512 }),
        ]),
      ]),
    },
    { strings: false },
  );
  const reset = () => {
    const ns = START.nsec + Math.round(sim.now);
    w.addCustom(
      PACKETRY_PEN,
      packetryEvent(BusEvent.BUS_RESET, { sec: START.sec + Math.floor(ns / 1e9), nsec: ns % 1e9 }, byteOrder),
      false,
    );
  };
  scenario(sim, reset);
  w.close();
  return mem.toBytes();
}

const rule = (r: Awaited<ReturnType<typeof analyzeSource>>, id: string) =>
  r.findings.sorted().filter((f) => f.rule === id);

describe("a bus reset (§7.1.7.5)", () => {
  for (const byteOrder of ["le", "be"] as const) {
    it(`returns the toggles to DATA0: TOGGLE_RESET_DATA0 when the next data is DATA1, silent for DATA0 (${byteOrder} section)`, async () => {
      const data = Uint8Array.of(1, 2, 3);
      // DATA0 then DATA1 is the sequence; after the reset DATA1 continues it but the reset says DATA0.
      const wrong = await analyzeSource(
        bufferSource(
          capture(byteOrder, (sim, reset) => {
            sim.in(5, 1, Pid.DATA0, data);
            reset();
            sim.in(5, 1, Pid.DATA1, data);
          }),
        ),
        "wrong",
      );
      expect(wrong.busEvents.counts.get("bus reset")).toBe(1);
      expect(rule(wrong, "TOGGLE_RESET_DATA0")).toHaveLength(1);
      const right = await analyzeSource(
        bufferSource(
          capture(byteOrder, (sim, reset) => {
            sim.in(5, 1, Pid.DATA0, data);
            reset();
            sim.in(5, 1, Pid.DATA0, data);
          }),
        ),
        "right",
      );
      expect(rule(right, "TOGGLE_RESET_DATA0")).toEqual([]);
      expect(rule(right, "TOGGLE_BULK_INT")).toEqual([]);
      // Without the reset, DATA1 after DATA0 is simply the sequence.
      const none = await analyzeSource(
        bufferSource(
          capture(byteOrder, (sim) => {
            sim.in(5, 1, Pid.DATA0, data);
            sim.in(5, 1, Pid.DATA1, data);
          }),
        ),
        "none",
      );
      expect(none.findings.sorted().filter((f) => f.severity !== "info")).toEqual([]);
    });
  }

  it("ends the control transfer in flight: the host gave up on it", async () => {
    const r = await analyzeSource(
      bufferSource(
        capture("le", (sim, reset) => {
          // GET_DESCRIPTOR(DEVICE): setup and data, then the host resets the bus instead of the status stage.
          sim.setup(5, 0, Uint8Array.of(0x80, 6, 0, 1, 0, 0, 18, 0));
          sim.in(5, 0, Pid.DATA1, new Uint8Array(18).fill(1));
          reset();
        }),
      ),
      "reset",
    );
    // One cause, one finding: the enumeration rule for the device-descriptor read tells it, with the reason;
    // the transfer's own CTRL_INCOMPLETE is not repeated.
    const told = r.findings.sorted().filter((f) => /status stage/.test(f.message));
    expect(told.map((f) => [f.rule, f.severity])).toEqual([["ENUM_DEVDESC_ALL_FAIL", "error"]]);
    expect(told[0]!.message).toMatch(/reset the bus before the status stage/);
    expect(rule(r, "CTRL_INCOMPLETE")).toEqual([]);
    // The device's diagnosis says where enumeration stopped and why.
    expect(r.descriptors.diagnoses.map((d) => d.verdict).join("\n")).toMatch(
      /stopped after 18 bytes of GET_DESCRIPTOR\(DEVICE\) \(the host reset the bus before the status stage\)/,
    );
  });

  it("is not taken from a custom block of another enterprise, which `packets` shows as CUSTOM", async () => {
    const mem = new MemorySink();
    const w = new PcapngWriter(mem.sink);
    w.addInterface({ linktype: LinkType.USB_2_0_HIGH_SPEED, tsresol: "ns" });
    w.addCustom(32473, packetryEvent(BusEvent.BUS_RESET, START));
    w.addCustom(PACKETRY_PEN, packetryEvent(BusEvent.SUSPEND, { sec: START.sec, nsec: 5000 }));
    w.close();
    const bytes = mem.toBytes();
    const r = await analyzeSource(bufferSource(bytes), "custom");
    expect([...r.busEvents.counts]).toEqual([["suspend", 1]]);
    let text = "";
    await readCapture(bufferSource(bytes), [new PacketLines((t) => (text += t), false)]);
    const lines = text.split("\n").filter((l) => l !== "");
    expect(lines[0]).toMatch(/^\s+0\s+0\.000000000 CUSTOM\b/);
    // Times count from the first record with a time of its own: the event (custom blocks have none).
    expect(lines[1]).toMatch(/^\s+1\s+0\.000000000 EVENT\s+suspend\b/);
    let json = "";
    await readCapture(bufferSource(bytes), [new PacketLines((t) => (json += t), true)]);
    const recs = json
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(recs[0]).toMatchObject({ index: 0, linktype: LinkType.PCAPNG_CUSTOM_BLOCK });
    expect(recs[0].event).toBeUndefined();
    expect(recs[1]).toMatchObject({ index: 1, event: "suspend", time: "2023-11-14T22:13:20.000005000Z" });
  });
});

describe("custom blocks with any content", () => {
  it("never break the analysis: a block is an event only with GSG's PEN, the 0x3343 mark and a known code", async () => {
    const names = new Set(Object.values(BUS_EVENT_NAMES));
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            gsg: fc.boolean(),
            payload: fc.uint8Array({ maxLength: 40 }),
            marked: fc.boolean(),
            code: fc.integer({ min: 0, max: 40 }),
          }),
          { maxLength: 30 },
        ),
        fc.constantFrom<"le" | "be">("le", "be"),
        async (blocks, byteOrder) => {
          const mem = new MemorySink();
          const w = new PcapngWriter(mem.sink, { byteOrder });
          w.addInterface({ linktype: LinkType.USB_2_0_HIGH_SPEED, tsresol: "ns" });
          let expected = 0;
          for (const b of blocks) {
            const payload = b.payload.slice();
            if (b.marked && payload.length >= 16)
              payload.set(packetryEvent(b.code, START, byteOrder).subarray(0, 4));
            const isEvent = b.gsg && b.marked && payload.length >= 16 && b.code >= 1 && b.code <= 30;
            if (isEvent) expected++;
            w.addCustom(b.gsg ? PACKETRY_PEN : 1234, payload);
          }
          w.close();
          const r = await analyzeSource(bufferSource(mem.toBytes()), "fuzz");
          expect(r.capture.records).toBe(blocks.length);
          expect([...r.busEvents.counts.values()].reduce((a, n) => a + n, 0)).toBe(expected);
          for (const name of r.busEvents.counts.keys()) expect(names.has(name)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
