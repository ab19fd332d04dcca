// HID reports read against the report descriptor (HID 1.11 §5.6, §6.2.2, §8.4; HID Usage Tables 1.4), on the
// wire and as URBs, and the HID report rules proven both ways: each fault fires its rule, the healthy
// session fires nothing above info.
import { describe, expect, it } from "vitest";
import { analyzeSource, bufferSource, type AnalysisResult, type TransferSummary } from "../../src/index.js";
import { hidCapture, SOURCES, type HidHost, type Source } from "./hid.js";
import { HID_REPORTS } from "../../builder/hidDevices.js";

async function analyze(bytes: Uint8Array, ts?: TransferSummary[]): Promise<AnalysisResult> {
  return analyzeSource(bufferSource(bytes), "built", ts ? { onTransfer: (t) => ts.push(t) } : {});
}

const KEYS = Uint8Array.of(0x02, 0x00, 0x04, 0x05, 0, 0, 0, 0); // Left Shift; a, b
const RELEASED = new Uint8Array(8);
const MOUSE = Uint8Array.of(1, 0x01, 0xfd, 0x02, 0xff); // ID 1: button 1, X -3, Y 2, wheel -1
const VOLUME_UP = Uint8Array.of(2, 0xe9, 0x00); // ID 2: Volume Increment
const VENDOR = Uint8Array.from({ length: 20 }, (_, i) => i + 1);

/** Keyboard, mouse, media key, LED output, vendor feature and a 20-byte multi-packet vendor report. */
function healthy(h: HidHost): void {
  h.input(1, KEYS);
  h.input(1, RELEASED);
  h.input(2, MOUSE);
  h.input(2, VOLUME_UP);
  h.setReport(0, 2, 0, Uint8Array.of(0x02)); // Caps Lock LED on
  h.getReport(1, 3, 3, Uint8Array.of(3, 0xde, 0xad, 0xbe, 0xef));
  h.input(3, VENDOR);
  h.output(3, VENDOR);
}

/** The transfers that carry a report: interrupt reports and GET_REPORT / SET_REPORT. */
const hidOnly = (ts: TransferSummary[]) =>
  ts.filter((t) => t.class?.class === "HID" && /report$|^[GS]ET_REPORT$/.test(t.class.name));
const errorsAndWarnings = (r: AnalysisResult) => r.findings.sorted().filter((f) => f.severity !== "info");
const rulesOf = (r: AnalysisResult) => r.findings.sorted().map((f) => `${f.rule} ${f.severity}`);

describe("HID reports against the report descriptor", () => {
  for (const source of SOURCES) {
    it(`names each field by its usage and value (${source})`, async () => {
      const ts: TransferSummary[] = [];
      const r = await analyze(hidCapture(source, healthy), ts);
      expect(hidOnly(ts).map((t) => `${t.kind} ${t.class!.name}: ${t.class!.summary}`)).toEqual([
        "interrupt input report: Left Shift, a, b",
        "interrupt input report: all zero",
        "interrupt input report: report ID 1: Button 1, X -3, Y 2, Wheel -1",
        "interrupt input report: report ID 2: Volume Increment",
        "control SET_REPORT: Caps Lock",
        "control GET_REPORT: report ID 3: Vendor 0xff00:0x02: 4 bytes",
        "interrupt input report: Vendor 0xff00:0x02: 20 bytes",
        "interrupt output report: Vendor 0xff00:0x03: 20 bytes",
      ]);
      const [keys, , mouse, media, led, feature] = hidOnly(ts).map((t) => t.class!.fields);
      expect(keys).toMatchObject({
        interface: 0,
        "Left Control": 0,
        "Left Shift": 1,
        "Right GUI": 0,
        "Keyboard/Keypad": "a, b",
      });
      expect(mouse).toEqual({
        interface: 1,
        reportId: 1,
        "Button 1": 1,
        "Button 2": 0,
        "Button 3": 0,
        X: -3,
        Y: 2,
        Wheel: -1,
      });
      expect(media).toEqual({ interface: 1, reportId: 2, Consumer: "Volume Increment" });
      expect(led).toMatchObject({ interface: 0, reportType: "Output", "Num Lock": 0, "Caps Lock": 1 });
      expect(feature).toMatchObject({
        reportType: "Feature",
        reportId: 3,
        "Vendor 0xff00:0x02": "de ad be ef",
      });
      // The SETUP's own label still says what it targets.
      expect(ts.find((t) => t.class?.name === "SET_REPORT")?.request).toBe(
        "HID SET_REPORT interface 0 Output report",
      );
      expect(errorsAndWarnings(r)).toEqual([]);
      expect(rulesOf(r).filter((x) => x.startsWith("HID_"))).toEqual([]);
    });
  }

  it("splits reports that follow each other without a short packet or a NAK (raw)", async () => {
    const ts: TransferSummary[] = [];
    await analyze(
      hidCapture("raw", (h) => {
        h.input(1, KEYS, { backToBack: true });
        h.input(1, KEYS, { backToBack: true });
        h.input(1, RELEASED);
      }),
      ts,
    );
    expect(hidOnly(ts).map((t) => [t.dataLength, t.class!.summary])).toEqual([
      [8, "Left Shift, a, b"],
      [8, "Left Shift, a, b"],
      [8, "all zero"],
    ]);
  });

  it("reads boot protocol reports by the boot layout (Appendix B.1), not the report descriptor", async () => {
    const ts: TransferSummary[] = [];
    const r = await analyze(
      hidCapture("usbmon", (h) => {
        h.setProtocol(0, 0);
        h.input(1, KEYS);
      }),
      ts,
    );
    expect(hidOnly(ts)[0]!.class).toMatchObject({
      summary: "Left Shift, a, b",
      fields: { protocol: "boot", "Keyboard/Keypad": "a, b" },
    });
    expect(errorsAndWarnings(r)).toEqual([]);
  });
});

/** A fault scenario, the rule and severity it must fire, and on which sources. */
interface Fault {
  name: string;
  steps: (h: HidHost) => void;
  expected: string[];
  sources: Source[];
}

const FAULTS: Fault[] = [
  {
    name: "an input report with an undeclared report ID",
    steps: (h) => h.input(2, Uint8Array.of(7, 0, 0, 0, 0)),
    expected: ["HID_REPORT_ID error"],
    sources: SOURCES,
  },
  {
    name: "a GET_REPORT answer with an undeclared report ID",
    steps: (h) => h.getReport(1, 3, 3, Uint8Array.of(9, 1, 2, 3, 4)),
    expected: ["HID_REPORT_ID error"],
    sources: SOURCES,
  },
  {
    name: "a mouse report shorter than declared",
    steps: (h) => h.input(2, Uint8Array.of(1, 0, 5)),
    expected: ["HID_REPORT_SIZE warning"],
    sources: SOURCES,
  },
  {
    name: "a media key report longer than declared",
    steps: (h) => h.input(2, Uint8Array.of(2, 0xe9, 0, 0, 0)),
    expected: ["HID_REPORT_SIZE info"],
    sources: SOURCES,
  },
  {
    name: "a 12-byte keyboard report on an 8-byte endpoint, the descriptor declaring 8",
    steps: (h) => h.input(1, new Uint8Array(12)),
    expected: ["HID_REPORT_MPS warning"],
    sources: ["usbmon", "usbpcap"],
  },
  {
    name: "a 6-byte keyboard report in boot protocol",
    steps: (h) => {
      h.setProtocol(0, 0);
      h.input(1, Uint8Array.of(0, 0, 4, 0, 0, 0));
    },
    expected: ["HID_BOOT_LAYOUT error"],
    sources: SOURCES,
  },
];

describe("HID report rules, both ways", () => {
  for (const f of FAULTS)
    for (const source of f.sources)
      it(`${f.name} (${source})`, async () => {
        const r = await analyze(hidCapture(source, f.steps));
        expect(rulesOf(r).filter((x) => x.startsWith("HID_"))).toEqual(f.expected);
        expect(errorsAndWarnings(r).every((x) => x.rule.startsWith("HID_"))).toBe(true);
      });

  it("says a repeated fault once per interface, report and length", async () => {
    const r = await analyze(
      hidCapture("usbmon", (h) => {
        for (let i = 0; i < 5; i++) h.input(2, Uint8Array.of(7, 0, 0, 0, 0));
      }),
    );
    expect(rulesOf(r).filter((x) => x.startsWith("HID_"))).toEqual(["HID_REPORT_ID error"]);
  });

  it("a raw capture splits a too-long keyboard report at the declared size: the rest is a short report", async () => {
    const r = await analyze(hidCapture("raw", (h) => h.input(1, new Uint8Array(12))));
    expect(rulesOf(r).filter((x) => x.startsWith("HID_"))).toEqual(["HID_REPORT_SIZE warning"]);
  });
});

/** The vendor interface's descriptor with `range` (Logical Minimum, Maximum items) and `size` (Report Size, Count). */
function vendorReport(range: number[], size: number[]): Uint8Array {
  return Uint8Array.of(
    ...[0x06, 0x00, 0xff, 0x09, 0x01, 0xa1, 0x01, 0x09, 0x02],
    ...range,
    ...size,
    ...[0x81, 0x02, 0x75, 0x08, 0x95, 0x14, 0x09, 0x03, 0x15, 0x00, 0x26, 0xff, 0x00, 0x91, 0x02, 0xc0],
  );
}
const withVendor = (r: Uint8Array) => [HID_REPORTS[0]!, HID_REPORTS[1]!, r];

describe("HID report descriptor rules, both ways", () => {
  const cases: [string, Uint8Array, string[]][] = [
    [
      "Logical Maximum -20 below Logical Minimum -10",
      vendorReport([0x15, 0xf6, 0x25, 0xec], [0x75, 0x08, 0x95, 0x14]),
      ["HID_LOGICAL_RANGE warning"],
    ],
    [
      "0..255 written as a 1-byte Logical Maximum 0xFF (Linux reads it unsigned)",
      vendorReport([0x15, 0x00, 0x25, 0xff], [0x75, 0x08, 0x95, 0x14]),
      ["HID_LOGICAL_RANGE info"],
    ],
    [
      "a 40-bit field",
      vendorReport([0x15, 0x00, 0x26, 0xff, 0x00], [0x75, 0x28, 0x95, 0x04]),
      ["HID_FIELD_SIZE warning"],
    ],
    [
      "a 32-bit field starting at bit 4",
      vendorReport(
        [0x15, 0x00, 0x26, 0xff, 0x00],
        [0x75, 0x04, 0x95, 0x01, 0x81, 0x02, 0x09, 0x04, 0x75, 0x20, 0x95, 0x01],
      ),
      ["HID_FIELD_SIZE warning"],
    ],
    ["the healthy vendor descriptor", HID_REPORTS[2]!, []],
  ];
  for (const [name, report, expected] of cases)
    for (const source of ["raw", "usbmon"] as const)
      it(`${name} (${source})`, async () => {
        const r = await analyze(hidCapture(source, () => {}, { reports: withVendor(report) }));
        expect(rulesOf(r).filter((x) => x.startsWith("HID_"))).toEqual(expected);
        const f = r.findings.sorted().find((x) => x.rule.startsWith("HID_"));
        if (f) expect(f.message).toMatch(/^interface 2 report descriptor: the input item at offset \d+ has /);
      });

  it("shows the finding under the report descriptor in the descriptor tree", async () => {
    const { cli } = await import("../helpers/cli.js");
    const { tempFile } = await import("../builder/helpers.js");
    const file = tempFile(
      hidCapture("usbmon", () => {}, {
        reports: withVendor(vendorReport([0x15, 0xf6, 0x25, 0xec], [0x75, 0x08, 0x95, 0x14])),
      }),
    );
    const out = (await cli(["descriptors", file])).out;
    // Under the interface's report descriptor, after its report sizes (not in the tree's closing Findings list).
    const section = out.slice(out.indexOf("HID Report Descriptor (interface 2"));
    expect(section).toMatch(
      / {2}input report: 20 bytes\n(?: {2}\w+ report: .*\n)* {2}\^ W HID_LOGICAL_RANGE: interface 2 report descriptor/,
    );
  });
});

describe("analyze --json hidReports", () => {
  it("lists each decoded report with its interface, type, route and fields", async () => {
    const { analysisJson } = await import("../../src/index.js");
    const doc = analysisJson(await analyze(hidCapture("usbmon", healthy))) as {
      hidReports: Record<string, unknown>[];
      hidReportsNotListed?: number;
    };
    expect(doc.hidReports.map((r) => [r.interface, r.type, r.via, r.reportId, r.summary])).toEqual([
      [0, "input", "interrupt", undefined, "Left Shift, a, b"],
      [0, "input", "interrupt", undefined, "all zero"],
      [1, "input", "interrupt", 1, "report ID 1: Button 1, X -3, Y 2, Wheel -1"],
      [1, "input", "interrupt", 2, "report ID 2: Volume Increment"],
      [0, "output", "SET_REPORT", undefined, "Caps Lock"],
      [1, "feature", "GET_REPORT", 3, "report ID 3: Vendor 0xff00:0x02: 4 bytes"],
      [2, "input", "interrupt", undefined, "Vendor 0xff00:0x02: 20 bytes"],
      [2, "output", "interrupt", undefined, "Vendor 0xff00:0x03: 20 bytes"],
    ]);
    expect(doc.hidReports[2]).toMatchObject({
      device: 5,
      bus: 1,
      fields: { "Button 1": 1, "Button 2": 0, "Button 3": 0, X: -3, Y: 2, Wheel: -1 },
    });
    expect(Object.keys(doc.hidReports[2]!.fields as object)).not.toContain("interface");
    expect(typeof doc.hidReports[0]!.record).toBe("number");
    expect(doc.hidReportsNotListed).toBeUndefined();
  });

  it("caps the list and counts the rest", async () => {
    const { analysisJson } = await import("../../src/index.js");
    const r = await analyzeSource(bufferSource(hidCapture("raw", healthy)), "built", {
      maxListed: { hidReports: 3 },
    });
    const doc = analysisJson(r) as { hidReports: unknown[]; hidReportsNotListed?: number };
    expect(doc.hidReports.length).toBe(3);
    expect(doc.hidReportsNotListed).toBe(5);
  });
});

describe("hostile report descriptors", () => {
  it("a Report Count of 2^32 - 1 lists at most 64 values and reads a 64 KiB report at once", async () => {
    const { parseHidReportDescriptor } = await import("../../src/descriptors/hidReport.js");
    const { decodeHidReport } = await import("../../src/classes/hidReportData.js");
    const huge = [0x97, 0xff, 0xff, 0xff, 0xff]; // Report Count, 4 bytes
    for (const [flags, size] of [
      [0x02, 0x01], // variable, 1 bit
      [0x00, 0x08], // array, 8 bits
    ] as const) {
      const desc = parseHidReportDescriptor(
        Uint8Array.of(
          0x05,
          0x07,
          0x19,
          0x00,
          0x29,
          0xff,
          0x15,
          0x00,
          0x26,
          0xff,
          0x00,
          0x75,
          size,
          ...huge,
          0x81,
          flags,
        ),
      );
      const data = new Uint8Array(65536).fill(flags ? 0x55 : 0x04);
      const r = decodeHidReport(desc, "input", data);
      expect(r.report?.bytes).toBe(Math.ceil((size * 0xffffffff) / 8));
      expect(Object.keys(r.decode.fields).length).toBeLessThanOrEqual(64);
      expect(r.decode.summary!.split(", ").length).toBeLessThanOrEqual(64);
    }
  });
});
