// The bundled golden captures (captures/, listed in captures/MANIFEST.json): each is rebuilt from
// scripts/captures.ts and must match the committed bytes, and usbscope must say about it what the
// scenario's injected fault calls for.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { analyzeFile } from "../../src/analyze.js";
import { goldenCaptures } from "../../scripts/captures.js";
import { repoRoot } from "../helpers/paths.js";
import { tsharkFields } from "../helpers/tshark.js";
import { cli } from "../helpers/cli.js";

const golden = goldenCaptures();
const manifest = JSON.parse(readFileSync(path.join(repoRoot, "captures/MANIFEST.json"), "utf8")) as Array<
  Record<string, unknown>
>;

describe("golden captures", () => {
  it("the manifest lists exactly the scenarios of scripts/captures.ts (run `npm run captures` after changing them)", () => {
    expect(manifest.map((m) => m.name)).toEqual(golden.map((g) => g.name));
    for (const g of golden) {
      const { bytes: _b, ...entry } = g;
      expect(manifest.find((m) => m.name === g.name)).toEqual({
        ...entry,
        path: `captures/${g.name}/${g.file}`,
      });
    }
  });

  for (const g of golden) {
    describe(g.name, () => {
      const file = path.join(repoRoot, "captures", g.name, g.file);
      it("is byte for byte what the builder makes", () => {
        expect(Buffer.compare(readFileSync(file), Buffer.from(g.bytes))).toBe(0);
      });
      it("gets the findings its fault calls for, and no other error", async () => {
        const r = await analyzeFile(file);
        const findings = r.findings.sorted();
        for (const e of g.expect) {
          const match = findings.find(
            (f) =>
              f.rule === e.rule &&
              (e.packet === undefined || f.packet === e.packet) &&
              (e.severity === undefined || f.severity === e.severity),
          );
          expect(
            match,
            `${e.rule} at ${e.packet}: got ${findings.map((f) => `${f.rule}#${f.packet}`).join(", ")}`,
          ).toBeDefined();
        }
        for (const e of g.expect) if (e.packet !== undefined) expect(e.packet).toBeGreaterThanOrEqual(0);
        expect(r.findings.countBySeverity.error).toBe(g.errors);
        for (const rule of g.silent ?? []) expect(r.findings.countByRule.get(rule) ?? 0, rule).toBe(0);
        if (g.diagnosis === "ok") expect(r.descriptors.diagnoses.every((d) => d.ok)).toBe(true);
        else if (g.diagnosis)
          expect(r.descriptors.diagnoses.some((d) => !d.ok && d.verdict.includes(g.diagnosis!))).toBe(true);
      });
      it("usbscope analyze prints report.txt (into a pipe: 100 columns, no colour; `npm run captures` rewrites it)", async () => {
        const expected = readFileSync(path.join(repoRoot, "captures", g.name, "report.txt"), "utf8");
        const r = await cli(["analyze", `captures/${g.name}/${g.file}`]);
        expect(r.code).toBe(g.errors > 0 ? 1 : 0);
        expect(r.out).toBe(expected);
      });
      if (g.file !== "capture.mon") {
        it("has as many records as tshark has frames", async () => {
          const r = await analyzeFile(file);
          expect(r.capture.records).toBe(tsharkFields(file, ["frame.number"]).length);
        });
      }
    });
  }
});
