// DFU sessions in words (`analyze` and `transfers` text): on built downloads and an upload, each session's
// blocks, polling, manifest and final state; a capture without DFU traffic has no such section.
import { describe, expect, it } from "vitest";
import { rawCapture, urbCapture } from "../../builder/capture.js";
import { setupPacket } from "../../builder/device.js";
import {
  DfuStatus,
  busControlHost,
  dfuDownload,
  dfuModeDevice,
  firmwareImage,
  urbControlHost,
  type ControlHost,
  type DfuDownloadOptions,
} from "../../builder/dfu.js";
import { analysisText, analyzeSource, bufferSource } from "../../src/index.js";
import type { DfuSession } from "../../src/classes/dfuSession.js";
import { tempFile } from "../builder/helpers.js";
import { cli } from "../helpers/cli.js";
import { rawClassCapture } from "./helpers.js";

function raw(run: (h: ControlHost) => void): Uint8Array {
  return rawCapture({ speed: "full" }, (sim) => {
    sim.enumerate(dfuModeDevice({ manifestationTolerant: true }));
    run(busControlHost(sim));
  }).bytes;
}

const download = (o: Partial<DfuDownloadOptions>) => (h: ControlHost) =>
  dfuDownload(h, { image: firmwareImage(200), manifestationTolerant: true, ...o });

async function report(bytes: Uint8Array): Promise<string> {
  return analysisText(await analyzeSource(bufferSource(bytes), "built"));
}

/** The report and the sessions of the JSON contract, whose records the text must name. */
async function analyzed(bytes: Uint8Array): Promise<{ text: string; sessions: DfuSession[] }> {
  const r = await analyzeSource(bufferSource(bytes), "built");
  return { text: analysisText(r), sessions: r.dfuSessions };
}

/** The DFU sessions section of a text report. */
function section(text: string): string[] {
  const lines = text.split("\n");
  const from = lines.findIndex((l) => l.startsWith("DFU sessions"));
  if (from < 0) return [];
  const to = lines.findIndex((l, i) => i > from && l === "");
  return lines.slice(from, to < 0 ? undefined : to);
}

describe("DFU sessions in the text reports", () => {
  it("a healthy download: its blocks, the polling and the wait asked for, manifestation, final state", async () => {
    const { text, sessions } = await analyzed(raw(download({})));
    const s = sessions[0]!;
    const waits = s.blocks.flatMap((b) =>
      b.polls.flatMap((p) => (p.waitedMs === undefined ? [] : [p.waitedMs])),
    );
    expect(waits.length).toBe(4);
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(20);
    const waited =
      Math.min(...waits) === Math.max(...waits)
        ? `${waits[0]}`
        : `${Math.min(...waits)}-${Math.max(...waits)}`;
    const idle = s.manifest!.polls[1];
    expect(section(text)).toEqual([
      "DFU sessions (DFU 1.1 §6.1, §6.2, §7)",
      `  device 9 interface 0, records ${s.startRecord}-${s.endRecord}: download of 4 blocks (200 bytes): complete, manifested, dfuIDLE`,
      "    blocks 0-3, 200 bytes, all accepted",
      `    polling: 8 GETSTATUS replies after the blocks; the device asked the host to wait 4 times (dfuDNBUSY, 20 ms), the host waited ${waited} ms`,
      `    manifest: DNLOAD of wLength 0 at record ${s.manifest!.record}, accepted; polled: dfuMANIFEST (asked 20 ms), then dfuIDLE after ${idle!.waitedMs} ms`,
      "    final state dfuIDLE, status OK",
    ]);
  });

  it("a failed block, a host that polls too soon, a host that skips polling, an aborted download", async () => {
    const failed = section(
      await report(raw(download({ failAt: { block: 1, bStatus: DfuStatus.errWRITE } }))),
    );
    expect(failed[1]).toMatch(/download of 2 blocks \(128 bytes\): failed at block 1: errWRITE, dfuERROR$/);
    expect(failed.slice(2)).toEqual([
      "    blocks 0-1, 128 bytes, all accepted",
      expect.stringMatching(
        /^ {4}polling: 4 GETSTATUS replies after the blocks; the device asked the host to wait twice/,
      ),
      "    manifest: not reached (no DNLOAD of wLength 0)",
      "    final state dfuERROR, status errWRITE",
    ]);
    const early = section(await report(raw(download({ hostWaitMs: 5 }))));
    expect(early[3]).toMatch(/the host waited 5(\.\d+)? ms, 4 times less than asked$/);
    expect(early[4]).toMatch(
      /polled: dfuMANIFEST \(asked 20 ms\), then dfuIDLE after 5(\.\d+)? ms, less than asked$/,
    );
    const skipped = section(await report(raw(download({ skipPolling: true }))));
    expect(skipped[3]).toBe("    polling: none (no GETSTATUS after the blocks)");
    const aborted = section(await report(raw(download({ abortAfter: 0 }))));
    expect(aborted[1]).toMatch(/download of 1 block \(64 bytes\): aborted after block 0$/);
    expect(aborted[2]).toBe("    block 0, 64 bytes, accepted");
  });

  it("an upload (as URBs): its blocks, no polling, no manifest", async () => {
    const bytes = urbCapture({ format: "usbmon64" }, (host) => {
      host.enumerate(dfuModeDevice());
      const h = urbControlHost(host);
      h.read(9, setupPacket(0xa1, 0x02, 0, 0, 64), firmwareImage(64));
      h.read(9, setupPacket(0xa1, 0x02, 1, 0, 64), firmwareImage(10));
    }).bytes;
    expect(section(await report(bytes))).toEqual([
      "DFU sessions (DFU 1.1 §6.1, §6.2, §7)",
      expect.stringMatching(
        /^ {2}bus 1 device 9 interface 0, records \d+-\d+: upload of 2 blocks \(74 bytes\): complete$/,
      ),
      "    blocks 0-1, 74 bytes, all accepted",
      "    polling: none (an upload needs none)",
      "    final state not reported (no GETSTATUS after the last request)",
    ]);
  });

  it("transfers lists the sessions after the transfers; with --json or a filter it does not", async () => {
    const file = tempFile(raw(download({})));
    const text = (await cli(["transfers", "--depth", "1", file])).out;
    const lines = text.trimEnd().split("\n");
    const at = lines.indexOf("DFU sessions (DFU 1.1 §6.1, §6.2, §7)");
    expect(at).toBeGreaterThan(0);
    expect(lines[at - 1]).toBe("");
    expect(lines[at - 2]).toMatch(/^Control transfer on 9\.0 IN: DFU DFU_GETSTATUS/);
    expect(lines.slice(at + 1)).toEqual(section(await report(raw(download({})))).slice(1));
    expect((await cli(["transfers", "--json", file])).out).not.toContain("DFU sessions");
    expect((await cli(["transfers", "--device", "9", file])).out).not.toContain("DFU sessions");
  });

  it("a capture without a DFU download has no DFU sessions section (its DFU requests are still named)", async () => {
    const text = await report(rawClassCapture());
    expect(section(text)).toEqual([]);
    expect((await cli(["transfers", "--depth", "1", tempFile(rawClassCapture())])).out).toContain(
      "DFU DFU_GETSTATUS",
    );
  });
});
