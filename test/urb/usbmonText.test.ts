import { describe, expect, it } from "vitest";
import { TEXT_MAX_LINE, TEXT_TS_WRAP_US, UsbmonTextParser } from "../../src/urb/usbmonText.js";
import type { UrbEvent } from "../../src/urb/urbEvent.js";
import { collector } from "./helpers/build.js";

function parse(text: string | (string | Uint8Array)[], options = {}) {
  const events: UrbEvent[] = [];
  const f = collector();
  const p = new UsbmonTextParser((ev) => events.push(ev), { findings: f, ...options });
  for (const c of Array.isArray(text) ? text : [text]) p.push(c);
  p.end();
  return { events, f, p };
}

// usbmon.rst examples.
const ROOT_HUB =
  [
    "d5ea89a0 3575914555 S Ci:1:001:0 s a3 00 0000 0003 0004 4 <",
    "d5ea89a0 3575914560 C Ci:1:001:0 0 4 = 01050000",
  ].join("\n") + "\n";
const BULK_OUT =
  "dd65f0e8 4128379752 S Bo:1:002:2 -115 31 = 55534243 5e000000 00000000 00000600 00000000 00000000 00000000 000000\n";

describe("usbmon text ('u' format)", () => {
  it("parses a control submission with setup and its completion with data", () => {
    const { events, f } = parse(ROOT_HUB);
    expect(f.list).toEqual([]);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      record: 0,
      offset: 0,
      kind: "submit",
      id: "d5ea89a0",
      bus: 1,
      device: 1,
      endpoint: 0x80,
      transferType: "control",
      status: -115,
      length: 4,
      dataFlag: 0x3c,
      setup: { bmRequestType: 0xa3, bRequest: 0, wValue: 0, wIndex: 3, wLength: 4 },
    });
    expect(events[0].time).toEqual({ sec: 3575, nsec: 914555000 });
    expect(events[1]).toMatchObject({
      record: 1,
      offset: ROOT_HUB.indexOf("\n") + 1,
      kind: "complete",
      status: 0,
      length: 4,
      dataFlag: 0,
      dataCaptured: 4,
    });
    expect([...events[1].data]).toEqual([1, 5, 0, 0]);
  });

  it("parses a bulk OUT submission keeping only the data length", () => {
    const { events, f } = parse(BULK_OUT);
    expect(events[0]).toMatchObject({
      kind: "submit",
      transferType: "bulk",
      endpoint: 0x02,
      device: 2,
      status: -115,
      length: 31,
      dataCaptured: 31,
    });
    expect(events[0].data.length).toBe(0);
    expect(f.list).toEqual([]);
  });

  it("parses interrupt status:interval and E events", () => {
    const { events, f } = parse("f0a2ec00 1000 S Ii:2:003:1 -115:8 4 <\nf0a2ec00 2000 E Ii:2:003:1 -19 0\n");
    expect(f.list).toEqual([]);
    expect(events[0]).toMatchObject({
      transferType: "interrupt",
      interval: 8,
      status: -115,
      endpoint: 0x81,
      bus: 2,
      device: 3,
    });
    expect(events[1]).toMatchObject({ kind: "error", status: -19, length: 0 });
  });

  it("parses iso fields: status:interval:start_frame[:error_count], ndesc and descriptors", () => {
    const { events, f } = parse([
      "ee941000 1000 S Zi:4:002:3 -115:1:100 2 -18:0:192 -18:192:192 384 <\n",
      "ee941000 2000 C Zi:4:002:3 0:1:100:1 2 0:0:192 -71:192:0 192 = 01020304\n",
    ]);
    expect(f.rules()).toEqual(["FMT_TEXT_DATA_TRUNC"]);
    expect(events[0]).toMatchObject({
      transferType: "isochronous",
      interval: 1,
      startFrame: 100,
      numberOfPackets: 2,
      length: 384,
    });
    expect(events[0].iso).toEqual([
      { status: -18, offset: 0, length: 192 },
      { status: -18, offset: 192, length: 192 },
    ]);
    expect(events[1]).toMatchObject({ errorCount: 1, length: 192, dataCaptured: 4 });
  });

  it("parses a control submission whose setup was not captured ('<flag> __ __ ____ ____ ____')", () => {
    const { events, f } = parse("d5ea89a0 100 S Ci:1:001:0 D __ __ ____ ____ ____ 4 <\n");
    expect(f.list).toEqual([]);
    expect(events[0]).toMatchObject({ setupFlag: 0x44, setup: undefined, length: 4 });
  });

  it("parses the legacy 't' format (no bus) using the configured bus", () => {
    const { events, f } = parse("c1a5e9c0 3733418163 S Ci:002:00 s 80 06 0100 0000 0012 18 <\n", { bus: 3 });
    expect(f.list).toEqual([]);
    expect(events[0]).toMatchObject({
      bus: 3,
      device: 2,
      endpoint: 0x80,
      setup: { wValue: 0x100, wLength: 18 },
    });
  });

  it("accepts the user-space dialect: seconds timestamps, long data, unsplit bytes", () => {
    const data = "00".repeat(40);
    const { events, f } = parse(`ffff8802 1286.042524 C Bi:1:016:1 0 40 = ${data}\n`, { keepAllData: true });
    expect(f.list).toEqual([]);
    expect(events[0]).toMatchObject({ dataCaptured: 40, length: 40, time: { sec: 1286, nsec: 42524000 } });
    expect(events[0].data.length).toBe(40);
  });

  it("gives the same events whichever byte the chunks split at, strings or bytes, CRLF or LF", () => {
    const text = (ROOT_HUB + BULK_OUT).replace(/\n/g, "\r\n");
    const whole = parse(text).events;
    const bytes = new TextEncoder().encode(text);
    for (let cut = 1; cut < bytes.length; cut += 7) {
      const { events, f } = parse([bytes.subarray(0, cut), text.slice(cut)].map((c, i) => (i === 0 ? c : c)));
      expect(f.list).toEqual([]);
      expect(events).toEqual(whole);
    }
    const oneByOne = parse([...bytes].map((b) => Uint8Array.of(b))).events;
    expect(oneByOne).toEqual(whole);
  });

  it("parses a last line with no newline at end()", () => {
    const { events } = parse(ROOT_HUB.trimEnd());
    expect(events).toHaveLength(2);
  });

  describe("malformed lines", () => {
    it("reports each with its line number and byte offset and keeps going", () => {
      const text =
        "# comment\n\n" +
        "garbage here\n" +
        ROOT_HUB +
        "d5ea89a0 100 X Ci:1:001:0 0 0\n" +
        "d5ea89a0 100 S Qi:1:001:0 0 0\n" +
        "d5ea89a0 100 C Ci:1:001:0 0 4 = zz\n";
      const { events, f, p } = parse(text);
      expect(events).toHaveLength(2);
      expect(f.rules()).toEqual([
        "FMT_TEXT_MALFORMED",
        "FMT_TEXT_MALFORMED",
        "FMT_TEXT_MALFORMED",
        "FMT_TEXT_MALFORMED",
      ]);
      expect(f.list[0]).toMatchObject({ offset: 11 });
      expect(f.list[0].message).toContain("line 3");
      expect(f.list[1].message).toContain("event type X");
      expect(f.list[2].message).toContain("bad address");
      expect(f.list[3].message).toContain("bad data word");
      expect(f.list[3].offset).toBe(text.lastIndexOf("d5ea89a0"));
      expect(p.malformed).toBe(4);
      expect(p.lines).toBe(8);
    });
    it("drops a line longer than TEXT_MAX_LINE without holding it, then resumes", () => {
      const chunk = new Uint8Array(1 << 20).fill(0x41);
      const parts: (string | Uint8Array)[] = [];
      for (let i = 0; i <= TEXT_MAX_LINE >> 20; i++) parts.push(chunk);
      parts.push("\n" + ROOT_HUB);
      const { events, f, p } = parse(parts);
      expect(f.rules()).toEqual(["FMT_TEXT_MALFORMED"]);
      expect(f.list[0]).toMatchObject({ offset: 0 });
      expect(f.list[0].message).toContain("longer than");
      expect(events).toHaveLength(2);
      expect(events[0].offset).toBe(((TEXT_MAX_LINE >> 20) + 1) * (1 << 20) + 1);
      expect(p.lines).toBe(3);
    });
    it("never throws on random bytes", () => {
      let seed = 1;
      const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256;
      const junk = Uint8Array.from({ length: 5000 }, rnd);
      expect(() => parse([junk])).not.toThrow();
    });
  });

  describe("FMT_TEXT_TS_WRAP", () => {
    it("fires when the µs counter goes back, and unwraps by 4096 s", () => {
      const { events, f, p } = parse("a 4095999000 S Bo:1:002:2 -115 0\na 500 C Bo:1:002:2 0 0\n");
      expect(f.rules()).toEqual(["FMT_TEXT_TS_WRAP"]);
      expect(f.list[0]).toMatchObject({ severity: "warning", packet: 1 });
      expect(p.wraps).toBe(1);
      const us = (e: UrbEvent) => e.time.sec * 1e6 + e.time.nsec / 1000;
      expect(us(events[1])).toBe(TEXT_TS_WRAP_US + 500);
      expect(us(events[1]) - us(events[0])).toBe(1500);
    });
    it("stays silent while time moves forward", () => {
      const { f } = parse(ROOT_HUB + BULK_OUT);
      expect(f.list).toEqual([]);
    });
  });

  describe("FMT_TEXT_DATA_TRUNC", () => {
    it("fires once per endpoint when fewer bytes are shown than the length", () => {
      const line =
        "a 1 C Bi:1:016:1 0 64 = 00010203 04050607 08090a0b 0c0d0e0f 10111213 14151617 18191a1b 1c1d1e1f\n";
      const { f, events } = parse(line + line);
      expect(f.rules()).toEqual(["FMT_TEXT_DATA_TRUNC"]);
      expect(f.list[0]).toMatchObject({ packet: 0, device: 16, endpoint: 0x81 });
      expect(events[0].dataCaptured).toBe(32);
    });
    it("stays silent when all bytes are shown or none are (flags)", () => {
      const { f } = parse(ROOT_HUB + "a 3575914600 C Co:1:016:0 0 1 >\n");
      expect(f.list).toEqual([]);
    });
  });

  describe("URB_SETUP_NON_CONTROL", () => {
    it("fires on a setup packet on a bulk endpoint", () => {
      const { f } = parse("a 1 S Bo:1:002:2 s 80 06 0100 0000 0012 18 <\n");
      expect(f.rules()).toEqual(["URB_SETUP_NON_CONTROL"]);
    });
    it("stays silent on control setups", () => {
      expect(parse(ROOT_HUB).f.list).toEqual([]);
    });
  });
});
