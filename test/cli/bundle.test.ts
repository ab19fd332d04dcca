// The package's bin is the bundled command line (dist/usbscope.mjs, scripts/bundleCli.ts): it must do what the
// unbundled dist/cli/main.js does, finding the WASM core, the viewer and the verify worker from its own place.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "../helpers/paths.js";
import { buildCapture, tempDir, writeCapture } from "../verify/helpers.js";

const pkg = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
  bin: { usbscope: string };
};
const BUNDLE = path.join(repoRoot, pkg.bin.usbscope);
const MAIN = path.join(repoRoot, "dist/cli/main.js");
const run = (bin: string, args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });

describe("the usbscope bin", () => {
  it("is the bundle, one file", () => {
    expect(pkg.bin.usbscope).toBe("dist/usbscope.mjs");
    expect(statSync(BUNDLE).isFile()).toBe(true);
    expect(readFileSync(BUNDLE, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("analyzes, verifies with workers and writes a report as dist/cli/main.js does", () => {
    const capture = path.join(repoRoot, "captures/config-first-packet-only/capture.pcap");
    const a = run(BUNDLE, ["analyze", "--json", capture]);
    const b = run(MAIN, ["analyze", "--json", capture]);
    expect(a.status).toBe(1);
    expect(a.stdout).toBe(b.stdout);
    const dir = tempDir();
    for (let i = 0; i < 20; i++)
      writeCapture(dir, `t${i}.pcap`, buildCapture("pcap", i % 2 ? { bulkIn: { wMaxPacketSize: 32 } } : {}));
    const product = writeCapture(
      tempDir(),
      "product.json",
      run(BUNDLE, ["expect", path.join(dir, "t0.pcap")]).stdout,
    );
    const v = run(BUNDLE, ["verify", "--json", "--jobs", "2", "--expect", product, dir]);
    const w = run(MAIN, ["verify", "--json", "--jobs", "1", "--expect", product, dir]);
    expect(v.stderr).toBe("");
    expect(v.stdout).toBe(w.stdout);
    expect(v.stdout.trimEnd().split("\n")).toHaveLength(20);
    const html = path.join(tempDir(), "r.html");
    const r = run(BUNDLE, ["report", capture, "-o", html]);
    expect(r.status).toBe(0);
    expect(statSync(html).size).toBeGreaterThan(100_000);
  });
});
