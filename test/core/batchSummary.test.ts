// The core's one-pass batch summary (as/summary.ts) against the columns it summarizes, and the packet
// checks fed from it against the same checks walking every record (a hand-made batch has no summary).
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { PacketStatus, Pid } from "../../as/shared/constants.js";
import { batchSummary, createCore } from "../../src/core/core.js";
import { readCapture } from "../../src/capture/reader.js";
import { bufferSource } from "../../src/capture/source.js";
import type { RecordBatch } from "../../src/usb/model.js";
import type { Finding } from "../../src/usb/finding.js";
import { PacketChecks } from "../../src/packets/packetChecks.js";
import { publicCaptures, repoRoot } from "../helpers/paths.js";

const files = [
  ...publicCaptures(),
  ...[
    "bad-cable-crc/capture.pcap",
    "bulk-toggle-stuck/capture.pcapng",
    "config-first-packet-only/capture.pcap",
    "enumeration-ok/capture.pcapng",
    "interface-appended/capture.pcap",
    "usbmon-babble/capture.pcap",
    "usbpcap-enumeration-ok/capture.pcap",
  ].map((f) => path.join(repoRoot, "captures", f)),
];

/** The batch's fields in a plain object: what a layer sees from a batch built outside the core. */
function plain(b: RecordBatch): RecordBatch {
  const {
    firstIndex,
    count,
    bytes,
    offset,
    tsSec,
    tsNsec,
    linktype,
    pid,
    status,
    address,
    endpoint,
    frame,
    dataOffset,
    dataLength,
    origLength,
  } = b;
  return {
    firstIndex,
    count,
    bytes,
    offset,
    tsSec,
    tsNsec,
    linktype,
    pid,
    status,
    address,
    endpoint,
    frame,
    dataOffset,
    dataLength,
    origLength,
  };
}

function state(pc: PacketChecks, findings: Finding[]) {
  return {
    findings,
    pids: [...pc.pidCounts],
    statuses: [...pc.statusCounts],
    linktypes: [...pc.linktypeCounts],
    raw: pc.rawPackets,
    other: pc.otherRecords,
    speed: pc.speed,
  };
}

async function compare(file: string, batchCapacity: number) {
  const core = await createCore({ batchCapacity });
  const fastFindings: Finding[] = [];
  const slowFindings: Finding[] = [];
  const fast = new PacketChecks({ add: (f) => fastFindings.push(f) });
  const slow = new PacketChecks({ add: (f) => slowFindings.push(f) });
  let summarized = 0;
  let listedRows = 0;
  const batchOther: number[][] = [];
  await readCapture(
    bufferSource(readFileSync(file)),
    [
      {
        onBatch(b) {
          const s = batchSummary(b);
          expect(s).not.toBeNull();
          // The summary says what the columns say.
          const pids = new Array<number>(256).fill(0);
          const rows: number[] = [];
          let notRaw = 0;
          for (let i = 0; i < b.count; i++) {
            if (b.status[i] === PacketStatus.NOT_RAW) {
              notRaw++;
              continue;
            }
            pids[b.pid[i]]++;
            if (b.status[i] !== PacketStatus.OK || b.pid[i] === Pid.SOF) rows.push(i);
          }
          expect([...s!.rawPidCounts]).toEqual(pids);
          expect(s!.notRaw).toBe(notRaw);
          expect([...s!.rows.subarray(0, s!.listed)]).toEqual(rows);
          expect(s!.uniformLinktype).toBe(
            b.linktype.subarray(0, b.count).every((lt) => lt === b.linktype[0]),
          );
          if (s!.uniformLinktype) summarized++;
          listedRows += s!.listed;
          // A copy of the batch has no summary: the checks walk every record.
          const copy = plain(b);
          expect(batchSummary(copy)).toBeNull();
          fast.onBatch(b);
          slow.onBatch(copy);
          batchOther.push([fast.batchOtherRecords, slow.batchOtherRecords]);
        },
        onEnd() {},
      },
    ],
    { core },
  );
  return {
    fast: state(fast, fastFindings),
    slow: state(slow, slowFindings),
    summarized,
    listedRows,
    batchOther,
  };
}

describe("the core's batch summary", () => {
  for (const file of files) {
    it(`${path.basename(path.dirname(file))}/${path.basename(file)}: packet checks from the summary equal the checks over every record`, async () => {
      for (const capacity of [1 << 16, 7]) {
        const r = await compare(file, capacity);
        expect(r.fast, `batch capacity ${capacity}`).toEqual(r.slow);
        for (const [a, b] of r.batchOther) expect(a).toBe(b);
      }
    });
  }

  it("is used for the batches of a raw capture, and lists its SOFs and malformed packets", async () => {
    const r = await compare(path.join(repoRoot, "captures/bad-cable-crc/capture.pcap"), 1 << 16);
    expect(r.summarized).toBeGreaterThan(0);
    expect(r.fast.findings.length).toBeGreaterThan(0);
    expect(r.listedRows).toBeGreaterThan(0);
  });

  it("is refused for a batch that is not the core's own", async () => {
    const core = await createCore();
    expect(core.summarize(plain(core.batch))).toBeNull();
    expect(core.summarize(core.batch)).not.toBeNull();
  });
});
