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

async function timeline(file: string) {
  const bytes = new Uint8Array(readFileSync(file));
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
      // The busiest endpoint's series holds exactly its URBs' bytes.
      const top = tl.endpoints[0]!;
      const dev = (top >> 4) & 0x7f,
        ep = top & 0x0f,
        dirIn = (top & 0x800) !== 0;
      const label = `${dev}.${ep} ${dirIn ? "IN" : "OUT"} bytes`;
      expect(series(w, label)).toBe(
        urbs
          .filter((t) => t.device === dev && t.endpoint === ep && (t.direction === "in") === dirIn)
          .reduce((a, t) => a + t.dataLength * n(t), 0),
      );
      expect(series(w, label)).toBeGreaterThan(0);
      // Failed URBs (stall, error) are the red markers; a capture without one has none.
      const failed = urbs.filter((t) => t.outcome === "stall" || t.outcome === "error");
      expect(series(w, "errors")).toBe(failed.reduce((a, t) => a + n(t), 0));
      if (name.includes("stall")) expect(failed.length).toBeGreaterThan(0);
    });
  }

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
