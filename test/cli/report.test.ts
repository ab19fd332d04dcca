// usbscope report: one self-contained HTML file. These check the file itself (what it inlines, its
// policy, the size cap, hostile names); test/viewer/browser.test.ts opens it in Chromium offline.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { cli } from "../helpers/cli.js";
import { repoRoot } from "../helpers/paths.js";

const FAILING = path.join(repoRoot, "captures/config-first-packet-only/capture.pcap");
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "usbscope-report-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const blocks = (html: string) =>
  [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({ attrs: m[1]!, text: m[2]! }));

describe("usbscope report", () => {
  it("inlines the capture, the WASM core and the page, and pins its one script by hash", async () => {
    const out = path.join(tmp, "report.html");
    const r = await cli(["report", FAILING, "-o", out]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/wrote .*report\.html/);
    const html = readFileSync(out, "utf8");
    const scripts = blocks(html);
    const capture = scripts.find((s) => s.attrs.includes('id="usbscope-capture"'))!;
    expect(Buffer.from(capture.text, "base64")).toEqual(readFileSync(FAILING));
    const wasm = scripts.find((s) => s.attrs.includes('id="usbscope-wasm"'))!;
    expect(Buffer.from(wasm.text, "base64")).toEqual(
      readFileSync(path.join(repoRoot, "build/usbscope.wasm")),
    );
    // One executable script: the module, whose hash the policy names; the data blocks never run.
    const executable = scripts.filter((s) => !/type="(application\/octet-stream|text\/plain)"/.test(s.attrs));
    expect(executable.map((s) => s.attrs.trim())).toEqual(['type="module"']);
    const hash = createHash("sha256").update(executable[0]!.text, "utf8").digest("base64");
    const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)![1]!;
    expect(csp).toContain(`script-src 'sha256-${hash}' 'wasm-unsafe-eval'`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'none'");
    // Nothing is loaded from anywhere: no src or href but the empty data: icon.
    expect([...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1])).toEqual(["data:,"]);
  });

  it("opens with the view the filter flags choose, and refuses a filter that does not compile", async () => {
    const out = path.join(tmp, "filtered.html");
    const r = await cli([
      "report",
      FAILING,
      "-o",
      out,
      "--filter",
      'request=="GET_DESCRIPTOR" && dev<2',
      "--hide-polls",
    ]);
    expect(r.code, r.err).toBe(0);
    const capture = blocks(readFileSync(out, "utf8")).find((s) => s.attrs.includes('id="usbscope-capture"'))!;
    // The view as the viewer's URL hash, HTML-escaped in the attribute; the capture inlined whole.
    const view = /data-view="([^"]*)"/
      .exec(capture.attrs)![1]!
      .replaceAll("&amp;", "&")
      .replaceAll("&quot;", '"');
    const p = new URLSearchParams(view.replaceAll("&lt;", "<"));
    expect(p.get("filter")).toBe('request=="GET_DESCRIPTOR" && dev<2');
    expect(p.get("hidepolls")).toBe("1");
    expect(p.get("hidesof")).toBeNull();
    expect(Buffer.from(capture.text, "base64")).toEqual(readFileSync(FAILING));
    // Without flags, no view.
    const plain = path.join(tmp, "plain.html");
    expect((await cli(["report", FAILING, "-o", plain])).code).toBe(0);
    expect(readFileSync(plain, "utf8")).not.toContain("data-view");
    const bad = await cli(["report", FAILING, "-o", path.join(tmp, "bad.html"), "--filter", "ep==1 &&"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(
      /--filter: expected a field name, found the end of the filter \(column 9\)\n.*ep==1 &&\n *\^/,
    );
  });

  it("escapes a hostile file name in the title and the data block", async () => {
    const name = `<img src=x onerror=alert(1)>"'.pcap`;
    const file = path.join(tmp, name);
    writeFileSync(file, readFileSync(FAILING));
    const out = path.join(tmp, "hostile.html");
    expect((await cli(["report", file, "-o", out])).code).toBe(0);
    const html = readFileSync(out, "utf8");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });

  it("refuses a capture larger than --max-mb with a clear message, and a missing file", async () => {
    const out = path.join(tmp, "big.html");
    const r = await cli(["report", FAILING, "-o", out, "--max-mb", "0.001"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is 0\.0 MB, more than the report's limit of 0\.001 MB; raise it with --max-mb 1/);
    const missing = await cli(["report", path.join(tmp, "nope.pcap"), "-o", out]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/nope\.pcap: no such file/);
    expect((await cli(["report", FAILING])).code).toBe(2); // -o is required
  });
});
