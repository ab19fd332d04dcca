import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { allRules } from "../../src/rules/registry.js";
import { sourceTagOf } from "../../src/rules/sources.js";
import { publicDir } from "../helpers/paths.js";
import { cli } from "../helpers/cli.js";

// Rules usbscope adds beyond RULES.md, each documented in the README's rule list.
const OWN = [
  "FMT_PACKET_TRUNCATED",
  "FMT_FRAMING",
  "FMT_TEXT_MALFORMED",
  "URB_TYPE_MISMATCH",
  "FMT_TIMESTAMP",
  "URB_UNKNOWN_TYPE",
  "CAPTURE_GLITCH",
  "FMT_LINKTYPE_OTHER",
  // The class rules (issue 15; README "Class rules").
  "MSC_CBW_INVALID",
  "MSC_CSW_INVALID",
  "MSC_CSW_MISSING",
  "MSC_PHASE_ERROR",
  "MSC_RESIDUE",
  "MSC_DATA_OVERRUN",
  "HID_REPORT_ID",
  "HID_REPORT_SIZE",
  "HID_REPORT_MPS",
  "HID_BOOT_LAYOUT",
  "HID_LOGICAL_RANGE",
  "HID_FIELD_SIZE",
  "CRC16_SNIFFER_TAP",
  "DFU_STATUS_ERROR",
  "DFU_DNLOAD_STATE",
  "DFU_POLL_EARLY",
  "IAD_MISSING",
  "IAD_COVERAGE",
  "CDC_UNION_INTERFACE",
  "CDC_NOTIFY_MPS",
];

describe("rule registry", () => {
  const rules = allRules();
  it("has unique IDs, each from RULES.md or usbscope's documented own", () => {
    const catalogue = readFileSync(path.resolve(publicDir, "../RULES.md"), "utf8");
    const ids = rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(catalogue.includes(id) || OWN.includes(id), id).toBe(true);
    for (const r of rules) {
      expect(["error", "warning", "info"]).toContain(r.severity);
      expect(r.spec.length, r.id).toBeGreaterThan(3);
    }
  });
  it("every source a rule cites is a tag `rules --sources` explains, or names its file or page itself", async () => {
    const sources = await cli(["rules", "--sources"]);
    expect(sources.code).toBe(0);
    for (const r of rules)
      for (const ref of r.spec.split(/;\s*/)) {
        const tag = sourceTagOf(ref);
        if (tag)
          expect(sources.out, ref).toMatch(
            new RegExp(`^${tag.tag.replace(/[.]/g, "\\.")} +${tag.what.slice(0, 12)}`, "m"),
          );
        else expect(ref, `${r.id}: ${ref}`).toMatch(/[./]/);
      }
  });
  it("usbscope rules lists them all", async () => {
    const r = await cli(["rules", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).map((x: { id: string }) => x.id)).toEqual(rules.map((x) => x.id));
  });
});
