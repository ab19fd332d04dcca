// The /dev/usbmonN byte stream (mon_bin_read: 48-byte header + len_cap bytes per event, no container),
// framed whatever the read boundaries: cut anywhere, it gives the events a LINKTYPE 189 capture of the same
// URBs gives; damage is a finding with the byte offset, never a throw.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { encodeUsbmon, UsbmonPcapWriter } from "../../builder/usbmon.js";
import { MemorySink } from "../../builder/sink.js";
import { UrbHost, UrbErrno, XferType, type UrbEvent as BuiltEvent } from "../../builder/urb.js";
import { LinkType } from "../../as/shared/constants.js";
import { MonBinStream } from "../../src/urb/monBinStream.js";
import { analyzeSource } from "../../src/analyze.js";
import { bufferSource } from "../../src/capture/source.js";
import type { UrbEvent } from "../../src/urb/urbEvent.js";
import type { Finding } from "../../src/usb/finding.js";
import type { TransferSummary } from "../../src/transfers/transferSummary.js";
import { widgetDevice } from "../helpers/widgetDevice.js";

function scenario(h: UrbHost): void {
  h.enumerate(widgetDevice);
  h.bulkIn(
    5,
    1,
    Uint8Array.from({ length: 300 }, (_, i) => i & 0xff),
    { length: 512 },
  );
  h.bulkOut(5, 2, Uint8Array.of(1, 2, 3));
  h.iso(5, 0x84, [Uint8Array.of(7, 7, 7), Uint8Array.of(8)], { packetSize: 8 });
  h.submitError(XferType.BULK, 5, 0x81, UrbErrno.EPROTO, 64);
}

function built(): BuiltEvent[] {
  const events: BuiltEvent[] = [];
  scenario(new UrbHost({ event: (e) => events.push(e) }, { busnum: 2 }));
  return events;
}

/** The events as read() on /dev/usbmon2 returns them, one after the other, in `le` byte order. */
function stream(events: BuiltEvent[], le = true): Uint8Array {
  const parts = events.map((e) => encodeUsbmon(e, false, le));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function frame(bytes: Uint8Array, cuts: number[], le = true) {
  const events: UrbEvent[] = [];
  const findings: Finding[] = [];
  const s = new MonBinStream((e) => events.push(e), {
    findings: { add: (f) => void findings.push(f) },
    littleEndian: le,
    keepAllData: true,
  });
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    s.push(bytes.subarray(at, c));
    at = c;
  }
  s.end();
  return { events, findings, stream: s };
}

describe("MonBinStream", () => {
  const events = built();
  const bytes = stream(events);
  const whole = frame(bytes, []);

  it("frames every event of a whole stream, with its bytes, offsets and record indices", () => {
    expect(whole.findings).toEqual([]);
    expect(whole.events).toHaveLength(events.length);
    expect(whole.events.map((e) => e.record)).toEqual(events.map((_, i) => i));
    let offset = 0;
    whole.events.forEach((e, i) => {
      expect(e.offset).toBe(offset);
      offset += encodeUsbmon(events[i]!, false, true).length;
    });
    const bulk = whole.events.find((e) => e.kind === "complete" && e.length === 300)!;
    expect([...bulk.data.subarray(0, 4)]).toEqual([0, 1, 2, 3]);
    expect(bulk.dataCaptured).toBe(300);
    const iso = whole.events.find((e) => e.xferType === 0 && e.kind === "complete")!;
    expect(iso.iso).toEqual([
      { status: 0, offset: 0, length: 3 },
      { status: 0, offset: 8, length: 1 },
    ]);
    expect(whole.events.at(-1)).toMatchObject({ kind: "error", status: -71 });
  });

  it("gives the same events cut at any single point", () => {
    for (let cut = 1; cut < bytes.length; cut++) {
      const r = frame(bytes, [cut]);
      expect(r.events, `cut at ${cut}`).toEqual(whole.events);
      expect(r.findings).toEqual([]);
    }
  });

  it("gives the same events cut into any pieces (property)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }),
        (cuts) => {
          const r = frame(
            bytes,
            [...cuts].sort((a, b) => a - b),
          );
          expect(r.events).toEqual(whole.events);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("reads a big-endian host's stream when told its byte order", () => {
    const be = frame(stream(events, false), [100, 101, 500], false);
    expect(be.events).toEqual(whole.events);
  });

  it("a stream that ends inside an event: a finding with the event's byte offset", () => {
    const r = frame(bytes.subarray(0, bytes.length - 10), [7]);
    expect(r.events).toHaveLength(events.length - 1);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ rule: "URB_BAD_LENGTH", packet: events.length - 1 });
    expect(r.findings[0]!.offset).toBe(whole.events.at(-1)!.offset);
  });

  it("a len_cap no kernel writes: a finding with its byte offset, the events before it kept, no throw", () => {
    const bad = bytes.slice();
    const at = whole.events[6]!.offset!;
    new DataView(bad.buffer).setUint32(at + 36, 0x7fffffff, true);
    const r = frame(bad, [at + 3]);
    expect(r.events).toEqual(whole.events.slice(0, 6));
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ rule: "URB_BAD_LENGTH", packet: 6, offset: at });
    expect(r.stream.broken).toBe(true);
  });

  it("through the whole analysis, the stream lists the same transfers as a LINKTYPE 189 capture of the same URBs", async () => {
    const mem = new MemorySink();
    const w = new UsbmonPcapWriter(mem.sink, { linktype: LinkType.USB_LINUX });
    for (const e of events) w.event(e);
    w.close();
    const fromPcap: TransferSummary[] = [];
    await analyzeSource(bufferSource(mem.toBytes()), "pcap", { onTransfer: (t) => fromPcap.push(t) });
    const fromDevice: TransferSummary[] = [];
    const r = await analyzeSource(bufferSource(bytes), "/dev/usbmon2", {
      onTransfer: (t) => fromDevice.push(t),
      usbmonDevice: { littleEndian: true },
    });
    expect(r.capture.format).toBe("usbmon-binary");
    expect(r.urbEvents).toBe(events.length);
    expect(fromDevice).toEqual(fromPcap);
    expect(fromDevice.filter((t) => t.kind === "bulk")).toHaveLength(3);
  });
});
