// Start-up of the bin (issue 16): the bundle runs from the V8 code cache `npm run build` made, falls back to
// compiling when the cache is unusable, and cli/program.ts builds only the command a run names.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "../helpers/paths.js";
import { tempDir } from "../verify/helpers.js";
import { compileBundle, readCodeCache } from "../../cli/codeCache.js";
import { buildProgram } from "../../cli/program.js";
import { Readable } from "node:stream";

const BUNDLE = path.join(repoRoot, "dist/usbscope.cjs");
const CAPTURE = path.join(repoRoot, "captures/config-first-packet-only/capture.pcap");
const io = { out: () => {}, err: () => {}, stdin: Readable.from([]) };
const run = (bin: string, args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });

describe("the code cache of the bundled command line", () => {
  it("is made by the build and V8 accepts it", () => {
    const cache = readCodeCache(BUNDLE);
    expect(cache?.length).toBeGreaterThan(100_000);
    expect(compileBundle(BUNDLE, cache).cachedDataRejected).toBe(false);
    // Without a cache nothing is rejected, and V8 says so: the check above can tell the two apart.
    expect(compileBundle(BUNDLE).cachedDataRejected).toBeUndefined();
  });

  it("is not used when it is older than the bundle", () => {
    const dir = tempDir();
    const bundle = path.join(dir, "usbscope.cjs");
    writeFileSync(bundle, "0");
    writeFileSync(`${bundle}.cache`, "cache");
    expect(readCodeCache(bundle)?.toString()).toBe("cache");
    utimesSync(`${bundle}.cache`, new Date(1000), new Date(1000));
    expect(readCodeCache(bundle)).toBeUndefined();
  });

  it("the bin compiles without it when V8 rejects it, and does the same", () => {
    const root = tempDir();
    mkdirSync(path.join(root, "dist"));
    mkdirSync(path.join(root, "build"));
    for (const f of ["usbscope.mjs", "usbscope.cjs"])
      copyFileSync(path.join(repoRoot, "dist", f), path.join(root, "dist", f));
    copyFileSync(path.join(repoRoot, "build/usbscope.wasm"), path.join(root, "build/usbscope.wasm"));
    const cache = readFileSync(`${BUNDLE}.cache`);
    cache.fill(0x5a, 0, 64);
    writeFileSync(path.join(root, "dist/usbscope.cjs.cache"), cache);
    expect(compileBundle(path.join(root, "dist/usbscope.cjs"), cache).cachedDataRejected).toBe(true);
    const a = run(path.join(root, "dist/usbscope.mjs"), ["analyze", "--json", CAPTURE]);
    const b = run(path.join(repoRoot, "dist/usbscope.mjs"), ["analyze", "--json", CAPTURE]);
    expect(a.stderr).toBe("");
    expect(a.status).toBe(1);
    expect(a.stdout).toBe(b.stdout);
    expect(JSON.parse(a.stdout)).toHaveProperty("findings");
  });
});

describe("the bin's standard streams", () => {
  it("reads a capture on stdin (process.stdin is made only when a command reads it)", () => {
    const bin = path.join(repoRoot, "dist/usbscope.mjs");
    const piped = spawnSync(process.execPath, [bin, "analyze", "--json", "-"], {
      input: readFileSync(CAPTURE),
      encoding: "utf8",
    });
    const file = run(bin, ["analyze", "--json", CAPTURE]);
    expect(piped.stderr).toBe("");
    expect(piped.status).toBe(1);
    const a = JSON.parse(piped.stdout) as { findings: unknown };
    const b = JSON.parse(file.stdout) as { findings: unknown };
    expect(a.findings).toEqual(b.findings);
  });
});

describe("the program a run builds", () => {
  const names = [
    "analyze",
    "packets",
    "transfers",
    "descriptors",
    "verify",
    "expect",
    "diff",
    "rules",
    "view",
    "report",
    "live",
    "filter",
    "export",
  ];

  it("has only the command the first word names", async () => {
    for (const name of names) {
      const program = await buildProgram(io, () => {}, [name, "x"]);
      expect(program.commands.map((c) => c.name())).toEqual([name]);
    }
  });

  it("has every command, in order, for anything else", async () => {
    for (const argv of [[], ["--help"], ["help", "analyze"], ["analyse", "x"]]) {
      const program = await buildProgram(io, () => {}, argv);
      expect(program.commands.map((c) => c.name())).toEqual(names);
    }
  });
});
