// `npm run bench` helper: the viewer's analysis of one capture in headless Chromium (Debian's
// /usr/bin/chromium through playwright-core), in its Web Worker, one run in a fresh browser. Prints
// one JSON line: the analysis (the CLI's work, pass 1) and the tree and timeline (pass 2 and the
// model) in seconds, as the page measured them.
//
// Usage: node dist/bench/viewerPage.js <file>
import { statSync } from "node:fs";
import { chromium } from "playwright-core";
import { startViewerServer } from "../cli/commands/view.js";

const file = process.argv[2];
if (!file) {
  console.error("usage: viewerPage.js <file>");
  process.exit(2);
}
const server = await startViewerServer({ file });
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(server.url);
  await page.waitForFunction(
    () => document.body.dataset.state === "done" || document.body.dataset.state === "error",
    null,
    { timeout: 30 * 60_000 },
  );
  const state = await page.getAttribute("body", "data-state");
  if (state !== "done") throw new Error(`the page failed: ${await page.textContent("#status")}`);
  const ms = (k: string) => page.evaluate((key) => Number(document.body.dataset[key]), k);
  console.log(
    JSON.stringify({
      bytes: statSync(file).size,
      records: Number(await page.textContent('#summary dd[data-key="records"]')),
      analysisSeconds: (await ms("analysisMs")) / 1000,
      treeSeconds: (await ms("treeMs")) / 1000,
      engine: await page.getAttribute("body", "data-engine"),
    }),
  );
} finally {
  await browser.close();
  await server.close();
}
