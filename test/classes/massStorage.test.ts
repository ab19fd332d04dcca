// Mass storage (Bulk-Only Transport) as command objects, and its rules proven both ways (BOT 1.0 §5, §6):
// each fault on a built capture fires its rule; the healthy session, on the wire and as URBs, fires none.
import { describe, expect, it } from "vitest";
import { analyzeSource, bufferSource, type AnalysisResult, type TransferSummary } from "../../src/index.js";
import { Cdb, cbw, csw, inquiryData } from "../../builder/massStorage.js";
import { healthySession, mscCapture, type Source, type Step } from "./msc.js";

async function analyze(bytes: Uint8Array, transfers?: TransferSummary[]): Promise<AnalysisResult> {
  return analyzeSource(
    bufferSource(bytes),
    "built",
    transfers ? { onTransfer: (t) => transfers.push(t) } : {},
  );
}

const SOURCES: Source[] = ["raw", "usbmon", "usbpcap"];

describe("mass storage commands (BOT 1.0)", () => {
  for (const source of SOURCES) {
    it(`reads a healthy session as command objects, with no error and no warning (${source})`, async () => {
      const ts: TransferSummary[] = [];
      const r = await analyze(mscCapture(source, healthySession()), ts);
      expect(r.massStorageCommands.map((c) => c.summary)).toEqual([
        "INQUIRY: 36 of 36 bytes in, passed (USBSCOPE Test Disk 1.00, direct access block device, removable)",
        "TEST UNIT READY: no data, failed",
        "REQUEST SENSE: 18 of 18 bytes in, passed (UNIT ATTENTION: NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED)",
        "READ CAPACITY(10): 8 of 8 bytes in, passed (8000 blocks of 512 bytes (3.9 MiB))",
        "READ(10) LBA 0, 8 blocks: 4096 of 4096 bytes in, passed",
        "WRITE(10) LBA 100, 1 block: 512 of 512 bytes out, passed",
        "TEST UNIT READY: no data, passed",
      ]);
      expect(r.massStorageCommands.every((c) => c.outcome === "complete")).toBe(true);
      expect(r.massStorageCommands[4]).toMatchObject({
        command: "READ(10)",
        tag: 5,
        lun: 0,
        direction: "in",
        dataTransferLength: 4096,
        dataLength: 4096,
        residue: 0,
        status: "passed",
        fields: { lba: 0, blocks: 8 },
      });
      expect(r.findings.sorted().filter((f) => f.severity !== "info")).toEqual([]);
      // Each transfer says what it is: CBW, data, CSW.
      const names = ts.filter((t) => t.class?.class === "mass storage").map((t) => t.class!.name);
      expect(names.slice(0, 3)).toEqual(["CBW", "data", "CSW"]);
    });
  }

  it("lists the commands in analyze --json", async () => {
    const { analysisJson } = await import("../../src/index.js");
    const doc = analysisJson(await analyze(mscCapture("raw", healthySession()))) as {
      massStorageCommands: { command: string; cbwRecord: number }[];
    };
    expect(doc.massStorageCommands.map((c) => c.command)).toEqual([
      "INQUIRY",
      "TEST UNIT READY",
      "REQUEST SENSE",
      "READ CAPACITY(10)",
      "READ(10)",
      "WRITE(10)",
      "TEST UNIT READY",
    ]);
  });

  /** [name, steps, rule, severity]: each fault after one healthy command, on every source. */
  const inq: Step[] = [{ out: cbw(1, 36, true, Cdb.inquiry()) }, { in: inquiryData() }];
  const faults: [string, Step[], string, string][] = [
    [
      "a CBW of 30 bytes",
      [{ out: cbw(1, 0, false, Cdb.testUnitReady()).subarray(0, 30) }],
      "MSC_CBW_INVALID",
      "error",
    ],
    [
      "a CBW without the USBC signature",
      [{ out: cbw(1, 0, false, Cdb.testUnitReady()).map((b, i) => (i === 0 ? 0x56 : b)) }],
      "MSC_CBW_INVALID",
      "error",
    ],
    [
      "a CSW without the USBS signature",
      [...inq, { in: csw(1).map((b, i) => (i === 3 ? 0x54 : b)) }],
      "MSC_CSW_INVALID",
      "error",
    ],
    ["a CSW whose tag is not the CBW's", [...inq, { in: csw(9) }], "MSC_CSW_INVALID", "error"],
    ["a phase error", [...inq, { in: csw(1, 0, 2) }], "MSC_PHASE_ERROR", "error"],
    ["a residue above dCBWDataTransferLength", [...inq, { in: csw(1, 40) }], "MSC_RESIDUE", "error"],
    [
      "a residue of 0 after short data",
      [{ out: cbw(1, 192, true, Cdb.modeSense6()) }, { in: Uint8Array.of(3, 0, 0, 0) }, { in: csw(1, 0) }],
      "MSC_RESIDUE",
      "info",
    ],
    [
      "more data than dCBWDataTransferLength",
      [{ out: cbw(1, 8, true, Cdb.readCapacity10()) }, { in: new Uint8Array(12) }, { in: csw(1) }],
      "MSC_DATA_OVERRUN",
      "error",
    ],
    [
      "data in a command without a data phase",
      [{ out: cbw(1, 0, false, Cdb.testUnitReady()) }, { in: new Uint8Array(8) }, { in: csw(1) }],
      "MSC_DATA_OVERRUN",
      "error",
    ],
    [
      "a CBW before the last command's CSW",
      [...inq, { out: cbw(2, 0, false, Cdb.testUnitReady()) }, { in: csw(2) }],
      "MSC_CSW_MISSING",
      "error",
    ],
  ];
  for (const [name, steps, rule, severity] of faults) {
    it(`${rule} fires on ${name}, on the wire and as URBs`, async () => {
      for (const source of SOURCES) {
        const r = await analyze(mscCapture(source, steps));
        const hits = r.findings.sorted().filter((f) => f.rule.startsWith("MSC_"));
        expect(
          hits.map((f) => [f.rule, f.severity]),
          source,
        ).toEqual([[rule, severity]]);
        expect(hits[0]!.device).toBe(7);
      }
    });
  }

  it("a command still open when the capture ends is info, not a fault", async () => {
    const r = await analyze(mscCapture("raw", [{ out: cbw(1, 36, true, Cdb.inquiry()) }]));
    expect(
      r.findings
        .sorted()
        .filter((f) => f.rule.startsWith("MSC_"))
        .map((f) => [f.rule, f.severity]),
    ).toEqual([["MSC_CSW_MISSING", "info"]]);
    expect(r.massStorageCommands[0]!.outcome).toBe("open");
  });
});
