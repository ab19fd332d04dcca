// The viewer's Session (viewer/session.js, what the page's worker runs) in Node, on real captures: the
// filter applies at every depth of the tree as `usbscope packets --filter` selects records (the CLI run
// as a process is the reference), and a time range keeps only the rows in it at every depth.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Session } from "../../viewer/session.js";
import { publicDir, repoRoot } from "../helpers/paths.js";

const PACKETRY = path.join(publicDir, "packetry/analyzer-test-bad-cable/capture.pcap");
const URB = path.join(publicDir, "real/220-cdc-msc-dfu-bootloader-linux.pcapng");
const TEXT = path.join(publicDir, "real/text-usbmon-film-scanner-bulk-err.mon");
const WASM = new Uint8Array(readFileSync(path.join(repoRoot, "build/usbscope.wasm")));

interface Row {
  row: number;
  depth: number;
  record: number;
  time: number;
  kind: string;
  expandable: boolean;
  expanded: boolean;
}

async function session(file: string) {
  const s = new Session();
  await s.load(new Uint8Array(readFileSync(file)), path.basename(file), undefined, WASM);
  return s;
}

/** Expand every row, top to bottom, and return all rows. */
function expandAll(s: any): Row[] {
  for (let row = 0; row < s.m.rowCount; row++) {
    const r = s.rows(row, 1).rows[0] as Row;
    if (r.expandable && !r.expanded) s.toggle(row);
  }
  return s.rows(0, s.m.rowCount).rows as Row[];
}

/** The record indices `usbscope packets FILE --filter EXPR` selects. */
function cliRecords(file: string, expr: string): number[] {
  const r = spawnSync(
    process.execPath,
    [path.join(repoRoot, "dist/cli/main.js"), "packets", file, "--filter", expr, "--json"],
    { encoding: "utf8", maxBuffer: 1 << 28 },
  );
  expect(r.status, r.stderr).toBe(0);
  return r.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l))
    .filter((j) => typeof j.index === "number" && j.rule === undefined)
    .map((j) => j.index as number);
}

/** The records the tree shows as leaves (packets, URB events, records of runs), every node expanded. */
function leafRecords(rows: Row[]): number[] {
  return rows
    .filter((r, i) => r.depth > 0 && !(rows[i + 1] && rows[i + 1]!.depth > r.depth))
    .filter((r) => !r.expandable)
    .map((r) => r.record);
}

describe("viewer session: the filter at every depth", () => {
  for (const [name, file, expr] of [
    ["a raw capture", PACKETRY, "pid==IN"],
    ["a raw capture", PACKETRY, "status==error"],
    ["a usbmon pcapng", URB, "dir==in && len>0"],
    ["a usbmon pcapng", URB, "dir==out && kind==bulk"],
    ["usbmon text", TEXT, "dir==out"],
  ] as const) {
    it(`${name}, ${expr}: the leaves are the records the CLI's packets --filter selects`, async () => {
      const s = await session(file);
      const all = leafRecords(expandAll(s));
      const expected = cliRecords(file, expr);
      expect(expected.length).toBeGreaterThan(0);
      // Unfiltered, the tree shows records the filter leaves out (the check below can fail).
      expect(all.some((r) => !expected.includes(r))).toBe(true);
      const res = await s.setFilter({ filter: expr });
      expect(res.error).toBeUndefined();
      const rows = expandAll(s);
      const shown = leafRecords(rows);
      // Transfers kept whole (the transfer matched, none of its records) show all their children.
      const whole = s.wholeTransfers as Uint8Array;
      const inWhole = (r: number) => s.m.recordTransfer[r] >= 0 && whole[s.m.recordTransfer[r]] === 1;
      const shownSet = new Set(shown);
      // Every record the CLI selects that the tree has as a leaf is shown, and nothing else but whole transfers'.
      const leaves = new Set(all);
      expect(expected.filter((r) => leaves.has(r) && !shownSet.has(r))).toEqual([]);
      const wanted = new Set(expected);
      expect(shown.filter((r) => !wanted.has(r) && !inWhole(r))).toEqual([]);
      expect(shown.length).toBeLessThan(all.length);
    });
  }

  it("keeps whole a transfer the transfer predicate matches and no record of it does", async () => {
    const s = await session(PACKETRY);
    const m = s.m;
    // A record inside a transfer's span that is not the transfer's (an SOF between its transactions):
    // `index==N` matches the transfer (its span holds N) and none of its packets.
    let t = -1,
      n = -1;
    for (let k = 0; k < m.transfers.count && t < 0; k++)
      for (let r = m.transfers.first.data[k]; r <= m.transfers.last.data[k]; r++)
        if (m.recordTransfer[r] !== k && m.transfers.childCount.data[k] > 1) {
          t = k;
          n = r;
          break;
        }
    expect(t).toBeGreaterThanOrEqual(0);
    await s.setFilter({ filter: `index==${n}` });
    expect((s.wholeTransfers as Uint8Array)[t]).toBe(1);
    const rows = expandAll(s);
    const top = rows.find((r) => r.depth === 0 && r.record === m.transfers.first.data[t])!;
    expect(top).toBeDefined();
    // All its transactions show, though none of their packets matched.
    let end = top.row + 1;
    while (end < rows.length && rows[end]!.depth > 0) end++;
    const kids = rows.slice(top.row + 1, end).filter((r) => r.depth === 1);
    expect(kids.length).toBe(m.transfers.childCount.data[t]);
  });
});

describe("viewer session: a time range at every depth", () => {
  for (const [name, file] of [
    ["a raw capture", PACKETRY],
    ["a usbmon pcapng", URB],
  ] as const) {
    it(`${name}: only the rows in the range, at every depth`, async () => {
      const s = await session(file);
      const full = expandAll(s).filter((r) => r.depth > 0 && Number.isFinite(r.time));
      const times = full.map((r) => r.time).sort((a, b) => a - b);
      const from = times[Math.floor(times.length / 3)]!;
      const to = times[Math.floor(times.length / 2)]!;
      // Unfiltered, children outside the range are shown (the check below can fail).
      expect(full.some((r) => r.time < from || r.time > to)).toBe(true);
      s.setTimeRange({ from, to });
      const rows = expandAll(s);
      const kids = rows.filter((r) => r.depth > 0 && Number.isFinite(r.time));
      expect(kids.length).toBeGreaterThan(0);
      expect(kids.filter((r) => r.time < from || r.time > to)).toEqual([]);
      // Every child of the full tree in the range is still there.
      const inRange = full
        .filter((r) => r.time >= from && r.time <= to && !r.expandable)
        .map((r) => r.record);
      const kept = new Set(kids.map((r) => r.record));
      expect(inRange.filter((r) => !kept.has(r))).toEqual([]);
    });
  }
});
