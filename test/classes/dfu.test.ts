// DFU (USB DFU 1.1) downloads as session objects, and the DFU rules proven both ways: each fault on a built
// capture fires its rule, the healthy download (on the wire and as URBs) fires none.
import { describe, expect, it } from "vitest";
import { ofRule } from "../findings/helpers.js";
import { rawCapture, urbCapture } from "../../builder/capture.js";
import {
  DfuState,
  DfuStatus,
  busControlHost,
  dfuDownload,
  dfuModeDevice,
  firmwareImage,
  urbControlHost,
  type DfuDownloadOptions,
} from "../../builder/dfu.js";
import {
  analysisJson,
  analyzeSource,
  bufferSource,
  type AnalysisResult,
  type TransferSummary,
} from "../../src/index.js";

type Source = "raw" | "usbmon" | "usbpcap";
const SOURCES: Source[] = ["raw", "usbmon", "usbpcap"];

function dfuCapture(
  source: Source,
  o: Omit<DfuDownloadOptions, "image"> & { image?: Uint8Array },
  device: Parameters<typeof dfuModeDevice>[0] = {},
): Uint8Array {
  const opts = { image: firmwareImage(200), ...o };
  if (source === "raw")
    return rawCapture({ speed: "full" }, (sim) => {
      sim.enumerate(dfuModeDevice(device));
      dfuDownload(busControlHost(sim), opts);
    }).bytes;
  return urbCapture({ format: source === "usbmon" ? "usbmon64" : "usbpcap" }, (host) => {
    host.enumerate(dfuModeDevice(device));
    dfuDownload(urbControlHost(host), opts);
  }).bytes;
}

async function analyze(bytes: Uint8Array, transfers?: TransferSummary[]): Promise<AnalysisResult> {
  return analyzeSource(
    bufferSource(bytes),
    "built",
    transfers ? { onTransfer: (t) => transfers.push(t) } : {},
  );
}

/** The rules with errors or warnings, each once. */
const loud = (r: AnalysisResult) => [
  ...new Set(
    r.findings
      .sorted()
      .filter((f) => f.severity !== "info")
      .map((f) => `${f.severity} ${f.rule}`),
  ),
];

describe("DFU download sessions (DFU 1.1 §6.1, §7)", () => {
  for (const source of SOURCES) {
    it(`reads a healthy download as one session, with no error and no warning (${source})`, async () => {
      const ts: TransferSummary[] = [];
      const r = await analyze(
        dfuCapture(source, { manifestationTolerant: true }, { manifestationTolerant: true }),
        ts,
      );
      expect(loud(r)).toEqual([]);
      expect(r.findings.sorted().filter((f) => f.rule.startsWith("DFU_"))).toEqual([]);
      expect(r.dfuSessionCount).toBe(1);
      const s = r.dfuSessions[0]!;
      expect(s.summary).toBe("download of 4 blocks (200 bytes): complete, manifested, dfuIDLE");
      expect(s).toMatchObject({
        kind: "download",
        outcome: "complete",
        finalState: "dfuIDLE",
        finalStatus: "OK",
      });
      expect(s.blocks.map((b) => [b.block, b.length, b.accepted])).toEqual([
        [0, 64, true],
        [1, 64, true],
        [2, 64, true],
        [3, 8, true],
      ]);
      // Each block with its polling: busy for 20 ms, then idle after the host waited.
      expect(s.blocks[1]!.polls.map((p) => [p.status, p.state, p.bwPollTimeout])).toEqual([
        ["OK", "dfuDNBUSY", 20],
        ["OK", "dfuDNLOAD-IDLE", 0],
      ]);
      expect(s.blocks[1]!.polls[1]!.waitedMs).toBeGreaterThanOrEqual(20);
      expect(s.manifest?.polls.map((p) => p.state)).toEqual(["dfuMANIFEST", "dfuIDLE"]);
      // The records point at the requests: the first block's DNLOAD is a DFU_DNLOAD transfer.
      const first = ts.find((t) => t.firstPacket === s.blocks[0]!.record);
      expect(first?.class).toMatchObject({
        class: "DFU",
        name: "DFU_DNLOAD",
        fields: { blockNum: 0, wLength: 64 },
      });
    });
  }

  it("a device that is not manifestation tolerant ends in dfuMANIFEST-WAIT-RESET", async () => {
    const r = await analyze(dfuCapture("raw", {}));
    expect(loud(r)).toEqual([]);
    expect(r.dfuSessions[0]).toMatchObject({ outcome: "complete", finalState: "dfuMANIFEST-WAIT-RESET" });
  });

  it("lists the sessions in analyze --json", async () => {
    const doc = analysisJson(await analyze(dfuCapture("usbmon", { abortAfter: 1 }))) as {
      dfuSessions: { kind: string; outcome: string; blockCount: number; start: string; summary: string }[];
    };
    expect(doc.dfuSessions).toHaveLength(1);
    expect(doc.dfuSessions[0]).toMatchObject({
      kind: "download",
      outcome: "aborted",
      blockCount: 2,
      summary: "download of 2 blocks (128 bytes): aborted after block 1",
    });
    expect(doc.dfuSessions[0]!.start).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("a capture without DFU traffic has no dfuSessions in the JSON", async () => {
    const bytes = rawCapture({ speed: "full" }, (sim) => void sim.enumerate(dfuModeDevice())).bytes;
    expect(analysisJson(await analyze(bytes))).not.toHaveProperty("dfuSessions");
  });
});

describe("DFU rules (DFU 1.1 §6.1.2, Appendix A)", () => {
  for (const source of SOURCES) {
    it(`DFU_STATUS_ERROR: a block the device fails to write (${source})`, async () => {
      const r = await analyze(dfuCapture(source, { failAt: { block: 2, bStatus: DfuStatus.errWRITE } }));
      expect(loud(r)).toEqual(["error DFU_STATUS_ERROR"]);
      const f = ofRule(r, "DFU_STATUS_ERROR")[0]!;
      expect(f.message).toBe(
        "interface 0: DFU_GETSTATUS answered errWRITE (the device is unable to write memory) in dfuERROR: the download failed at block 2",
      );
      expect(r.dfuSessions[0]).toMatchObject({
        outcome: "error",
        finalStatus: "errWRITE",
        finalState: "dfuERROR",
        summary: "download of 3 blocks (192 bytes): failed at block 2: errWRITE, dfuERROR",
      });
    });

    it(`DFU_DNLOAD_STATE: a DNLOAD accepted in dfuDNLOAD-SYNC, the host having skipped GETSTATUS (${source})`, async () => {
      const r = await analyze(dfuCapture(source, { skipPolling: true, manifestationTolerant: true }));
      expect(loud(r)).toEqual(["error DFU_DNLOAD_STATE"]);
      const found = ofRule(r, "DFU_DNLOAD_STATE");
      // Blocks 1..3 and the DNLOAD of wLength 0 each arrive in dfuDNLOAD-SYNC.
      expect(found.map((f) => f.message)).toEqual([
        "interface 0: the device accepted DFU_DNLOAD block 1, 64 bytes, in dfuDNLOAD-SYNC: it must STALL it and enter dfuERROR (DFU 1.1 Appendix A.2)",
        "interface 0: the device accepted DFU_DNLOAD block 2, 64 bytes, in dfuDNLOAD-SYNC: it must STALL it and enter dfuERROR (DFU 1.1 Appendix A.2)",
        "interface 0: the device accepted DFU_DNLOAD block 3, 8 bytes, in dfuDNLOAD-SYNC: it must STALL it and enter dfuERROR (DFU 1.1 Appendix A.2)",
        "interface 0: the device accepted DFU_DNLOAD block 4 of wLength 0 (end of download) in dfuDNLOAD-SYNC: it must STALL it and enter dfuERROR (DFU 1.1 Appendix A.2)",
      ]);
    });

    it(`DFU_POLL_EARLY: the host polls 5 ms into a 20 ms bwPollTimeout (${source})`, async () => {
      const r = await analyze(dfuCapture(source, { hostWaitMs: 5, manifestationTolerant: true }));
      expect(loud(r)).toEqual(["warning DFU_POLL_EARLY"]);
      const found = ofRule(r, "DFU_POLL_EARLY");
      // After each of the 4 blocks and in manifestation.
      expect(found).toHaveLength(5);
      expect(found[0]!.message).toMatch(
        /^interface 0: the host sent DFU_GETSTATUS 5(\.\d+)? ms after the device reported dfuDNBUSY with bwPollTimeout 20 ms: .*\(the host's fault\); the device answered it anyway$/,
      );
      expect(found[4]!.message).toContain("dfuMANIFEST with bwPollTimeout 20 ms");
    });
  }

  it("DFU_DNLOAD_STATE: a DNLOAD of wLength 0 accepted in dfuIDLE (nothing to manifest)", async () => {
    const r = await analyze(dfuCapture("raw", { image: new Uint8Array(0), manifestationTolerant: true }));
    expect(ofRule(r, "DFU_DNLOAD_STATE").map((f) => f.message)).toEqual([
      "interface 0: the device accepted DFU_DNLOAD block 0 of wLength 0 (end of download) in dfuIDLE: there is nothing to manifest; it must STALL it and enter dfuERROR (DFU 1.1 Appendix A.2)",
    ]);
  });

  it("DFU_DNLOAD_STATE: a download accepted by a device whose descriptor says it cannot download", async () => {
    const r = await analyze(dfuCapture("usbmon", { manifestationTolerant: true }, { canDnload: false }));
    expect(ofRule(r, "DFU_DNLOAD_STATE").map((f) => f.message)).toEqual([
      "interface 0: the device accepted DFU_DNLOAD block 0 in dfuIDLE although its DFU functional descriptor says it cannot download (bitCanDnload 0): it must STALL it (DFU 1.1 Appendix A.2.3)",
    ]);
  });

  it("an error left from before the capture, which the host clears, is info", async () => {
    const r = await analyze(
      dfuCapture("raw", {
        initial: { bStatus: DfuStatus.errSTALLEDPKT, bState: DfuState.dfuERROR },
        manifestationTolerant: true,
      }),
    );
    expect(loud(r)).toEqual([]);
    const f = ofRule(r, "DFU_STATUS_ERROR")[0]!;
    expect(f.severity).toBe("info");
    expect(f.message).toContain("left from before it began");
    expect(r.dfuSessions[0]!.outcome).toBe("complete");
  });
});
