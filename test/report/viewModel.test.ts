// The viewer's model in Node, on real captures: the tree's top level is the transfers in capture order
// with the records between them folded into runs, every record is reachable, a finding's record can
// be located and shows its bytes, and the timeline's buckets count exactly the records of a window.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { analyzeSource } from "../../src/analyze.js";
import { bufferSource } from "../../src/capture/source.js";
import type { TransferSummary } from "../../src/transfers/transferSummary.js";
import { RecordColumns } from "../../src/report/recordColumns.js";
import { TransferColumns } from "../../src/report/transferColumns.js";
import { TOP_TRANSFER, ViewModel } from "../../src/report/viewModel.js";
import { busiestEndpoints, trafficWindow } from "../../src/report/trafficHistogram.js";
import { publicDir, repoRoot } from "../helpers/paths.js";

async function model(file: string) {
  const bytes = new Uint8Array(readFileSync(file));
  const records = new RecordColumns(bytes);
  const r = await analyzeSource(bufferSource(bytes), path.basename(file), { sinks: [records] });
  const transfers = new TransferColumns();
  const list: TransferSummary[] = [];
  await analyzeSource(bufferSource(bytes), path.basename(file), {
    onTransfer: (t) => {
      transfers.add(t);
      list.push(t);
    },
  });
  return { r, bytes, records, list, m: new ViewModel(r, records, transfers) };
}

const PACKETRY = path.join(publicDir, "packetry/analyzer-test-bad-cable/capture.pcap");
const URB = path.join(publicDir, "real/220-cdc-msc-dfu-bootloader-linux.pcapng");
const TEXT = path.join(repoRoot, "captures/usbmon-config-stall/capture.mon");

describe("view model", () => {
  it("puts the transfers at the top level in capture order, the other records in runs, each record once", async () => {
    const { m, list, records } = await model(PACKETRY);
    const firsts = list.map((t) => t.firstPacket).sort((a, b) => a - b);
    const top: number[] = [];
    let runRecords = 0;
    for (let i = 0; i < m.topCountAll; i++) {
      if (m.topKind[i] === TOP_TRANSFER) top.push(m.transfers.first.data[m.topRef[i]!]!);
      else runRecords += m.topCount[i]!;
    }
    expect(top).toEqual(firsts);
    // Records in transfers plus records in runs: every record, once.
    let inTransfers = 0;
    for (let r = 0; r < records.count; r++) if (m.recordTransfer[r]! >= 0) inTransfers++;
    expect(inTransfers + runRecords).toBe(records.count);
    expect(m.rowCount).toBe(m.topCountAll);
  });

  it("locates every finding's record, expanding what holds it, and shows the record's bytes from the file", async () => {
    const { m, r, bytes } = await model(PACKETRY);
    const findings = r.findings.sorted().filter((f) => f.packet !== undefined);
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      const row = m.locateRecord(f.packet!);
      expect(row).toBeGreaterThanOrEqual(0);
      expect(m.rows(row, 1)[0]!.record).toBe(f.packet);
      const d = m.details(row)!;
      expect(d.findings.map((x) => x.rule)).toContain(f.rule);
      // The bytes are the record's, read from the file at the offset the model found.
      expect(d.fileOffset).toBeGreaterThan(0);
      expect(Array.from(d.bytes!)).toEqual(
        Array.from(bytes.subarray(d.fileOffset!, d.fileOffset! + d.bytes!.length)),
      );
      expect(d.highlights.length).toBeGreaterThan(0);
    }
    // Collapsing restores the row count of the top level.
    for (let row = m.rowCount - 1; row >= 0; row--) m.collapse(row);
    expect(m.rowCount).toBe(m.topCountAll);
  });

  it("shows a control transfer's SETUP fields in its details, as the analysis decoded them", async () => {
    const { m, r } = await model(PACKETRY);
    const ct = r.controlTransfers[0]!;
    const row = m.locateRecord(ct.firstPacket);
    // The transfer's own row: the one at depth 0 above the located packet.
    let top = row;
    while (m.rows(top, 1)[0]!.depth > 0) top--;
    const fields = Object.fromEntries(m.details(top)!.fields);
    expect(fields.request).toBe(ct.request);
    expect(fields.wLength).toBe(String(ct.setup.wLength));
    expect(fields.wValue).toBe(`0x${ct.setup.wValue.toString(16).padStart(4, "0")}`);
    expect(fields.bmRequestType).toMatch(ct.setup.bmRequestType & 0x80 ? /device-to-host/ : /host-to-device/);
  });

  it("gives URB transfers their submission and completion as children", async () => {
    const { m, list } = await model(URB);
    const urbs = list.filter((t) => t.urb?.submitRecord !== undefined && t.urb.completeRecord !== undefined);
    expect(urbs.length).toBeGreaterThan(0);
    const t = urbs[0]!;
    const row = m.locateRecord(t.urb!.completeRecord!);
    const rows = m.rows(row - 1, 2);
    expect(rows.map((x) => x.kind)).toEqual(["URB submission", "URB completion"]);
    expect(rows.map((x) => x.record)).toEqual([t.urb!.submitRecord, t.urb!.completeRecord]);
  });

  it("lists usbmon text URBs with their times and data, with no record columns", async () => {
    const { m, list } = await model(TEXT);
    expect(m.records.count).toBe(0);
    expect(m.topCountAll).toBe(list.length);
    const rows = m.rows(0, m.rowCount);
    expect(rows.every((x) => Number.isFinite(x.time))).toBe(true);
    const withData = list.findIndex((t) => t.data && t.data.length > 0);
    const d = m.details(rows.findIndex((x) => x.record === list[withData]!.firstPacket))!;
    expect(Array.from(d.bytes!)).toEqual(Array.from(list[withData]!.data!));
  });

  it("counts exactly the records of a window in the timeline's buckets, for any zoom", async () => {
    const { records } = await model(PACKETRY);
    const eps = busiestEndpoints(records);
    const times = records.time.view();
    const end = times[times.length - 1]!;
    for (const [a, b] of [
      [0, end],
      [end / 3, end / 3 + 0.003],
      [end / 2, end / 2 + 0.0001],
    ] as const) {
      const w = trafficWindow(records, eps, a, b, 800);
      expect(w.x.length).toBe(800);
      const expected = times.filter((t) => t >= a && t <= b).length;
      expect(w.records).toBe(expected);
      // Every data byte of the window lands in one endpoint series.
      let bytes = 0;
      for (let r = 0; r < records.count; r++) {
        const t = times[r]!;
        if (t < a || t > b || records.status.data[r] !== 0 || (records.pid.data[r]! & 3) !== 3) continue;
        if (records.epKey.data[r] === 0xffff) continue;
        bytes += Math.max(0, records.length.data[r]! - 3);
      }
      const drawn = w.series
        .filter((s) => s.unit === "bytes")
        .reduce((n, s) => n + s.values.reduce((x, y) => x + y, 0), 0);
      expect(drawn).toBe(bytes);
    }
  });
});

describe("view model: class decoding in the details", () => {
  const RAW_MSC = path.join(publicDir, "real/295-hs-flash-drive-msc-usbsniffer.pcapng");
  /** The details of the top-level row of the first transfer whose class decoding `pick` accepts. */
  function detailsOf(
    m: ViewModel,
    list: TransferSummary[],
    pick: (t: TransferSummary) => boolean,
  ): ReturnType<ViewModel["details"]> {
    const t = list.find(pick);
    expect(t).toBeDefined();
    let row = m.locateRecord(t!.firstPacket);
    while (m.rows(row, 1)[0]!.depth > 0) row--;
    return m.details(row);
  }

  it("shows CDC line coding and control line state, and a standard request has none", async () => {
    const { m, list } = await model(URB);
    const lc = detailsOf(m, list, (t) => t.class?.name === "SET_LINE_CODING")!;
    expect(lc.classDecode?.title).toBe("CDC SET_LINE_CODING");
    const f = Object.fromEntries(lc.classDecode!.fields);
    expect(f.dwDTERate).toBe("9600");
    expect(f.summary).toBe("9600 8N1");
    const ls = detailsOf(m, list, (t) => t.class?.name === "SET_CONTROL_LINE_STATE")!;
    expect(Object.fromEntries(ls.classDecode!.fields)).toMatchObject({ DTR: "yes", RTS: "yes" });
    const std = detailsOf(m, list, (t) => t.kind === "control" && t.class === undefined)!;
    expect(std.classDecode).toBeUndefined();
  });

  for (const [name, file] of [
    ["usbmon", URB],
    ["a raw high-speed capture", RAW_MSC],
  ] as const) {
    it(`shows a mass storage CBW with its SCSI fields and the whole command (${name})`, async () => {
      const { m, list, r } = await model(file);
      const d = detailsOf(m, list, (t) => t.class?.name === "CBW")!;
      expect(d.classDecode?.title).toBe("mass storage CBW");
      const f = Object.fromEntries(d.classDecode!.fields);
      expect(f.command).toBe("INQUIRY");
      expect(f.allocationLength).toBe("36");
      expect(f["SCSI command"]).toBe(r.massStorageCommands[0]!.summary);
      const csw = detailsOf(m, list, (t) => t.class?.name === "CSW")!;
      expect(Object.fromEntries(csw.classDecode!.fields).status).toBe("passed");
    });
  }
});
