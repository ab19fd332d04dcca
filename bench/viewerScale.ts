// `npm run bench` helper: the viewer on a capture of millions of packets (the `small` generator: SOFs,
// polls, small bulk and interrupt transfers), in headless Chromium (Debian's /usr/bin/chromium through
// playwright-core), one run in a fresh browser. Measures what a user feels: the load (analysis, then
// tree and timeline), the browser's memory (peak RSS of all its processes, sampled every 250 ms), the
// time to expand a node (a transfer, and a run of SOFs with its thousands of children), and the frame
// time while the tree scrolls (requestAnimationFrame deltas while the page scrolls by a screen a frame,
// then jumps to the middle and the end). Prints one JSON line.
//
// Usage: node dist/bench/viewerScale.js [--packets N] (default 10,000,000)
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startViewerServer } from "../cli/commands/view.js";
import { ensureCapture } from "./generate.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../..");
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
};
const packets = arg("--packets") ?? 10_000_000;
// The small generator writes about 18.3 bytes a packet (pcap header and packet).
const file = ensureCapture(repoRoot, "small", Math.ceil((packets * 18.3) / (1 << 20)) * (1 << 20), (m) =>
  console.error(m),
);

/** RSS (bytes) of process `root` and all its descendants, from /proc. */
function treeRss(root: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(d));
      children.set(ppid, list);
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${d}/status`, "utf8"));
      rss.set(Number(d), m ? Number(m[1]) * 1024 : 0);
    } catch {
      // the process ended meanwhile
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const p = stack.pop()!;
    total += rss.get(p) ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

const server = await startViewerServer({ file });
const browserServer = await chromium.launchServer({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
const pid = browserServer.process().pid!;
const browser = await chromium.connect(browserServer.wsEndpoint());
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, treeRss(pid))), 250);
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const idle = treeRss(pid);
  const t0 = performance.now();
  await page.goto(server.url);
  await page.waitForFunction(
    () => document.body.dataset.state === "done" || document.body.dataset.state === "error",
    null,
    { timeout: 60 * 60_000, polling: 500 },
  );
  const loadSeconds = (performance.now() - t0) / 1000;
  if ((await page.getAttribute("body", "data-state")) !== "done")
    throw new Error(`the page failed: ${await page.textContent("#status")}`);
  const ms = (k: string) => page.evaluate((key) => Number(document.body.dataset[key]), k);
  const afterLoad = treeRss(pid);
  const rows = Number(await page.getAttribute("#tree", "data-rows"));

  /** Click a row's twisty and time until its children are drawn. */
  const expand = async (pick: (kind: string) => boolean) => {
    const list = await page.$$eval("#tree-rows .tree-row", (rs) =>
      rs.map((r) => ({
        row: Number((r as HTMLElement).dataset.row),
        kind: r.querySelector(".label")!.textContent!,
        expandable: r.getAttribute("aria-expanded") === "false",
      })),
    );
    const target = list.find((r) => r.expandable && pick(r.kind));
    if (!target) return null;
    // Timed in the page: from the click to the children drawn (the worker's expand and the rows it sends).
    const millis = await page.evaluate(async (row) => {
      const started = performance.now();
      document.querySelector<HTMLElement>(`#tree-rows .tree-row[data-row="${row}"] .twisty`)!.click();
      const drawn = () =>
        document.querySelector(`#tree-rows .tree-row[data-row="${row + 1}"]:not([data-depth="0"])`) !== null;
      while (!drawn() && performance.now() - started < 600_000)
        await new Promise((r) => requestAnimationFrame(r));
      return performance.now() - started;
    }, target.row);
    const after = Number(await page.getAttribute("#tree", "data-rows"));
    // Collapse it again.
    await page.click(`#tree-rows .tree-row[data-row="${target.row}"] .twisty`);
    await page.waitForFunction(
      (n) => Number(document.querySelector<HTMLElement>("#tree")!.dataset.rows) === n,
      rows,
    );
    return { kind: target.kind, millis, children: after - rows };
  };
  const transfer = await expand((k) => !k.startsWith("SOF") && !/other record/.test(k));
  const sofRun = await expand((k) => k.startsWith("SOF") || /other record|polling/.test(k));

  // Scrolling: a screen a frame for 3 s, frame times from requestAnimationFrame; then jumps, each timed
  // until the rows of the new position are drawn.
  const scroll = await page.evaluate(async () => {
    const tree = document.getElementById("tree")!;
    const frames: number[] = [];
    let last = performance.now();
    const end = last + 3000;
    await new Promise<void>((resolve) => {
      const step = (now: number) => {
        frames.push(now - last);
        last = now;
        tree.scrollTop += tree.clientHeight;
        if (now < end) requestAnimationFrame(step);
        else resolve();
      };
      requestAnimationFrame(step);
    });
    frames.sort((a, b) => a - b);
    const jumps: number[] = [];
    for (const at of [0.5, 0.999, 0.25]) {
      const t = performance.now();
      tree.scrollTop = (tree.scrollHeight - tree.clientHeight) * at;
      const want = String(
        Math.floor((tree.scrollTop * Math.max(1, (Number(tree.dataset.rows) * 20) / 8_000_000)) / 20),
      );
      while (tree.dataset.first !== want && performance.now() - t < 10_000)
        await new Promise((r) => requestAnimationFrame(r));
      jumps.push(performance.now() - t);
    }
    return {
      frames: frames.length,
      medianFrameMs: frames[Math.floor(frames.length / 2)],
      p95FrameMs: frames[Math.floor(frames.length * 0.95)],
      maxFrameMs: frames[frames.length - 1],
      jumpMs: jumps,
    };
  });
  console.log(
    JSON.stringify({
      file: path.basename(file),
      bytes: statSync(file).size,
      records: Number(await page.textContent('#summary dd[data-key="records"]')),
      topLevelRows: rows,
      analysisSeconds: (await ms("analysisMs")) / 1000,
      treeSeconds: (await ms("treeMs")) / 1000,
      loadSeconds,
      rssIdleMB: idle / 1e6,
      rssAfterLoadMB: afterLoad / 1e6,
      rssPeakMB: Math.max(peak, afterLoad) / 1e6,
      expandTransfer: transfer,
      expandSofRun: sofRun,
      scroll,
    }),
  );
} finally {
  clearInterval(sampler);
  await browser.close();
  await browserServer.close();
  await server.close();
}
