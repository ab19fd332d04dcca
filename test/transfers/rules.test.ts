import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { transferRules } from "../../src/transfers/rules.js";

const RULES_MD = readFileSync(path.resolve(__dirname, "../../../shared/RULES.md"), "utf8");

describe("transfer rule infos", () => {
  it("uses only rule IDs that RULES.md defines, each once", () => {
    const ids = transferRules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(RULES_MD, id).toMatch(new RegExp(`\\| ${id} \\|`));
  });

  it("gives each rule a severity, a spec citation and a title", () => {
    for (const r of transferRules) {
      expect(["error", "warning", "info"]).toContain(r.severity);
      expect(r.spec).toMatch(/USB 2\.0 §|WS-LL|KEIL|AXL|MS-D/);
      expect(r.title.length).toBeGreaterThan(10);
    }
  });

  it("matches the severities RULES.md gives (E error, W warning, I info)", () => {
    for (const r of transferRules) {
      const row = RULES_MD.split("\n").find((l) => l.startsWith(`| ${r.id} |`))!;
      const sev = row.split("|")[2].trim()[0];
      expect({ id: r.id, sev: r.severity[0].toUpperCase() }).toEqual({ id: r.id, sev });
    }
  });
});
