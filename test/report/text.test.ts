// The text report on built captures: findings ranked (errors, warnings, info, each in capture order),
// repeats grouped with count and record range (--all: one line each), wrapped at a width with the text
// indented under itself, colour only when asked, usbmon text times, `seen` devices and the timeline of a
// failing device.
import { describe, it, expect } from "vitest";
import { urbCapture } from "../../builder/capture.js";
import { UrbErrno } from "../../builder/urb.js";
import { setupPacket } from "../../builder/device.js";
import { langIdDesc } from "../../builder/descriptors.js";
import { analyzeSource } from "../../src/analyze.js";
import { bufferSource } from "../../src/capture/source.js";
import { analysisText } from "../../src/report/text.js";
import { analysisJson } from "../../src/report/json.js";
import { causeOf, groupFindings, rankFindings } from "../../src/report/findingGroups.js";
import { wrap } from "../../src/report/layout.js";
import { widgetDevice } from "../helpers/widgetDevice.js";
import type { Finding } from "../../src/usb/finding.js";

const dev = widgetDevice;
const analyze = (bytes: Uint8Array) => analyzeSource(bufferSource(bytes), "built");

/**
 * Enumeration with the full configuration read STALLed (CFG_READ_FAIL, an error), then bulk IN URBs on 0x81
 * killed with -2 ENOENT (info) and 2 failed with -71 EPROTO (warnings: a different cause, same endpoint).
 */
function messy(format: "usbmon64" | "text") {
  return urbCapture({ format, busnum: 1 }, (host) => {
    host.enumerate(dev, { faults: { configAll: { stall: "data" } } });
    host.idle(1_000_000);
    for (let i = 0; i < 5; i++) host.bulkIn(dev.address, 1, new Uint8Array(0), { status: UrbErrno.ENOENT });
    for (let i = 0; i < 2; i++) host.bulkIn(dev.address, 1, new Uint8Array(0), { status: UrbErrno.EPROTO });
  });
}

function findingLines(text: string): string[] {
  const at = text.indexOf("\nFindings\n");
  expect(at).toBeGreaterThan(0);
  return text
    .slice(at + "\nFindings\n".length)
    .split("\n")
    .filter((l) => /^ {2}(error|warning|info)\b/.test(l));
}

describe("text report: ranking and grouping", () => {
  it("lists errors, then warnings, then info, each in capture order; the JSON keeps capture order and every finding", async () => {
    const r = await analyze(messy("usbmon64").bytes);
    const lines = findingLines(analysisText(r, { all: true }));
    const severities = lines.map((l) => l.trim().split(/\s+/)[0]);
    const rank = { error: 0, warning: 1, info: 2 } as Record<string, number>;
    expect(severities).toContain("error");
    expect(severities).toContain("warning");
    for (let i = 1; i < severities.length; i++)
      expect(rank[severities[i]!]!).toBeGreaterThanOrEqual(rank[severities[i - 1]!]!);
    // Within a severity, record indices go up.
    const bySeverity = new Map<string, number[]>();
    for (const l of lines) {
      const [sev] = l.trim().split(/\s+/);
      const at = Number(/ #(\d+)/.exec(l)![1]);
      bySeverity.set(sev!, [...(bySeverity.get(sev!) ?? []), at]);
    }
    for (const list of bySeverity.values()) expect(list).toEqual([...list].sort((a, b) => a - b));
    // JSON: every finding, in capture order (not ranked, not grouped).
    const doc = analysisJson(r) as { findings: { packet?: number }[] };
    expect(doc.findings).toHaveLength(r.findings.kept.length);
    const packets = doc.findings.map((f) => f.packet ?? Infinity);
    expect(packets).toEqual([...packets].sort((a, b) => a - b));
  });

  it("groups repeats of one cause on one endpoint into a line with count and record range; --all lists each", async () => {
    const r = await analyze(messy("usbmon64").bytes);
    const enoent = r.findings.kept.filter((f) => f.rule === "URB_ERROR" && f.message.includes("ENOENT"));
    const eproto = r.findings.kept.filter((f) => f.rule === "URB_ERROR" && f.message.includes("EPROTO"));
    expect(enoent.length).toBeGreaterThanOrEqual(3);
    expect(eproto).toHaveLength(2);
    const n = enoent.length;
    const grouped = findingLines(analysisText(r));
    const enoentLines = grouped.filter((l) => l.includes("ENOENT"));
    expect(enoentLines).toHaveLength(1);
    expect(enoentLines[0]).toMatch(
      new RegExp(
        `5× URB_ERROR +#${enoent[0]!.packet}-#${enoent[4]!.packet} \\+\\d+\\.\\d{6}s dev 5  URB completed with -2 ENOENT`,
      ),
    );
    // A different cause on the same endpoint is its own group.
    expect(grouped.filter((l) => l.includes("EPROTO"))).toHaveLength(1);
    expect(grouped.find((l) => l.includes("EPROTO"))).toMatch(/2× URB_ERROR/);
    expect(analysisText(r)).toMatch(new RegExp(`${r.findings.kept.length} findings on \\d+ lines: repeats`));
    // One line of repeats is "1 line".
    const one = await analyze(messy("usbmon64").bytes);
    one.findings.kept.splice(0, Infinity, ...enoent);
    expect(analysisText(one)).toContain(`${n} findings on 1 line: repeats are grouped`);
    const all = findingLines(analysisText(r, { all: true }));
    expect(all.filter((l) => l.includes("ENOENT"))).toHaveLength(n);
    expect(all.join("\n")).not.toContain("×");
    expect(all).toHaveLength(r.findings.kept.length);
  });

  it("a clean capture has no findings section and nothing grouped", async () => {
    const { bytes } = urbCapture({ format: "usbmon64", busnum: 1 }, (host) => {
      host.enumerate(dev);
      host.bulkIn(dev.address, 1, new Uint8Array(64).fill(1));
    });
    const text = analysisText(await analyze(bytes));
    expect(text).toContain("findings      0 errors, 0 warnings, 0 info");
    expect(text).not.toContain("\nFindings\n");
    expect(text).not.toContain("×");
  });

  it("keys: the words of a message separate causes, the numbers in it do not; device and endpoint separate", () => {
    const f = (message: string, extra: Partial<Finding> = {}): Finding => ({
      rule: "X",
      severity: "info",
      message,
      device: 5 as Finding["device"],
      endpoint: 0x81 as Finding["endpoint"],
      ...extra,
    });
    expect(causeOf(f("URB ffff9bc0ba4e5600 has -2 ENOENT on DATA0"))).toBe(
      causeOf(f("URB dab6b880 has -2 ENOENT on DATA1")),
    );
    expect(causeOf(f("-2 ENOENT"))).not.toBe(causeOf(f("-32 EPIPE")));
    const groups = groupFindings([
      f("a 1", { packet: 1 }),
      f("a 2", { packet: 2 }),
      f("a 3", { packet: 3, device: 6 as Finding["device"] }),
      f("a 4", { packet: 4, endpoint: 0x82 as Finding["endpoint"] }),
      f("a 5", { packet: 5, severity: "error" }),
      f("a 5", { packet: 6 }),
    ]);
    expect(groups.map((g) => [g.first.packet, g.count, g.sameMessage])).toEqual([
      [5, 1, true],
      [1, 3, false],
      [3, 1, true],
      [4, 1, true],
    ]);
    expect(
      rankFindings([f("i", { packet: 0 }), f("e", { packet: 9, severity: "error" })]).map((x) => x.message),
    ).toEqual(["e", "i"]);
  });
});

describe("text report: width and colour", () => {
  it("wraps at the width, the text indented under its start, rule IDs in one column", async () => {
    const r = await analyze(messy("usbmon64").bytes);
    for (const width of [60, 80, 100]) {
      const text = analysisText(r, { width });
      const lines = text.split("\n");
      for (const l of lines) expect(l.length, `${width}: ${l}`).toBeLessThanOrEqual(width);
      const findings = lines.slice(lines.indexOf("Findings") + 1);
      const heads = findings.filter((l) => /^ {2}(error|warning|info)\b/.test(l));
      // The text starts in the same column on every finding line, and continuation lines start there too.
      const start = heads.map((l) => l.search(/#\d/));
      expect(new Set(start).size).toBe(1);
      const continuation = findings.filter((l) => /^ {3,}\S/.test(l) && !/^ {2}(error|warning|info)/.test(l));
      expect(continuation.length).toBeGreaterThan(0);
      for (const l of continuation.slice(0, -1)) if (l.trim()) expect(l.search(/\S/), l).toBe(start[0]);
    }
    // No width: one line per finding, as a library user gets by default.
    expect(findingLines(analysisText(r)).length).toBe(groupFindings(r.findings.kept).length);
  });

  it("cuts a word longer than the room, keeps what sanitising removed out, and never loses a character", () => {
    const hostile = `${"W".repeat(150)} end`;
    const lines = wrap("  head  ", hostile, 60);
    expect(lines.every((l) => l.length <= 60)).toBe(true);
    expect(lines.join("").replace(/\s+/g, "")).toBe(`head${hostile}`.replace(/\s+/g, ""));
    expect(lines.slice(1).every((l) => l.startsWith(" ".repeat(8)))).toBe(true);
    // Surrogate pairs count as one character and are never split.
    const emoji = wrap("", "😀".repeat(70), 40);
    expect(emoji.join("")).toBe("😀".repeat(70));
    expect(emoji.every((l) => Array.from(l).length <= 40)).toBe(true);
  });

  it("colours severity words and verdicts only when asked; text is otherwise the same", async () => {
    const r = await analyze(messy("usbmon64").bytes);
    const plain = analysisText(r, { width: 100 });
    const coloured = analysisText(r, { width: 100, color: true });
    expect(plain).not.toContain("\u001b");
    expect(coloured).toContain("\u001b[31merror\u001b[0m");
    expect(coloured).toContain("\u001b[33mwarning\u001b[0m");
    expect(coloured).toContain("\u001b[31mFAIL\u001b[0m");
    // eslint-disable-next-line no-control-regex
    expect(coloured.replace(/\u001b\[\d+m/g, "")).toBe(plain);
  });
});

describe("text report: what it says about time and devices", () => {
  it("usbmon text findings carry their time, as the other formats' do", async () => {
    for (const format of ["text", "usbmon64"] as const) {
      const text = analysisText(await analyze(messy(format).bytes), { all: true });
      const lines = findingLines(text);
      expect(lines.length).toBeGreaterThan(0);
      for (const l of lines) expect(l, format).toMatch(/#\d+ \+\d+\.\d{6}s /);
    }
  });

  it("a failing device shows its enumeration timeline with the time between requests; an ok one does not", async () => {
    const bad = analysisText(await analyze(messy("usbmon64").bytes));
    expect(bad).toMatch(/FAIL bus 1 device 5 /);
    expect(bad).toContain("enumeration timeline (time since the previous request):");
    expect(bad).toMatch(/#\d+ +\+10\.\d ms {2}GET_DESCRIPTOR DEVICE \(wLength 18\)/);
    expect(bad).toMatch(/GET_DESCRIPTOR CONFIGURATION \(wLength \d+\) {2}STALLed/);
    const { bytes } = urbCapture({ format: "usbmon64", busnum: 1 }, (host) => host.enumerate(dev));
    const good = analysisText(await analyze(bytes));
    expect(good).toMatch(/ok {3}bus 1 device 5 [0-9a-f]{4}:[0-9a-f]{4} "Widget": configured/);
    expect(good).not.toContain("timeline");
  });

  it("a device whose enumeration is not in the capture is `seen`, not `ok ... addressed`", async () => {
    // Only traffic of a device already in use: a string read at its address and a bulk read.
    const { bytes } = urbCapture({ format: "usbmon64", busnum: 1 }, (host) => {
      host.control(9, setupPacket(0x80, 6, 0x0300, 0, 255), { response: langIdDesc() });
      host.bulkIn(9, 1, new Uint8Array(8).fill(2));
    });
    const text = analysisText(await analyze(bytes));
    expect(text).toMatch(/seen bus 1 device 9: in use before the capture began/);
    expect(text).not.toMatch(/ok {3}bus 1 device 9/);
    // A device enumerated in the capture is ok, not seen.
    const { bytes: enumerated } = urbCapture({ format: "usbmon64", busnum: 1 }, (host) =>
      host.enumerate(dev),
    );
    expect(analysisText(await analyze(enumerated))).not.toContain("seen ");
  });
});
