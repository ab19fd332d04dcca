// The timeline of host captures (usbmon pcap, USBPcap, usbmon text): data bytes per endpoint per bucket,
// URBs and failed URBs, checked against the transfers the analysis hands out, for the whole capture and for
// windows inside it, folded runs of repeats included.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { analyzeSource } from "../../src/analyze.js";
import { bufferSource } from "../../src/capture/source.js";
import type { TransferSummary } from "../../src/transfers/transferSummary.js";
import { RecordColumns } from "../../src/report/recordColumns.js";
import { TransferColumns } from "../../src/report/transferColumns.js";
import { UrbTimeline } from "../../src/report/urbTimeline.js";
import { secondsBetween } from "../../src/usb/time.js";
import { publicDir, repoRoot } from "../helpers/paths.js";

async function timeline(file: string, content?: Uint8Array) {
  const bytes = content ?? new Uint8Array(readFileSync(file));
  const records = new RecordColumns(bytes);
  const transfers = new TransferColumns();
  const list: TransferSummary[] = [];
  const r = await analyzeSource(bufferSource(bytes), path.basename(file), {
    sinks: [records],
    onTransfer: (t) => {
      transfers.add(t);
      list.push(t);
    },
  });
  return { r, list, tl: new UrbTimeline(transfers, records, r.firstTime) };
}

const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
const series = (w: ReturnType<UrbTimeline["window"]>, label: string) =>
  w.series.filter((s) => s.label === label).reduce((n, s) => n + sum(s.values), 0);
const bytesIn = (w: ReturnType<UrbTimeline["window"]>) =>
  w.series.filter((s) => s.unit === "bytes").reduce((n, s) => n + sum(s.values), 0);

/** usbmon statuses that tell nothing against the device (the USBPcap captures here fail none). */
const harmless = new Set([-2, -104, -121, -32, -1, -19, -22, -108, -115]);

const URBS = [
  ["usbmon pcapng", path.join(publicDir, "real/220-cdc-msc-dfu-bootloader-linux.pcapng")],
  ["usbmon pcap with an unfinished URB", path.join(publicDir, "real/220-elecom-mouse-usbmontools.pcap")],
  ["usbmon pcapng with folded repeats", path.join(publicDir, "real/220-synaptics-fingerprint.pcapng")],
  ["USBPcap", path.join(publicDir, "real/249-microbit-daplink-msc-cdc.pcapng")],
  ["usbmon text", path.join(publicDir, "real/text-usbmon-film-scanner-bulk-err.mon")],
  ["usbmon text with a stall", path.join(repoRoot, "captures/usbmon-config-stall/capture.mon")],
] as const;

describe("URB timeline", () => {
  for (const [name, file] of URBS) {
    it(`${name}: every URB and its data bytes once over the whole capture, by endpoint`, async () => {
      const { r, list, tl } = await timeline(file);
      const urbs = list.filter((t) => t.urb && t.kind !== "polling");
      expect(urbs.length).toBeGreaterThan(0);
      const n = (t: TransferSummary) => Math.max(1, t.repeat?.count ?? 0);
      const end = secondsBetween(r.firstTime!, r.lastTime!);
      const w = tl.window(0, end, 700);
      expect(w.x.length).toBe(700);
      expect(series(w, "URBs")).toBe(urbs.reduce((a, t) => a + n(t), 0));
      expect(w.records).toBe(urbs.reduce((a, t) => a + n(t), 0));
      expect(bytesIn(w)).toBe(urbs.reduce((a, t) => a + t.dataLength * n(t), 0));
      // The busiest endpoint's series holds exactly its URBs' bytes, labelled as the tree labels URBs.
      const where = (t: TransferSummary) =>
        `${t.bus !== undefined ? `${t.bus}.` : ""}${t.device}.${t.endpoint} ${t.direction === "in" ? "IN" : "OUT"}`;
      const label = tl.labels[tl.endpoints[0]!]!;
      expect(series(w, `${label} bytes`)).toBe(
        urbs.filter((t) => where(t) === label).reduce((a, t) => a + t.dataLength * n(t), 0),
      );
      expect(series(w, `${label} bytes`)).toBeGreaterThan(0);
      // Red markers: URBs that failed in a way that says something against the device (the events the
      // findings warn about), never a stall, a short read or a cancel (info in the findings).
      const failed = urbs.filter((t) => t.outcome === "error" && !harmless.has(t.urb!.status!));
      expect(series(w, "errors")).toBe(failed.reduce((a, t) => a + n(t), 0));
      if (name.includes("bulk-err")) expect(failed.length).toBeGreaterThan(0);
    });
  }

  it("keeps the same device address on two buses apart", async () => {
    // The film scanner's usbmon text twice over: as recorded on bus 1, and again on bus 2 (other URB tags).
    const text = readFileSync(URBS[4][1], "latin1").trimEnd().split("\n");
    const bus2 = text.map((l) => l.replace(/^ffff/, "eeee").replace(/ (\w{2}):1:/, " $1:2:"));
    const { list, tl } = await timeline(
      "two-buses.mon",
      Buffer.from([...text, ...bus2].join("\n") + "\n", "latin1"),
    );
    const w = tl.window(0, 1e6, 100);
    const top = tl.labels[tl.endpoints[0]!]!;
    expect(top).toMatch(/^1\./);
    const other = top.replace(/^1\./, "2.");
    expect(tl.labels).toContain(other);
    expect(series(w, `${top} bytes`)).toBeGreaterThan(0);
    expect(series(w, `${other} bytes`)).toBe(series(w, `${top} bytes`));
    expect(new Set(list.filter((t) => t.urb).map((t) => t.bus))).toEqual(new Set([1, 2]));
  });

  it("a healthy device's stalls and short reads are no red markers", async () => {
    // The CDC/MSC/DFU bootloader on Linux: STALLed control requests (the device may refuse them) and bulk
    // reads ended by a short packet (-121, legal on the bus): both info in the findings, so not red here.
    const { list, tl } = await timeline(URBS[0][1]);
    const statuses = new Set(list.filter((t) => t.urb && t.outcome !== "ok").map((t) => t.urb!.status));
    expect(statuses).toContain(-32);
    expect(statuses).toContain(-121);
    expect(series(tl.window(0, 1e6, 100), "errors")).toBe(0);
    // Every URB label names its bus; no two endpoints share a label.
    expect(tl.labels.length).toBeGreaterThan(1);
    for (const l of tl.labels) expect(l).toMatch(/^\d+\.\d+\.\d+ (IN|OUT)$/);
    expect(new Set(tl.labels).size).toBe(tl.labels.length);
  });

  it("a window holds the URBs completed in it, at the times the tree shows", async () => {
    const [, file] = URBS[0];
    const { r, list, tl } = await timeline(file);
    // Each URB at its completion; a folded run's at evenly spaced times from its first to its last.
    const at = (t: TransferSummary) => secondsBetween(r.firstTime!, t.urb!.completed ?? t.urb!.submitted!);
    const urbs: { time: number; bytes: number }[] = [];
    for (const t of list) {
      if (!t.urb || t.kind === "polling") continue;
      const s = at(t);
      const c = t.repeat?.count ?? 1;
      const e = t.repeat ? secondsBetween(r.firstTime!, t.repeat.end) : s;
      for (let m = 0; m < c; m++)
        urbs.push({ time: c > 1 ? s + (m * (e - s)) / (c - 1) : s, bytes: t.dataLength });
    }
    const times = urbs.map((u) => u.time).sort((a, b) => a - b);
    for (const [i, j] of [
      [0.2, 0.4],
      [0.5, 0.52],
    ]) {
      const a = times[Math.floor(times.length * i)]!,
        b = times[Math.floor(times.length * j)]!;
      // Midway between URBs, so that rounding cannot put one on the wrong side.
      const from = (a + times[times.indexOf(a) - 1]!) / 2,
        to = (b + times[times.indexOf(b) + 1]!) / 2;
      const w = tl.window(from, to, 300);
      const inside = urbs.filter((u) => u.time >= from && u.time <= to);
      expect(inside.length).toBeGreaterThan(0);
      expect(w.records).toBe(inside.length);
      expect(bytesIn(w)).toBe(inside.reduce((n, u) => n + u.bytes, 0));
    }
  });

  it("spreads a folded run's URBs over its time span: any split of the span counts them once", async () => {
    const { list, tl } = await timeline(path.join(publicDir, "real/220-synaptics-fingerprint.pcapng"));
    const run = list.find((t) => (t.repeat?.count ?? 0) > 10);
    expect(run).toBeDefined();
    expect(tl.runStart.length).toBeGreaterThan(0);
    const s = tl.runStart[0]!,
      e = tl.runEnd[0]!,
      c = tl.runCount[0]!;
    const whole = tl.window(s - 1e-6, e + 1e-6, 50);
    const mid = (s + e) / 2;
    const left = tl.window(s - 1e-6, mid, 50);
    const right = tl.window(mid + 1e-9, e + 1e-6, 50);
    const count = (w: ReturnType<UrbTimeline["window"]>) => series(w, "URBs");
    expect(count(whole)).toBeGreaterThanOrEqual(c + 1);
    expect(count(left) + count(right)).toBe(count(whole));
    expect(count(left)).toBeGreaterThan(0);
    expect(count(right)).toBeGreaterThan(0);
  });
});
