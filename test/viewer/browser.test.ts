// The viewer in Debian's Chromium (never a downloaded browser), driven by playwright-core: the page
// loads the served capture, runs the WASM core in a worker and must agree with the Node analysis.
// One browser for the file; one page per capture, shared by the tests on it. Screenshots at 1400×900
// go to test-output/ (ignored by git) for a reviewer to look at.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { startViewerServer, type ViewerServer } from "../../cli/commands/view.js";
import { reportHtml } from "../../cli/commands/report.js";
import { cli } from "../helpers/cli.js";
import { analyzeFile, analyzeSource } from "../../src/analyze.js";
import type { TransferSummary } from "../../src/transfers/transferSummary.js";
import { diagnosisLines } from "../../src/report/diagnosis.js";
import { RecordColumns } from "../../src/report/recordColumns.js";
import { TransferColumns } from "../../src/report/transferColumns.js";
import { TOP_TRANSFER, ViewModel } from "../../src/report/viewModel.js";
import { bufferSource } from "../../src/capture/source.js";
import { compileFilterOptions } from "../../src/filter/filter.js";
import { UrbHost, XferType } from "../../builder/urb.js";
import { UsbmonTextWriter } from "../../builder/usbmonText.js";
import { rawCapture, urbCapture } from "../../builder/capture.js";
import { busControlHost, dfuDownload, dfuModeDevice, firmwareImage } from "../../builder/dfu.js";
import { widgetDevice } from "../helpers/widgetDevice.js";
import { publicDir, repoRoot } from "../helpers/paths.js";

const FAILING = path.join(repoRoot, "captures/config-first-packet-only/capture.pcap");
const PACKETRY = path.join(publicDir, "packetry/analyzer-test-bad-cable/capture.pcap");
/** The endpoint series' colours (viewer/chart.js COLORS). */
const ENDPOINT_COLOURS: [number, number, number][] = [
  [0x1f, 0x77, 0xb4],
  [0x2c, 0xa0, 0x2c],
  [0x94, 0x67, 0xbd],
  [0x8c, 0x56, 0x4b],
  [0x17, 0xbe, 0xcf],
  [0xbc, 0xbd, 0x22],
  [0x7f, 0x7f, 0x7f],
];
export const SHOTS = path.join(repoRoot, "test-output");

let browser: Browser;
const servers: ViewerServer[] = [];
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "usbscope-viewer-"));
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  for (const s of servers) await s.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Serve `file`, open the viewer (with `hash`), and wait until the analysis is shown. */
async function open(file: string, hash = ""): Promise<{ page: Page; url: string }> {
  const server = await startViewerServer({ file });
  servers.push(server);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("dialog", (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(server.url + hash);
  await waitDone(page);
  expect(errors).toEqual([]);
  return { page, url: server.url };
}

async function waitDone(page: Page): Promise<void> {
  await page.waitForFunction(
    () => document.body.dataset.state === "done" || document.body.dataset.state === "error",
    null,
    { timeout: 20_000 },
  );
  expect(await page.getAttribute("body", "data-state"), (await page.textContent("#status")) ?? "").toBe(
    "done",
  );
}

/** The rows on screen: record, depth, kind, mark. */
function treeRows(page: Page) {
  return page.$$eval("#tree-rows .tree-row", (rows) =>
    rows.map((r) => ({
      row: Number((r as HTMLElement).dataset.row),
      record: Number((r as HTMLElement).dataset.record),
      depth: Number((r as HTMLElement).dataset.depth),
      kind: r.querySelector(".label")!.textContent!,
      mark: r.querySelector(".mark")!.textContent!,
    })),
  );
}

/** Transfers as Node's onTransfer hands them, in capture order (the tree's top level, runs of SOFs aside). */
async function nodeTransfers(file: string): Promise<TransferSummary[]> {
  const list: TransferSummary[] = [];
  await analyzeFile(file, { onTransfer: (t) => list.push(t) });
  return list.sort((a, b) => a.firstPacket - b.firstPacket);
}

/** Pixels of the chart canvas of one colour (exact), in the plot area. */
function countColour(
  page: Page,
  rgb: [number, number, number],
  column?: number,
  tolerance = 0,
): Promise<number> {
  return page.evaluate(
    ({ rgb, column, tolerance }) => {
      const canvas = document.querySelector("#chart canvas") as HTMLCanvasElement;
      const ctx = canvas.getContext("2d")!;
      const x0 = column ?? 0;
      const w = column === undefined ? canvas.width : 1;
      const px = ctx.getImageData(x0, 0, w, canvas.height).data;
      let n = 0;
      for (let i = 0; i < px.length; i += 4)
        if (
          px[i + 3]! > 200 &&
          Math.abs(px[i]! - rgb[0]) <= tolerance &&
          Math.abs(px[i + 1]! - rgb[1]) <= tolerance &&
          Math.abs(px[i + 2]! - rgb[2]) <= tolerance
        )
          n++;
      return n;
    },
    { rgb, column, tolerance },
  );
}

/** Drag on the timeline from time a to time b (seconds), using the window the chart says it shows. */
async function dragTime(page: Page, a: number, b: number): Promise<void> {
  const from = Number(await page.getAttribute("#chart", "data-from"));
  const to = Number(await page.getAttribute("#chart", "data-to"));
  const box = (await page.locator("#chart .u-over").boundingBox())!;
  const x = (t: number) => box.x + ((Math.min(to, Math.max(from, t)) - from) / (to - from)) * (box.width - 1);
  await page.mouse.move(x(a), box.y + 20);
  await page.mouse.down();
  await page.mouse.move(x(b), box.y + 30, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction((old) => {
    const d = document.querySelector<HTMLElement>("#chart")!.dataset;
    return `${d.from},${d.to}` !== old && d.zooming === "false";
  }, `${from},${to}`);
}

describe("viewer in Chromium: a bundled failing capture", () => {
  let page: Page;
  let url: string;
  beforeAll(async () => {
    ({ page, url } = await open(FAILING));
  });
  afterAll(async () => page?.close());

  it("shows the transfers as the tree's top level, in capture order, analysed in the worker", async () => {
    expect(await page.getAttribute("body", "data-engine")).toBe("worker");
    const expected = (await nodeTransfers(FAILING)).map((t) => t.firstPacket);
    const rows = (await treeRows(page)).filter((r) => !r.kind.startsWith("SOF ×"));
    // The enumeration stops early: every transfer fits on the screen.
    expect(rows.length).toBe(expected.length);
    expect(rows.map((r) => r.record)).toEqual(expected);
    expect(rows[0]!.kind).toMatch(/^control: GET_DESCRIPTOR/);
  });

  it("expands a transfer into its transactions and a transaction into its packets", async () => {
    const transfers = await nodeTransfers(FAILING);
    const t = transfers.find((x) => x.kind === "control")!;
    const row = (await treeRows(page)).find((r) => r.record === t.firstPacket && r.depth === 0)!;
    await page.click(`#tree-rows .tree-row[data-row="${row.row}"] .twisty`);
    await page.waitForSelector(`#tree-rows .tree-row[data-row="${row.row}"][aria-expanded="true"]`);
    const kids = (await treeRows(page)).filter(
      (r) => r.row > row.row && r.row <= row.row + t.transactions.length,
    );
    expect(kids.map((k) => k.depth)).toEqual(t.transactions.map(() => 1));
    expect(kids[0]!.kind).toBe(t.transactions[0]!.pids.filter((p) => p !== "SPLIT").join(" "));
    await page.click(`#tree-rows .tree-row[data-row="${row.row + 1}"] .twisty`);
    await page.waitForSelector(`#tree-rows .tree-row[data-row="${row.row + 1}"][aria-expanded="true"]`);
    const packets = (await treeRows(page)).filter((r) => r.depth === 2).map((r) => r.record);
    expect(packets).toEqual(t.transactions[0]!.packets);
    // Collapsing the transfer removes its rows again.
    await page.click(`#tree-rows .tree-row[data-row="${row.row}"] .twisty`);
    await page.waitForSelector(`#tree-rows .tree-row[data-row="${row.row}"][aria-expanded="false"]`);
    expect((await treeRows(page)).filter((r) => r.depth > 0)).toEqual([]);
  });

  it("shows the device diagnosis the CLI prints, the enumeration timeline and the descriptor tree", async () => {
    const r = await analyzeFile(FAILING);
    const lines = diagnosisLines(r);
    expect(lines[0]).toMatch(/^FAIL/);
    await page.click('#tabs button[data-tab="devices"]');
    const dev = page.locator("#devices .device").first();
    expect(await dev.locator(".fail").textContent()).toBe("FAIL ");
    expect(await dev.locator(".diagnosis").textContent()).toBe(lines[0]!.replace(/^FAIL /, ""));
    expect(await dev.locator(".diagnosis-detail").textContent()).toBe(lines.slice(1).join("\n"));
    const steps = await dev.locator(".step").count();
    expect(steps).toBe(r.descriptors.devices[0]!.timeline.length);
    expect(await dev.locator(".descriptor-tree").textContent()).toMatch(/Device Descriptor:/);
    await page.screenshot({ path: path.join(SHOTS, "viewer-devices.png") });
    // A step of the timeline selects its SETUP in the tree.
    await dev.locator(".step").nth(2).click();
    await page.waitForFunction(
      (rec) => document.querySelector<HTMLElement>("#tree")!.dataset.selectedRecord === rec,
      String(r.descriptors.devices[0]!.timeline[2]!.packet),
    );
    await page.click('#tabs button[data-tab="findings"]');
  });

  it("keeps the selection and the zoom in the URL: a reload shows the same view", async () => {
    const row = (await treeRows(page))[3]!;
    const before = await page.evaluate(() => location.hash);
    await page.click(`#tree-rows .tree-row[data-row="${row.row}"] .label`);
    await page.waitForFunction((old) => location.hash.includes("sel=") && location.hash !== old, before);
    const hash = await page.evaluate(() => location.hash);
    const again = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await again.goto(url + hash);
    await waitDone(again);
    expect(await again.textContent("#details-title")).toBe(await page.textContent("#details-title"));
    expect(await again.getAttribute("#tree", "data-selected-record")).toBe(String(row.record));
    await again.close();
  });
});

describe("viewer in Chromium: a public Packetry capture with CRC errors", () => {
  let page: Page;
  let url: string;
  beforeAll(async () => {
    ({ page, url } = await open(PACKETRY));
  });
  afterAll(async () => page?.close());

  it("selecting a finding selects its record, scrolls to it and highlights the bytes it is about", async () => {
    const r = await analyzeFile(PACKETRY);
    const crc = r.findings.sorted().filter((f) => ["CRC16", "CRC5", "CRC16_SNIFFER_TAP"].includes(f.rule));
    expect(crc.length).toBeGreaterThan(0);
    const f = crc[crc.length - 1]!;
    await page.click(`#findings .finding[data-packet="${f.packet}"]`);
    await page.waitForFunction(
      (rec) => document.querySelector<HTMLElement>("#tree")!.dataset.selectedRecord === rec,
      String(f.packet),
    );
    // The selected row is on screen (scrolled to), and the details show the finding and its bytes.
    const selected = await page.$$eval("#tree-rows .tree-row.selected", (rs) =>
      rs.map((x) => (x as HTMLElement).dataset.record),
    );
    expect(selected).toEqual([String(f.packet)]);
    expect(await page.textContent("#details-findings")).toContain(f.rule);
    const hl = await page.$$eval("#hex .hl", (s) => s.map((x) => x.textContent));
    expect(hl.length).toBe(2); // the CRC field: the packet's last two bytes
    // The timeline zoomed to the finding and marks it.
    const x = Number(await page.getAttribute("#chart", "data-highlight-x"));
    expect(Number.isFinite(x)).toBe(true);
    expect(await countColour(page, [255, 0, 255], x)).toBeGreaterThan(30);
    await page.screenshot({ path: path.join(SHOTS, "viewer-finding.png") });
  });

  it("zooming the timeline into a 3 ms window draws that window's data", async () => {
    await page.dblclick("#chart .u-over");
    await page.waitForFunction(() => document.querySelector<HTMLElement>("#chart")!.dataset.from === "0");
    // A 3 ms window in the middle of the busiest part: where the records are.
    const cols = new RecordColumns();
    await analyzeFile(PACKETRY, { sinks: [cols] });
    const times = cols.time.view();
    // Around the first data packet with a payload (PID type bits 11, more than PID and CRC16).
    let d = 0;
    while (!((cols.pid.data[d]! & 3) === 3 && cols.status.data[d] === 0 && cols.length.data[d]! > 3)) d++;
    const mid = times[d]! - 0.001;
    // Two drags: 3 ms is too narrow to drag on the whole capture's scale (two pixels).
    await dragTime(page, mid - 0.05, mid + 0.05);
    await dragTime(page, mid, mid + 0.003);
    const from = Number(await page.getAttribute("#chart", "data-from"));
    const to = Number(await page.getAttribute("#chart", "data-to"));
    expect(to - from).toBeGreaterThan(0.0025);
    expect(to - from).toBeLessThan(0.0035);
    const inWindow = times.filter((t) => t >= from && t <= to).length;
    expect(inWindow).toBeGreaterThan(0);
    expect(Number(await page.getAttribute("#chart", "data-records"))).toBe(inWindow);
    // The window's data is drawn: its bytes counted, the endpoint's series (blue) in the pixels.
    expect(Number(await page.getAttribute("#chart", "data-bytes"))).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SHOTS, "viewer-zoom.png") });
    let drawn = 0;
    for (const c of ENDPOINT_COLOURS) drawn += await countColour(page, c, undefined, 30);
    expect(drawn).toBeGreaterThan(20);
    // The tree shows only that range.
    const rows = await treeRows(page);
    expect(rows.length).toBeGreaterThan(0);
    const firstTime = Number(await page.textContent("#tree-rows .tree-row .time"));
    expect(firstTime).toBeLessThanOrEqual(to);
    await page.screenshot({ path: path.join(SHOTS, "viewer-zoom.png") });
    // The range holds at every depth: an expanded row shows only the children in it.
    const top = rows.find((r) => r.depth === 0)!;
    await page.click(`#tree-rows .tree-row[data-row="${top.row}"] .twisty`);
    await page.waitForSelector(`#tree-rows .tree-row[data-row="${top.row}"][aria-expanded="true"]`);
    const kidTimes = await page.$$eval("#tree-rows .tree-row:not([data-depth='0']) .time", (s) =>
      s.map((x) => Number(x.textContent)),
    );
    expect(kidTimes.length).toBeGreaterThan(0);
    expect(kidTimes.filter((t) => t < from - 1e-6 || t > to + 1e-6)).toEqual([]);
    await page.click(`#tree-rows .tree-row[data-row="${top.row}"] .twisty`);
    // The range is in the URL.
    expect(await page.evaluate(() => location.hash)).toMatch(/range=/);
    void url;
  });
});

describe("viewer in Chromium: the filter bar", () => {
  const BULK = path.join(repoRoot, "captures/bulk-toggle-stuck/capture.pcapng");
  it("ep==1 keeps that endpoint's transfers as the CLI's --filter does, and survives a reload through the URL", async () => {
    const { page, url } = await open(BULK);
    const f = compileFilterOptions({ filter: "ep==1" })!;
    const expected = (await nodeTransfers(BULK)).filter((t) => f.transfer(t)).map((t) => t.firstPacket);
    expect(expected.length).toBeGreaterThan(0);
    const all = (await treeRows(page)).length;
    await page.fill("#filter", "ep==1");
    await page.press("#filter", "Enter");
    await page.waitForFunction(() => document.body.dataset.filtering === "false");
    const rows = await treeRows(page);
    expect(rows.map((r) => r.record)).toEqual(expected);
    expect(rows.length).toBeLessThan(all);
    const where = await page.$$eval("#tree-rows .tree-row .where", (s) => s.map((x) => x.textContent));
    expect(where.every((w) => /^\d+\.1 (IN|OUT)$/.test(w!))).toBe(true);
    const hash = await page.evaluate(() => location.hash);
    expect(hash).toContain("filter=ep%3D%3D1");
    // A reload of the link shows the same filtered tree, the expression back in the bar.
    const again = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await again.goto(url + hash);
    await waitDone(again);
    expect(await again.inputValue("#filter")).toBe("ep==1");
    expect((await treeRows(again)).map((r) => r.record)).toEqual(expected);
    await again.close();
    // An expression that does not compile says where, and leaves the tree as it was.
    await page.fill("#filter", "ep==1 &&");
    await page.press("#filter", "Enter");
    await page.waitForFunction(() => document.body.dataset.filtering === "false");
    expect(await page.textContent("#filter-error")).toMatch(/^ {8}\^ expected a field name/);
    expect((await treeRows(page)).map((r) => r.record)).toEqual(expected);
    // One click hides the SOFs: no SOF run is left, the transfers stay.
    await page.fill("#filter", "");
    await page.check("#hide-sof");
    await page.waitForFunction(
      () => location.hash.includes("hidesof=1") && document.body.dataset.filtering === "false",
    );
    const noSof = await treeRows(page);
    expect(noSof.some((r) => r.kind.startsWith("SOF ×"))).toBe(false);
    expect(noSof.map((r) => r.record)).toEqual(
      (await nodeTransfers(BULK)).map((t) => t.firstPacket).slice(0, noSof.length),
    );
    await page.screenshot({ path: path.join(SHOTS, "viewer-filter.png") });
    // The filter holds at every depth: under pid==IN a transfer's transactions show only their IN packets.
    await page.uncheck("#hide-sof");
    await page.fill("#filter", "pid==IN");
    await page.press("#filter", "Enter");
    await page.waitForFunction(
      () => location.hash.includes("filter=pid") && document.body.dataset.filtering === "false",
    );
    const first = (await treeRows(page)).find((r) => r.depth === 0 && !r.kind.startsWith("SOF"))!;
    await page.click(`#tree-rows .tree-row[data-row="${first.row}"] .twisty`);
    await page.waitForSelector(`#tree-rows .tree-row[data-row="${first.row + 1}"][data-depth="1"]`);
    await page.click(`#tree-rows .tree-row[data-row="${first.row + 1}"] .twisty`);
    await page.waitForSelector(`#tree-rows .tree-row[data-row="${first.row + 2}"][data-depth="2"]`);
    const packets = (await treeRows(page)).filter((r) => r.depth === 2);
    expect(packets.length).toBeGreaterThan(0);
    expect(packets.map((r) => r.kind).every((k) => k === "IN")).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, "viewer-filter-depth.png") });
    await page.close();
  });
});

describe("viewer in Chromium: a host capture (usbmon)", () => {
  const MSC = path.join(publicDir, "real/220-cdc-msc-dfu-bootloader-linux.pcapng");
  it("charts the URBs' bytes per endpoint; shows a CBW's SCSI fields and a SET_LINE_CODING's line coding", async () => {
    // The same model in Node gives the top-level ids (the `sel=t…` of the URL) of the transfers.
    const bytes = new Uint8Array(readFileSync(MSC));
    const records = new RecordColumns(bytes);
    const transfers = new TransferColumns();
    const r = await analyzeSource(bufferSource(bytes), "x", { sinks: [records], onTransfer: transfers.add });
    const m = new ViewModel(r, records, transfers);
    const topOf = (name: string) => {
      for (let i = 0; i < m.topCountAll; i++)
        if (m.topKind[i] === TOP_TRANSFER && transfers.classes.get(m.topRef[i]!)?.name === name) return i;
      return -1;
    };
    const cbw = topOf("CBW");
    const lc = topOf("SET_LINE_CODING");
    expect(cbw).toBeGreaterThanOrEqual(0);
    expect(lc).toBeGreaterThanOrEqual(0);
    const { page, url } = await open(MSC, `#sel=t${cbw}`);
    // The timeline of a host capture: every URB's data bytes by endpoint, drawn.
    await page.waitForFunction(() => document.querySelector<HTMLElement>("#chart")!.dataset.drawn === "true");
    const list: TransferSummary[] = [];
    await analyzeFile(MSC, { onTransfer: (t) => list.push(t) });
    const urbBytes = list
      .filter((t) => t.urb && t.kind !== "polling")
      .reduce((n, t) => n + t.dataLength * Math.max(1, t.repeat?.count ?? 0), 0);
    expect(urbBytes).toBeGreaterThan(0);
    expect(Number(await page.getAttribute("#chart", "data-bytes"))).toBe(urbBytes);
    let drawn = 0;
    for (const c of ENDPOINT_COLOURS) drawn += await countColour(page, c, undefined, 30);
    expect(drawn).toBeGreaterThan(20);
    expect(await page.textContent("#chart-note")).toMatch(/URBs/);
    await page.screenshot({ path: path.join(SHOTS, "viewer-urb-timeline.png") });
    await page.waitForFunction(() => !document.querySelector<HTMLElement>("#details-class-title")!.hidden);
    expect(await page.textContent("#details-class-title")).toBe("mass storage CBW");
    expect(await page.textContent('#details-class dd[data-field="command"]')).toBe("INQUIRY");
    expect(await page.textContent('#details-class dd[data-field="SCSI command"]')).toBe(
      r.massStorageCommands[0]!.summary,
    );
    await page.screenshot({ path: path.join(SHOTS, "viewer-class-msc.png") });
    // A hash change alone does not reload: load the page again with the new hash.
    await page.goto(`${url}#sel=t${lc}`);
    await page.reload();
    await waitDone(page);
    await page.waitForFunction(() => !document.querySelector<HTMLElement>("#details-class-title")!.hidden);
    expect(await page.textContent("#details-class-title")).toBe("CDC SET_LINE_CODING");
    expect(await page.textContent('#details-class dd[data-field="summary"]')).toBe("9600 8N1");
    // The decoded fields by their PSTN 1.2 Table 17 names.
    expect(await page.textContent('#details-class dd[data-field="dwDTERate"]')).toBe("9600");
    expect(await page.textContent('#details-class dd[data-field="parity"]')).toBe("none");
    // A row without a class decoding shows no class section.
    const std = (await treeRows(page)).find((x) => x.kind.startsWith("control: GET_DESCRIPTOR"))!;
    expect(std).toBeDefined();
    await page.click(`#tree-rows .tree-row[data-row="${std.row}"] .label`);
    await page.waitForFunction(() => document.querySelector<HTMLElement>("#details-class-title")!.hidden);
    expect(await page.$$eval("#details-class dd", (d) => d.length)).toBe(0);
    await page.close();
  });
});

describe("viewer in Chromium: a DFU download", () => {
  it("shows a DNLOAD's block and a GETSTATUS's status, poll timeout and state", async () => {
    const bytes = rawCapture({ speed: "full" }, (sim) => {
      sim.enumerate(dfuModeDevice({ manifestationTolerant: true }));
      dfuDownload(busControlHost(sim), { image: firmwareImage(200), manifestationTolerant: true });
    }).bytes;
    const dir = mkdtempSync(path.join(os.tmpdir(), "usbscope-dfu-"));
    const file = path.join(dir, "dfu.pcap");
    writeFileSync(file, bytes);
    const records = new RecordColumns(bytes);
    const transfers = new TransferColumns();
    const r = await analyzeSource(bufferSource(bytes), "x", { sinks: [records], onTransfer: transfers.add });
    const m = new ViewModel(r, records, transfers);
    const topOf = (name: string, state?: string) => {
      for (let i = 0; i < m.topCountAll; i++) {
        const c = transfers.classes.get(m.topRef[i]!);
        if (m.topKind[i] === TOP_TRANSFER && c?.name === name && (!state || c.fields.state === state))
          return i;
      }
      return -1;
    };
    const busy = topOf("DFU_GETSTATUS", "dfuDNBUSY");
    const block = topOf("DFU_DNLOAD");
    expect([busy, block].every((i) => i >= 0)).toBe(true);
    const { page, url } = await open(file, `#sel=t${busy}`);
    await page.waitForFunction(() => !document.querySelector<HTMLElement>("#details-class-title")!.hidden);
    expect(await page.textContent("#details-class-title")).toBe("DFU DFU_GETSTATUS");
    const field = (k: string) => page.textContent(`#details-class dd[data-field="${k}"]`);
    expect([await field("status"), await field("bwPollTimeout"), await field("state")]).toEqual([
      "OK",
      "20",
      "dfuDNBUSY",
    ]);
    await page.screenshot({ path: path.join(SHOTS, "viewer-class-dfu.png") });
    await page.goto(`${url}#sel=t${block}`);
    await page.reload();
    await waitDone(page);
    await page.waitForFunction(() => !document.querySelector<HTMLElement>("#details-class-title")!.hidden);
    expect(await page.textContent("#details-class-title")).toBe("DFU DFU_DNLOAD");
    expect([await field("blockNum"), await field("wLength")]).toEqual(["0", "64"]);
    await page.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("usbscope report in Chromium", () => {
  it("opens from file:// with networking off, analyses in the page's worker and shows the same views", async () => {
    const html = await reportHtml(new Uint8Array(readFileSync(FAILING)), "capture.pcap");
    const file = path.join(tmp, "report.html");
    writeFileSync(file, html);
    const context = await browser.newContext({ offline: true, viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await page.goto(`file://${file}`);
    await waitDone(page);
    expect(errors).toEqual([]);
    // The only loads: the file itself and the worker the page starts from a blob.
    expect(requests.filter((u) => !u.startsWith("blob:"))).toEqual([`file://${file}`]);
    expect(await page.getAttribute("body", "data-engine")).toBe("worker");
    expect(await page.getAttribute("body", "data-report")).toBe("true");
    // The same tree as the served viewer.
    const expected = (await nodeTransfers(FAILING)).map((t) => t.firstPacket);
    const rows = (await treeRows(page)).filter((r) => !r.kind.startsWith("SOF ×"));
    expect(rows.map((r) => r.record)).toEqual(expected);
    // The same diagnosis.
    const lines = diagnosisLines(await analyzeFile(FAILING));
    await page.click('#tabs button[data-tab="devices"]');
    expect(await page.locator("#devices .device .diagnosis").first().textContent()).toBe(
      lines[0]!.replace(/^FAIL /, ""),
    );
    await page.screenshot({ path: path.join(SHOTS, "report.png") });
    await context.close();
  });
});

describe("usbscope report --filter in Chromium", () => {
  it("opens with the filter bar filled and the tree filtered as `transfers --filter` selects", async () => {
    const BULK = path.join(repoRoot, "captures/bulk-toggle-stuck/capture.pcapng");
    const file = path.join(tmp, "filtered-report.html");
    const r = await cli(["report", BULK, "-o", file, "--filter", "ep==1", "--hide-sof"]);
    expect(r.code, r.err).toBe(0);
    const f = compileFilterOptions({ filter: "ep==1", hideSof: true })!;
    const expected = (await nodeTransfers(BULK)).filter((t) => f.transfer(t)).map((t) => t.firstPacket);
    expect(expected.length).toBeGreaterThan(0);
    const context = await browser.newContext({ offline: true, viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.goto(`file://${file}`);
    await waitDone(page);
    await page.waitForFunction(() => document.body.dataset.filtering !== "true");
    expect(await page.inputValue("#filter")).toBe("ep==1");
    expect(await page.isChecked("#hide-sof")).toBe(true);
    const rows = await treeRows(page);
    expect(rows.map((x) => x.record)).toEqual(expected);
    // The whole capture is still inside: clearing the filter shows every transfer.
    await page.fill("#filter", "");
    await page.uncheck("#hide-sof");
    await page.waitForFunction(() => document.body.dataset.filtering === "false");
    await page.waitForFunction(
      (n) => document.querySelectorAll("#tree-rows .tree-row").length > n,
      rows.length,
    );
    await context.close();
  });
});

describe("viewer in Chromium: hostile input", () => {
  it("shows hostile text from the capture and its file name as text, never as HTML", async () => {
    const payload = `<img src=x onerror="document.body.dataset.pwned='1'"><script>alert(1)</script>\u202e\u001b[31m`;
    const writer = new UsbmonTextWriter();
    new UrbHost(writer).transfer(XferType.BULK, 3, 0x81, new Uint8Array([1, 2, 3, 4]));
    const file = path.join(
      tmp,
      `${[...payload].filter((c) => c >= " " && c !== "\u202e" && !`/"'`.includes(c)).join("")}.mon`,
    );
    writeFileSync(file, writer.text() + payload + "\n");
    const { page } = await open(file);
    const messages = await page.$$eval("#findings .finding .message", (s) => s.map((x) => x.textContent));
    expect(messages.some((m) => m!.includes("<img src=x"))).toBe(true);
    expect(await page.textContent(`#summary dd[data-key="file"]`)).toBe(path.basename(file));
    expect(await page.$$eval("img", (imgs) => imgs.length)).toBe(0);
    expect(await page.$$eval("body script", (s) => s.length)).toBe(0);
    expect(await page.getAttribute("body", "data-pwned")).toBeNull();
    // usbmon text has no record columns: the timeline is the URBs' (the bulk URB's 4 bytes).
    await page.waitForFunction(() => document.querySelector<HTMLElement>("#chart")!.dataset.drawn === "true");
    expect(await page.getAttribute("#chart", "data-bytes")).toBe("4");
    // The CSP forbids inline script and any other origin.
    const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', "content");
    expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval';/);
    expect(csp).toMatch(/default-src 'self'/);
    await page.close();
  });

  it("renders a device's hostile product string inert in the devices pane, served and in a report", async () => {
    const product = `<img src=x onerror="document.body.dataset.pwned='1'"><script>alert(1)</script>\u202e\u001b[31m`;
    const { bytes } = urbCapture({ format: "usbmon64" }, (h) =>
      h.enumerate({ ...widgetDevice, strings: { 2: product } }),
    );
    const file = path.join(tmp, "hostile-device.pcap");
    writeFileSync(file, bytes);
    const report = path.join(tmp, "hostile-device.html");
    writeFileSync(report, await reportHtml(bytes, "hostile-device.pcap"));
    for (const url of ["served", `file://${report}`]) {
      let page: Page;
      if (url === "served") page = (await open(file)).page;
      else {
        page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        page.on("dialog", () => expect.fail("a dialog opened"));
        await page.goto(url);
        await waitDone(page);
      }
      await page.click('#tabs button[data-tab="devices"]');
      const text = (await page.textContent("#devices"))!;
      expect(text).toContain('<img src=x onerror="document.body.dataset.pwned=');
      // The CLI's sanitising, as in the terminal: no ESC, no bidi override.
      expect(text.includes("\u001b") || text.includes("\u202e")).toBe(false);
      expect(await page.$$eval("img", (imgs) => imgs.length)).toBe(0);
      expect(await page.$$eval("body script:not([type])", (s) => s.length)).toBe(0);
      expect(await page.getAttribute("body", "data-pwned")).toBeNull();
      await page.close();
    }
  });
});
