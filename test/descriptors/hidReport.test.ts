import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import path from "node:path";
import { parseHidReportDescriptor } from "../../src/descriptors/hidReport.js";
import { publicDir } from "../helpers/paths.js";

const HID_DIR = path.join(publicDir, "packetry/hid");

/** Packetry prints one "○ Input report #3 (2 bytes):" header per input/output report. */
function referenceHeaders(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("○ "))
    .map((l) => l.slice(2).replace(/:$/, ""))
    .sort();
}

describe("HID report descriptor parser", () => {
  const cases = readdirSync(HID_DIR).filter((d) => existsSync(path.join(HID_DIR, d, "descriptor.bin")));
  it("finds the Packetry HID test cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(9);
  });
  for (const name of cases) {
    it(`agrees with Packetry on the input and output reports of ${name}`, () => {
      const bytes = new Uint8Array(readFileSync(path.join(HID_DIR, name, "descriptor.bin")));
      const parsed = parseHidReportDescriptor(bytes);
      expect(parsed.truncated).toBeUndefined();
      const mine = parsed.reports
        .filter((r) => r.type !== "feature")
        .map(
          (r) =>
            `${r.type === "input" ? "Input" : "Output"} report${r.reportId ? ` #${r.reportId}` : ""} (${r.bytes} byte${r.bytes === 1 ? "" : "s"})`,
        )
        .sort();
      expect(mine).toEqual(referenceHeaders(readFileSync(path.join(HID_DIR, name, "reference.txt"), "utf8")));
    });
  }

  it("decodes the items of a boot mouse descriptor with usage page, sizes and counts", () => {
    // HID 1.11 Appendix E.10 boot mouse report descriptor (first part).
    const b = new Uint8Array([
      0x05, 0x01, 0x09, 0x02, 0xa1, 0x01, 0x09, 0x01, 0xa1, 0x00, 0x05, 0x09, 0x19, 0x01, 0x29, 0x03, 0x15,
      0x00, 0x25, 0x01, 0x95, 0x03, 0x75, 0x01, 0x81, 0x02, 0x95, 0x01, 0x75, 0x05, 0x81, 0x01, 0x05, 0x01,
      0x09, 0x30, 0x09, 0x31, 0x15, 0x81, 0x25, 0x7f, 0x75, 0x08, 0x95, 0x02, 0x81, 0x06, 0xc0, 0xc0,
    ]);
    const p = parseHidReportDescriptor(b);
    expect(p.items[0]).toMatchObject({ type: "global", name: "Usage Page", text: "Generic Desktop" });
    expect(p.items.find((i) => i.name === "Logical Minimum" && i.value === 0x81)?.text).toBe("-127");
    expect(p.reports).toEqual([{ type: "input", reportId: 0, bits: 24, bytes: 3 }]);
    expect(p.problems).toEqual([]);
  });

  it("marks a report descriptor whose last item is cut short as truncated and reports unclosed collections", () => {
    const p = parseHidReportDescriptor(new Uint8Array([0x05, 0x01, 0xa1, 0x01, 0x26, 0xff]));
    expect(p.truncated).toBe(true);
    expect(p.problems.join(" ")).toContain("not closed");
  });
});
