// usbscope report FILE -o report.html: one self-contained HTML file to attach to a bug. The viewer's
// page and analysis worker (bundled at build time, dist/viewer/), the WASM core and the capture are
// inlined, so the file opens from disk in any current browser and shows the same views as `usbscope
// view`, analysed in the browser. Its Content-Security-Policy allows only its own hash-pinned script,
// the worker it starts from a blob, and no network access at all.
import { createHash } from "node:crypto";
import { readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { escapeHtml } from "../../src/index.js";
import { EXIT_OK, EXIT_USAGE, shownName, type Io } from "../io.js";
import { withFilterOptions, type FilterFlags } from "./filterOptions.js";
import { findViewerRoot, uplotDir, viewerHashOrUsage } from "./view.js";

/** Largest capture inlined by default, in MB (10^6 bytes); base64 makes the HTML a third larger. */
export const DEFAULT_MAX_MB = 50;

/** The report's policy: its one script by hash, WASM compilation, a worker from a blob, nothing fetched. */
export function reportCsp(scriptHash: string, styleHash: string): string {
  return [
    "default-src 'none'",
    `script-src '${scriptHash}' 'wasm-unsafe-eval'`,
    `style-src '${styleHash}'`,
    "worker-src blob:",
    "img-src data:",
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

const sha256 = (text: string) => `sha256-${createHash("sha256").update(text, "utf8").digest("base64")}`;

/** Text safe inside a <script> or <style> element: nothing in it can close the element early. */
function inert(code: string): string {
  return code.replace(/<\/(script|style)/gi, "<\\/$1");
}

/**
 * The report's HTML for `capture` (named `name`), from the viewer files under `root`. `view`: the view it
 * opens with, as the viewer's URL hash (`viewerHash`: filter, hidden SOFs and polls); a hash in the URL the
 * reader opens it with wins.
 */
export async function reportHtml(
  capture: Uint8Array,
  name: string,
  root = findViewerRoot(),
  view = "",
): Promise<string> {
  const read = (p: string) => readFile(p, "utf8");
  const missing = "the viewer bundle is missing: run `npm run build`";
  let page: string, worker: string;
  try {
    page = await read(path.join(root, "dist/viewer/page.js"));
    worker = await read(path.join(root, "dist/viewer/worker.js"));
  } catch {
    throw new Error(missing);
  }
  const wasm = await readFile(path.join(root, "build/usbscope.wasm"));
  const css =
    (await read(path.join(uplotDir(root), "uPlot.min.css"))) +
    "\n" +
    (await read(path.join(root, "viewer/viewer.css")));
  const index = await read(path.join(root, "viewer/index.html"));
  const body = index.slice(index.indexOf("<body>") + "<body>".length, index.indexOf("</body>"));
  const script = inert(page);
  const style = inert(css);
  const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<meta http-equiv="Content-Security-Policy" content="${reportCsp(sha256(script), sha256(style))}" />
<meta name="referrer" content="no-referrer" />
<title>usbscope report: ${escapeHtml(name)}</title>
<link rel="icon" href="data:," />
<style>${style}</style>
</head>
<body>${body}
<script type="application/octet-stream" id="usbscope-capture" data-name="${escapeHtml(name)}"${view ? ` data-view="${escapeHtml(view.replace(/^#/, ""))}"` : ""}>${b64(capture)}</script>
<script type="application/octet-stream" id="usbscope-wasm">${b64(wasm)}</script>
<script type="text/plain" id="usbscope-worker">${inert(worker)}</script>
<script type="module">${script}</script>
</body>
</html>
`;
}

function parseMb(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("a size in MB greater than 0");
  return n;
}

export function reportCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command("report")
    .description(
      "write one self-contained HTML file (viewer, WASM core and capture inlined) to attach to a bug",
    )
    .argument("<file>", "pcap, pcapng or usbmon text capture")
    .requiredOption("-o, --output <report.html>", "the HTML file to write")
    .option(
      "--max-mb <n>",
      `largest capture to inline, in MB (default ${DEFAULT_MAX_MB})`,
      parseMb,
      DEFAULT_MAX_MB,
    );
  // The filter flags set the filter bar the report opens with, as `view` does: the whole capture stays
  // inlined, so whoever reads the bug can clear the filter and see the rest.
  withFilterOptions(cmd, "records and transfers the report shows when opened");
  return cmd.action(async (file: string, opts: FilterFlags & { output: string; maxMb: number }) => {
    const view = viewerHashOrUsage(opts, io, setExit);
    if (view === undefined) return;
    let size: number;
    try {
      const s = await stat(file);
      if (!s.isFile()) throw Object.assign(new Error("not a file"), { code: "EISDIR" });
      size = s.size;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      io.err(
        `usbscope: ${shownName(file)}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "not a file" : "cannot read it"}\n`,
      );
      setExit(EXIT_USAGE);
      return;
    }
    const limit = opts.maxMb * 1e6;
    if (size > limit) {
      io.err(
        `usbscope: ${shownName(file)} is ${(size / 1e6).toFixed(1)} MB, more than the report's limit of ${opts.maxMb} MB; ` +
          `raise it with --max-mb ${Math.ceil(size / 1e6)}, or cut the capture (editcap -r) to the part that shows the problem\n`,
      );
      setExit(EXIT_USAGE);
      return;
    }
    let html: string;
    try {
      html = await reportHtml(new Uint8Array(await readFile(file)), path.basename(file), undefined, view);
      await writeFile(opts.output, html);
    } catch (e) {
      io.err(
        `usbscope: cannot write ${shownName(opts.output)}: ${e instanceof Error ? e.message : String(e)}\n`,
      );
      setExit(EXIT_USAGE);
      return;
    }
    io.out(
      `usbscope: wrote ${shownName(opts.output)} (${(html.length / 1e6).toFixed(1)} MB); it opens from disk in any current browser\n`,
    );
    setExit(EXIT_OK);
  });
}
