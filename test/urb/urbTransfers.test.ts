// Every URB of a host capture as a transfer: bulk, interrupt and isochronous next to control, in every
// URB format the builder writes, with their facts and bytes; repeats folded; the URB type checked
// against the endpoint descriptor (URB_TYPE_MISMATCH both ways); damaged records reported with their
// record index or byte offset while the rest of the capture is still read.
import { describe, expect, it } from "vitest";
import { urbCapture, type UrbFormat } from "../../builder/capture.js";
import { configuration, deviceDescriptor, endpointDesc, interfaceDesc } from "../../builder/descriptors.js";
import type { DeviceModel } from "../../builder/device.js";
import { XferType, type UrbHost } from "../../builder/urb.js";
import { pcapRecords } from "../../builder/malform.js";
import { analyzeSource } from "../../src/analyze.js";
import { bufferSource } from "../../src/capture/source.js";
import type { TransferSummary } from "../../src/transfers/transferSummary.js";
import { MAX_RUNS, UrbTransfers } from "../../src/urb/urbTransfers.js";
import { renderTransfer, transferJson } from "../../src/report/transferTree.js";

/** A composite device: HID interrupt IN 0x83, vendor bulk 0x81/0x02, and an iso IN 0x84 in alternate setting 1. */
const device: DeviceModel = {
  speed: "full",
  address: 7,
  deviceDescriptor: deviceDescriptor({ idVendor: 0x1209, idProduct: 0x0007, bMaxPacketSize0: 64 }),
  configDescriptor: configuration({}, [
    interfaceDesc({ bInterfaceNumber: 0, bInterfaceClass: 0xff }, [
      endpointDesc({ bEndpointAddress: 0x81, bmAttributes: 2, wMaxPacketSize: 64 }),
      endpointDesc({ bEndpointAddress: 0x02, bmAttributes: 2, wMaxPacketSize: 64 }),
    ]),
    interfaceDesc({ bInterfaceNumber: 1, bInterfaceClass: 0xff }, [
      endpointDesc({ bEndpointAddress: 0x83, bmAttributes: 3, wMaxPacketSize: 8, bInterval: 8 }),
    ]),
    interfaceDesc({ bInterfaceNumber: 2, bInterfaceClass: 0xff }),
    interfaceDesc({ bInterfaceNumber: 2, bAlternateSetting: 1, bInterfaceClass: 0xff }, [
      endpointDesc({ bEndpointAddress: 0x84, bmAttributes: 1, wMaxPacketSize: 16, bInterval: 1 }),
    ]),
  ]),
};

const REPORT = Uint8Array.of(0, 0, 4, 0, 0, 0, 0, 0);
const CBW = Uint8Array.from({ length: 31 }, (_, i) => (i * 7 + 0x55) & 0xff);
const LONG = Uint8Array.from({ length: 100 }, (_, i) => i);

/** Enumeration, then: a bulk OUT, a long bulk IN, 40 identical keyboard reports, a new report, 5 empty completions, an iso URB. */
function traffic(h: UrbHost): void {
  h.enumerate(device);
  h.bulkOut(7, 2, CBW);
  h.bulkIn(7, 1, LONG, { length: 512 });
  for (let i = 0; i < 40; i++) {
    h.interruptIn(7, 3, REPORT);
    h.idle(8e6);
  }
  h.interruptIn(7, 3, Uint8Array.of(0, 0, 5, 0, 0, 0, 0, 0));
  for (let i = 0; i < 5; i++) {
    h.bulkIn(7, 1, new Uint8Array(0));
    h.idle(1e6);
  }
  h.iso(7, 0x84, [Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5)], { packetSize: 16 });
}

async function transfersOf(bytes: Uint8Array, fold = true) {
  const transfers: TransferSummary[] = [];
  const r = await analyzeSource(bufferSource(bytes), "test", {
    onTransfer: (t) => transfers.push(t),
    foldRepeats: fold,
  });
  return { transfers, r };
}

const FORMATS: UrbFormat[] = ["usbmon48", "usbmon64", "usbpcap", "text"];

describe.each(FORMATS)("URB transfers from %s", (format) => {
  const { bytes, host } = urbCapture({ format, busnum: 3 }, traffic);

  it("lists bulk, interrupt and iso transfers next to control, in capture order, with what each URB says", async () => {
    const { transfers, r } = await transfersOf(bytes, false);
    // A healthy device: no error, no warning; the text format's own 32-byte limit is a capture note (info).
    const warnings = r.findings.kept.filter((f) => f.severity !== "info").map((f) => f.rule);
    expect(warnings).toEqual([]);
    const notes = r.findings.kept.filter((f) => f.rule === "FMT_TEXT_DATA_TRUNC");
    expect(notes.map((f) => f.severity)).toEqual(format === "text" ? ["info"] : []);
    // Every URB once; USBPcap has no 'E' records and the text format none either here.
    const kinds = transfers.map((t) => t.kind);
    expect(kinds.filter((k) => k === "control").length).toBe(r.controlTransferCount);
    expect(kinds.filter((k) => k === "interrupt").length).toBe(41);
    expect(kinds.filter((k) => k === "bulk").length).toBe(7);
    expect(kinds.filter((k) => k === "isochronous").length).toBe(1);
    expect(transfers.length).toBe(host.events / 2);
    // Capture order: by completion record, as they ended.
    const last = transfers.map((t) => t.urb!.completeRecord!);
    expect(last).toEqual([...last].sort((a, b) => a - b));

    const out = transfers.find((t) => t.kind === "bulk" && t.direction === "out")!;
    expect(out).toMatchObject({ bus: 3, device: 7, endpoint: 2, outcome: "ok", dataLength: 31 });
    expect([...out.data!]).toEqual([...CBW]);
    expect(out.urb).toMatchObject({ status: 0, actualLength: 31, capturedLength: 31, truncated: false });
    expect(out.urb!.latencyUs).toBe(200); // the builder's 200 µs between submission and completion
    expect(out.urb!.completeRecord! - out.urb!.submitRecord!).toBe(1);

    const long = transfers.find((t) => t.kind === "bulk" && t.dataLength === 100)!;
    expect(long).toMatchObject({ endpoint: 1, direction: "in" });
    expect(long.urb!.actualLength).toBe(100);
    // usbmon text keeps 32 data bytes: the cut is the capture's, and it is said.
    if (format === "text") {
      expect(long.urb).toMatchObject({ capturedLength: 32, truncated: true });
      expect([...long.data!]).toEqual([...LONG.subarray(0, 32)]);
      expect(renderTransfer(long, 1, { hex: true })).toContain("… the capture holds 32 of the 100 bytes");
    } else {
      expect(long.urb).toMatchObject({ capturedLength: 100, truncated: false });
      expect([...long.data!]).toEqual([...LONG]);
    }
    // USBPcap records no length for an IN submission.
    expect(long.urb!.requestedLength).toBe(format === "usbpcap" ? undefined : 512);
    expect(renderTransfer(long, 1)).toMatch(
      format === "usbpcap"
        ? /^Bulk transfer on 3\.7\.1 IN: 100 bytes, ok, 200 µs \[records \d+, \d+\]: 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f …$/
        : /^Bulk transfer on 3\.7\.1 IN: 100 of 512 bytes(?: \(the capture holds 32\))?, ok, 200 µs \[records \d+, \d+\]: 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f …/,
    );

    const iso = transfers.find((t) => t.kind === "isochronous")!;
    expect(iso).toMatchObject({ endpoint: 4, direction: "in", outcome: "ok" });
    expect(iso.urb!.iso).toEqual([
      { offset: 0, length: 3, status: 0 },
      { offset: 16, length: 2, status: 0 },
    ]);
    if (format !== "text") expect([...iso.data!.subarray(16, 18)]).toEqual([4, 5]);

    const ctl = transfers.find((t) => t.request === "GET_DESCRIPTOR DEVICE")!;
    expect(ctl).toMatchObject({ kind: "control", endpoint: 0, direction: "in", outcome: "ok", bus: 3 });
    expect(ctl.data![0]).toBe(18);
  });

  it("folds a run of identical completions, and a run of empty ones, into one entry with a count and a span", async () => {
    const { transfers } = await transfersOf(bytes);
    const ints = transfers.filter((t) => t.kind === "interrupt");
    // The first report where it happened, the 39 repeats in one entry where the run ended, then the new report.
    expect(ints.map((t) => t.repeat?.count ?? 1)).toEqual([1, 39, 1]);
    const run = ints.find((t) => t.repeat)!;
    expect([...run.data!]).toEqual([...REPORT]);
    expect(run.repeat!.lastPacket - run.repeat!.firstPacket).toBe(38 * 2 + 1);
    const span =
      run.repeat!.end.sec - run.repeat!.start.sec + (run.repeat!.end.nsec - run.repeat!.start.nsec) / 1e9;
    expect(span).toBeCloseTo(38 * 8.2e-3, 6);
    expect(renderTransfer(run, 1)).toMatch(
      /^Interrupt transfer on 3\.7\.3 IN: 8 (of 512 )?bytes, ok, repeated 39 times over 0\.312 s \[records \d+…\d+\]: 00 00 04 00 00 00 00 00$/,
    );
    expect(transferJson(run, 1)).toMatchObject({ repeat: { count: 39 } });
    const empty = transfers.filter((t) => t.kind === "bulk" && t.dataLength === 0);
    expect(empty.map((t) => t.repeat?.count ?? 1)).toEqual([1, 4]);
    // Nothing is lost: the counts add up to every URB.
    const all = transfers.reduce((n, t) => n + (t.repeat?.count ?? 1), 0);
    expect(all).toBe(host.events / 2);
  });
});

describe("UrbTransfers folding", () => {
  it("keeps at most MAX_RUNS runs open and still hands on every transfer", () => {
    const out: TransferSummary[] = [];
    const folder = new UrbTransfers((t) => out.push(t), true);
    const n = MAX_RUNS + 500;
    const t = (device: number, record: number): TransferSummary => ({
      kind: "interrupt",
      device,
      endpoint: 1,
      direction: "in",
      firstPacket: record,
      lastPacket: record,
      transactions: [],
      transactionsOmitted: 0,
      dataLength: 1,
      outcome: "ok",
      nakCount: 0,
      bus: 1,
      data: Uint8Array.of(1),
      urb: { id: "1", source: "usbmon", capturedLength: 1, truncated: false, status: 0 },
    });
    // Three of the same on each of n endpoints (bus 1, "devices" 0..n-1 stand for endpoints).
    for (let rep = 0; rep < 3; rep++) for (let d = 0; d < n; d++) folder.completed(t(d, rep * n + d));
    folder.end();
    expect(out.reduce((k, x) => k + (x.repeat?.count ?? 1), 0)).toBe(3 * n);
    expect((folder as unknown as { runs: Map<string, unknown> }).runs.size).toBe(0);
  });
});

describe("URB_TYPE_MISMATCH: the URB's type against the endpoint descriptor", () => {
  it("fires once, at the record, when interrupt URBs go to an endpoint the descriptor calls bulk; silent when they agree", async () => {
    const bad = urbCapture({ format: "usbmon64", busnum: 2 }, (h) => {
      h.enumerate(device);
      h.interruptIn(7, 3, REPORT); // 0x83 is interrupt: agrees
      h.transfer(XferType.INTERRUPT, 7, 0x81, REPORT); // 0x81 is bulk in the descriptor
      h.transfer(XferType.INTERRUPT, 7, 0x81, REPORT);
    });
    const { r } = await transfersOf(bad.bytes);
    const hits = r.findings.kept.filter((f) => f.rule === "URB_TYPE_MISMATCH");
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ severity: "warning", device: 7, endpoint: 0x81 });
    expect(hits[0]!.packet).toBe(bad.host.events - 4);
    expect(hits[0]!.message).toContain(
      "is interrupt in the usbmon header, but the endpoint descriptor says bulk",
    );

    const good = urbCapture({ format: "usbmon64", busnum: 2 }, (h) => {
      h.enumerate(device);
      h.interruptIn(7, 3, REPORT);
      h.bulkIn(7, 1, REPORT);
    });
    const clean = await transfersOf(good.bytes);
    expect(clean.r.findings.countByRule.get("URB_TYPE_MISMATCH")).toBeUndefined();
    // Before any descriptor is seen there is nothing to check against.
    const blind = urbCapture({ format: "usbmon64", busnum: 2 }, (h) =>
      h.transfer(XferType.INTERRUPT, 7, 0x81, REPORT),
    );
    expect((await transfersOf(blind.bytes)).r.findings.countByRule.get("URB_TYPE_MISMATCH")).toBeUndefined();
  });
});

describe("damaged URB records: a finding with the record index or byte offset, the rest still read", () => {
  /** 10 good bulk URBs after the enumeration; the test damages one record. */
  function capture(format: UrbFormat) {
    return urbCapture({ format, busnum: 1 }, (h) => {
      h.enumerate(device);
      for (let i = 0; i < 10; i++) h.bulkIn(7, 1, Uint8Array.of(i, i, i));
      h.iso(7, 0x84, [Uint8Array.of(9)], { packetSize: 16 });
      for (let i = 0; i < 3; i++) h.bulkIn(7, 1, Uint8Array.of(0xa0 + i));
    });
  }

  async function bulkAfter(bytes: Uint8Array) {
    const { transfers, r } = await transfersOf(bytes, false);
    const completed = transfers.filter((t) => t.kind === "bulk" && t.urb!.completeRecord !== undefined);
    return { r, tail: completed.map((t) => t.data![0]) };
  }

  it("a usbmon header claiming more data (len_cap) than its record holds", async () => {
    const { bytes, host } = capture("usbmon64");
    const recs = pcapRecords(bytes);
    const index = host.events - 9; // the completion of the 10th bulk URB: a C record with 3 data bytes
    const at = recs[index]!.offset + 16;
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    expect(String.fromCharCode(bytes[at + 8]!)).toBe("C");
    v.setUint32(at + 36, 300, true);
    const { r, tail } = await bulkAfter(bytes);
    const f = r.findings.kept.filter((x) => x.rule === "URB_BAD_LENGTH");
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ packet: index, offset: recs[index]!.offset });
    expect(f[0]!.message).toContain("holds 3 bytes after the header but len_cap says 300");
    expect(tail.slice(-3)).toEqual([0xa0, 0xa1, 0xa2]);
  });

  it("an iso descriptor count larger than the record (220 ndesc, 189 numdesc)", async () => {
    for (const format of ["usbmon64", "usbmon48"] as const) {
      const { bytes, host } = capture(format);
      const recs = pcapRecords(bytes);
      const index = host.events - 7; // the iso completion
      const at = recs[index]!.offset + 16;
      expect(bytes[at + 9]).toBe(XferType.ISOCHRONOUS);
      expect(String.fromCharCode(bytes[at + 8]!)).toBe("C");
      new DataView(bytes.buffer, bytes.byteOffset).setInt32(at + (format === "usbmon64" ? 60 : 44), 90, true);
      const { r, tail } = await bulkAfter(bytes);
      const f = r.findings.kept.filter((x) => x.rule === "URB_BAD_LENGTH");
      expect(f, format).toHaveLength(1);
      expect(f[0]).toMatchObject({ packet: index, offset: recs[index]!.offset });
      expect(f[0]!.message).toMatch(
        /claims 90 iso descriptors \(1440 bytes\) but holds \d+ bytes after the header/,
      );
      expect(tail.slice(-3)).toEqual([0xa0, 0xa1, 0xa2]);
    }
  });

  it("a USBPcap record whose dataLength runs past its end", async () => {
    const { bytes, host } = capture("usbpcap");
    const recs = pcapRecords(bytes);
    const index = host.events - 9;
    const at = recs[index]!.offset + 16;
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(at + 23, 999, true);
    const { r, tail } = await bulkAfter(bytes);
    const f = r.findings.kept.filter((x) => x.rule === "URB_BAD_LENGTH");
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ packet: index, offset: recs[index]!.offset });
    expect(f[0]!.message).toContain("dataLength 999 but the record holds 3 bytes after the header");
    expect(tail.slice(-3)).toEqual([0xa0, 0xa1, 0xa2]);
  });

  it("a usbmon text line with a malformed data word", async () => {
    const { bytes } = capture("text");
    const text = new TextDecoder().decode(bytes);
    const lines = text.split("\n");
    const i = lines.findIndex((l) => / C Bi:1:007:1 0 3 = 050505$/.test(l));
    expect(i).toBeGreaterThan(0);
    lines[i] = lines[i]!.replace("= 050505", "= 05x505");
    const offset = lines.slice(0, i).reduce((n, l) => n + l.length + 1, 0);
    const { r, tail } = await bulkAfter(new TextEncoder().encode(lines.join("\n")));
    const f = r.findings.kept.filter((x) => x.rule === "FMT_TEXT_MALFORMED");
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ offset });
    expect(f[0]!.message).toContain("bad data word 05x505");
    // The URB whose completion line was lost is reported unpaired; the ones after it are read.
    expect(tail).not.toContain(5);
    expect(tail.slice(-3)).toEqual([0xa0, 0xa1, 0xa2]);
  });
});
