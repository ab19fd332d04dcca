// The viewer in Debian's Chromium (never a downloaded browser), driven by playwright-core: the page
// loads the served capture, runs the WASM core in a worker and must agree with the Node analysis.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { startViewerServer, type ViewerServer } from "../../cli/commands/view.js";
import { analyzeFile } from "../../src/analyze.js";
import { analysisJson } from "../../src/report/json.js";
import { UrbHost, XferType } from "../../builder/urb.js";
import { UsbmonTextWriter } from "../../builder/usbmonText.js";
import { publicDir } from "../helpers/paths.js";

const BAD_CRCS = path.join(publicDir, "real/288-bad-crcs.pcap");
const HS_FLASH = path.join(publicDir, "real/295-hs-flash-drive-msc-usbsniffer.pcapng");

let browser: Browser;
const servers: ViewerServer[] = [];
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "usbscope-viewer-"));
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  for (const s of servers) await s.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Serve `file`, open the viewer, and wait until the analysis is shown. */
async function open(file: string): Promise<Page> {
  const server = await startViewerServer({ file });
  servers.push(server);
  const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(server.url);
  await page.waitForFunction(
    () => document.body.dataset.state === "done" || document.body.dataset.state === "error",
    null,
    { timeout: 15_000 },
  );
  expect(errors).toEqual([]);
  expect(await page.getAttribute("body", "data-state"), (await page.textContent("#status")) ?? "").toBe(
    "done",
  );
  return page;
}

const summaryValue = (page: Page, key: string) => page.textContent(`#summary dd[data-key="${key}"]`);

/** Pixels of the chart canvas near an RGB colour (anti-aliasing blurs edges), and the canvas size. */
function countColour(
  page: Page,
  rgb: [number, number, number],
  tolerance: number,
  column?: number,
): Promise<number> {
  return page.evaluate(
    ({ rgb, tolerance, column }) => {
      const canvas = document.querySelector("#chart canvas") as HTMLCanvasElement;
      const ctx = canvas.getContext("2d")!;
      const x0 = column ?? 0;
      const w = column === undefined ? canvas.width : 1;
      const px = ctx.getImageData(x0, 0, w, canvas.height).data;
      let n = 0;
      for (let i = 0; i < px.length; i += 4) {
        if (
          px[i + 3]! > 200 &&
          Math.abs(px[i]! - rgb[0]) <= tolerance &&
          Math.abs(px[i + 1]! - rgb[1]) <= tolerance &&
          Math.abs(px[i + 2]! - rgb[2]) <= tolerance
        )
          n++;
      }
      return n;
    },
    { rgb, tolerance, column },
  );
}

describe("viewer in Chromium", () => {
  it("shows the record count and the CRC5 findings of 288-bad-crcs with their packet indices", async () => {
    const node = analysisJson(await analyzeFile(BAD_CRCS)) as {
      records: number;
      findings: Array<{ rule: string; packet?: number }>;
    };
    const page = await open(BAD_CRCS);
    expect(await summaryValue(page, "records")).toBe(String(node.records));
    expect(await summaryValue(page, "format")).toBe("pcap");
    expect(await summaryValue(page, "file")).toBe("288-bad-crcs.pcap");
    // The analysis ran in the Web Worker, not on the page.
    expect(await page.getAttribute("body", "data-engine")).toBe("worker");
    const rows = await page.$$eval("#findings tbody tr", (trs) =>
      trs.map((tr) => ({
        rule: tr.querySelector(".rule")!.textContent,
        packet: tr.querySelector(".packet")!.textContent,
      })),
    );
    const expected = node.findings.filter((f) => f.rule === "CRC5").map((f) => String(f.packet));
    expect(expected.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.rule === "CRC5").map((r) => r.packet)).toEqual(expected);
    // Wireshark marks frames 4, 5 and 6 of this file with a wrong CRC5 (0-based 3, 4, 5).
    expect(expected).toEqual(["3", "4", "5"]);
    await page.close();
  });

  it("lists a Cynthion capture's bus events as Node does, and marks a clicked event's time on the chart", async () => {
    const KEYBOARD = path.join(publicDir, "real/288-ls-keyboard-keepalive-divided.pcapng");
    const node = analysisJson(await analyzeFile(KEYBOARD)) as {
      busEvents: { counts: Record<string, number>; events: Array<{ index: number; event: string }> };
    };
    const page = await open(KEYBOARD);
    expect(await page.isVisible("#busevents-section")).toBe(true);
    expect(await summaryValue(page, "busEvents")).toBe(
      Object.entries(node.busEvents.counts)
        .map(([e, n]) => `${e} ${n}`)
        .join(", "),
    );
    const rows = await page.$$eval("#busevents tbody tr", (trs) =>
      trs.map((tr) => ({
        index: Number(tr.querySelector(".packet")!.textContent),
        event: tr.querySelector(".event")!.textContent,
      })),
    );
    expect(rows).toEqual(node.busEvents.events.map((e) => ({ index: e.index, event: e.event })));
    expect(rows.filter((r) => r.event === "bus reset").map((r) => r.index)).toEqual([4, 158]);
    // The first bus reset comes before the second: further left on the chart.
    await page.click("#busevents tbody tr:nth-child(5)");
    const first = Number(await page.getAttribute("#chart", "data-highlight-x"));
    await page.click("#busevents tbody tr:nth-child(8)");
    const second = Number(await page.getAttribute("#chart", "data-highlight-x"));
    expect(Number.isFinite(first) && Number.isFinite(second)).toBe(true);
    expect(second).toBeGreaterThan(first);
    await page.close();
    // A capture without bus events shows no such section.
    const plain = await open(BAD_CRCS);
    expect(await plain.isVisible("#busevents-section")).toBe(false);
    expect(await plain.$(`#summary dd[data-key="busEvents"]`)).toBeNull();
    await plain.close();
  });

  it("moves the chart highlight to the clicked finding's time", async () => {
    const page = await open(BAD_CRCS);
    expect(await page.getAttribute("#chart", "data-highlight-x")).toBeNull();
    await page.click("#findings tbody tr:nth-child(1)");
    const x1 = Number(await page.getAttribute("#chart", "data-highlight-x"));
    await page.click("#findings tbody tr:nth-child(3)");
    const x3 = Number(await page.getAttribute("#chart", "data-highlight-x"));
    expect(Number.isFinite(x1) && Number.isFinite(x3)).toBe(true);
    // Finding 3 (SOF at 90 µs) is later than finding 1 (IN at 4 µs): further right.
    expect(x3).toBeGreaterThan(x1 + 50);
    expect(await page.getAttribute("#findings tbody tr:nth-child(3)", "class")).toBe("selected");
    // The magenta line is drawn at x3 and no longer at x1.
    expect(await countColour(page, [255, 0, 255], 0, x3)).toBeGreaterThan(50);
    expect(await countColour(page, [255, 0, 255], 0, x1)).toBe(0);
    await page.close();
  });

  it("draws a decimated traffic chart for a high-speed capture and agrees with Node on the counts", async () => {
    const r = await analyzeFile(HS_FLASH);
    const node = analysisJson(r) as {
      records: number;
      summary: { packets: number; pids: Record<string, number> };
    };
    const page = await open(HS_FLASH);
    expect(await summaryValue(page, "records")).toBe(String(node.records));
    expect(await summaryValue(page, "packets")).toBe(String(node.summary.packets));
    expect(await summaryValue(page, "speed")).toBe("high");
    const pids = await page.$$eval("#pids tbody tr", (trs) =>
      Object.fromEntries(trs.map((tr) => [tr.children[0]!.textContent, Number(tr.children[1]!.textContent)])),
    );
    expect(pids).toEqual(node.summary.pids);
    // ~62,000 buckets of 125 µs for a ~1,100 px plot: min/max per pixel.
    expect(await page.getAttribute("#chart", "data-decimated")).toBe("true");
    expect(Number(await page.getAttribute("#chart", "data-points"))).toBeLessThan(4000);
    // The series were drawn: handshake orange (#ff7f0e) and "other records" purple (#9467bd) pixels exist.
    expect(await countColour(page, [0xff, 0x7f, 0x0e], 40)).toBeGreaterThan(20);
    expect(await countColour(page, [0x94, 0x67, 0xbd], 40)).toBeGreaterThan(20);
    await page.screenshot({ path: path.join(os.tmpdir(), "usbscope-viewer.png") });

    // Drag-zoom into 15 px: a few hundred buckets, drawn one by one; double-click zooms out and decimates again.
    const box = (await page.locator("#chart .u-over").boundingBox())!;
    await page.mouse.move(box.x + box.width - 30, box.y + 50);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width - 15, box.y + 60, { steps: 4 });
    await page.mouse.up();
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>("#chart")!.dataset.decimated === "false",
    );
    expect(Number(await page.getAttribute("#chart", "data-points"))).toBeLessThan(2000);
    await page.mouse.dblclick(box.x + 100, box.y + 50);
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>("#chart")!.dataset.decimated === "true",
    );
    await page.close();
  });

  it("shows hostile text from the capture and its file name as text, never as HTML", async () => {
    const payload = `<img src=x onerror="document.body.dataset.pwned='1'">`;
    // A valid usbmon text capture (one bulk IN URB) with one line that is not a usbmon event: the
    // parser quotes that line in its FMT_TEXT_MALFORMED finding.
    const writer = new UsbmonTextWriter();
    new UrbHost(writer).transfer(XferType.BULK, 3, 0x81, new Uint8Array([1, 2, 3, 4]));
    const file = path.join(tmp, `${payload.replace(/[/"']/g, "")}.mon`);
    writeFileSync(file, writer.text() + payload + "\n");
    const page = await open(file);
    const messages = await page.$$eval("#findings tbody td.message", (tds) =>
      tds.map((td) => td.textContent),
    );
    expect(messages.some((m) => m!.includes(payload))).toBe(true);
    expect(await summaryValue(page, "file")).toBe(path.basename(file));
    expect(await page.$$eval("img", (imgs) => imgs.length)).toBe(0);
    expect(await page.getAttribute("body", "data-pwned")).toBeNull();
    // usbmon text has URB events, no packet records: no chart, and the page says why.
    expect(await page.$$eval("#chart canvas", (c) => c.length)).toBe(0);
    expect(await page.textContent("#chart-note")).toMatch(/No packet records/);

    // The same file through the file input (a drop reads the same File object).
    await page.setInputFiles("#file", file);
    await page.waitForFunction(
      () =>
        document.body.dataset.state === "done" &&
        document.querySelector("#status")!.textContent!.includes("analyzed"),
    );
    expect(await page.$$eval("img", (imgs) => imgs.length)).toBe(0);
    expect(await summaryValue(page, "format")).toBe("usbmon-text");
    await page.close();
  });
});
