// The fuzzer in the test suite (README "Reliability"): a bounded, deterministic slice of `npm run fuzz` (a fixed
// seed, the same inputs every run), every regression capture a fuzzing run saved, and the record accounting on
// every public and bundled capture.
import { describe, it, expect, beforeAll } from "vitest";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadSeeds, type Seed } from "../../fuzz/corpus.js";
import { mutateInput, rngFor } from "../../fuzz/mutate.js";
import { checkAccounting, checkInput, fuzzCore, tsharkDifference } from "../../fuzz/invariants.js";
import type { Core } from "../../src/core/core.js";
import { analyzeFile } from "../../src/analyze.js";
import { bundledCaptures, publicCaptures, publicDir, repoRoot } from "../helpers/paths.js";
import { tsharkFields } from "../helpers/tshark.js";
import { tmpdir } from "node:os";

/** The slice: this seed, this many executions (about half a minute on this project's 2 cores). */
const SEED = 13;
const EXECS = 6000;

/** The container an input's magic names ("other": usbmon text, or damaged beyond recognition). */
function container(b: Uint8Array): string {
  const m = b.length >= 4 ? (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0 : 0;
  if (m === 0xa1b2c3d4 || m === 0xa1b23c4d) return "pcap little-endian";
  if (m === 0xd4c3b2a1 || m === 0x4d3cb2a1) return "pcap big-endian";
  return m === 0x0a0d0d0a ? "pcapng" : "other";
}

let core: Core;
let seeds: Seed[];
beforeAll(async () => {
  core = await fuzzCore();
  seeds = loadSeeds(repoRoot);
});

describe("npm run fuzz, a deterministic slice", () => {
  it(`keeps every invariant on ${EXECS} mutated captures of seed ${SEED}`, async () => {
    const broken: string[] = [];
    const kinds = new Set<string>();
    for (let exec = 0; exec < EXECS; exec++) {
      const input = mutateInput(seeds, rngFor(SEED, exec));
      kinds.add(container(input));
      const v = await checkInput(input, core);
      if (v.broken) broken.push(`execution ${exec}: ${v.broken}: ${(v.message ?? "").split("\n")[0]}`);
    }
    expect(broken).toEqual([]);
    // The slice reaches every container: pcap (both byte orders), pcapng and usbmon text.
    expect([...kinds].sort()).toEqual(["other", "pcap big-endian", "pcap little-endian", "pcapng"]);
  }, 300_000);
  it("reads as many records as tshark from the inputs tshark reads whole, or says where it stopped", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "usbscope-fuzz-"));
    try {
      let compared = 0;
      for (let exec = 0; compared < 3; exec += 97) {
        const input = mutateInput(seeds, rngFor(SEED, exec));
        if (container(input) === "other") continue;
        const file = path.join(dir, `${exec}.pcap`);
        writeFileSync(file, input);
        let frames: number;
        try {
          frames = tsharkFields(file, ["frame.number"]).length;
        } catch {
          continue; // tshark does not read it whole: nothing to compare
        }
        compared++;
        expect(tsharkDifference(await checkInput(input, core), frames), `execution ${exec}`).toBeUndefined();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("regression captures saved by npm run fuzz", () => {
  const dir = path.join(repoRoot, "test/fuzz/regressions");
  const files = existsSync(dir)
    ? readdirSync(dir).filter((f) => !f.endsWith(".json") && !f.endsWith(".md"))
    : [];
  it("are there, each with the invariant it broke", () => {
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const note = JSON.parse(readFileSync(path.join(dir, f.replace(/\.[a-z]+$/, ".json")), "utf8"));
      expect(f.startsWith(`${note.invariant}-`), f).toBe(true);
    }
  });
  for (const f of files)
    it(`${f} keeps every invariant now`, async () => {
      const v = await checkInput(new Uint8Array(readFileSync(path.join(dir, f))), core);
      expect(v.broken ? `${v.broken}: ${v.message}` : "ok").toBe("ok");
    });
});

describe("record accounting", () => {
  const texts = readdirSync(path.join(publicDir, "real"))
    .filter((f) => /\.(mon|usbmon)$/.test(f))
    .map((f) => path.join(publicDir, "real", f));
  for (const file of [...publicCaptures(), ...bundledCaptures(), ...texts])
    it(`accounts for every record of ${path.basename(path.dirname(file))}/${path.basename(file)}`, async () => {
      const r = await analyzeFile(file, { core });
      checkAccounting(r);
      const a = r.recordAccounting;
      expect(a.read).toBeGreaterThan(0);
      expect(a.framingErrors).toBe(0);
      if (r.capture.format !== "usbmon-text") expect(a.read).toBe(r.capture.records);
    });
});
