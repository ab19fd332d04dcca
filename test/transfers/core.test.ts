// The layer on the real WASM core's record batches (src/capture/reader.ts + build/usbscope.wasm) gives the
// same transactions, control transfers and findings as on the test-only reader's batches.
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fileSource } from "../../src/capture/source.js";
import { readCapture as readWithCore } from "../../src/capture/reader.js";
import { createCore } from "../../src/core/core.js";
import type { AnalysisContext, ControlTransfer } from "../../src/usb/model.js";
import type { Finding } from "../../src/usb/finding.js";
import { PacketLayer } from "../../src/transfers/packetLayer.js";
import { runRecords, transactionKey } from "./helpers/context.js";
import { readCapture } from "./helpers/pcapReader.js";
import { publicDir } from "../helpers/paths.js";

const REAL = path.join(publicDir, "real");
const FILES = readdirSync(REAL).filter((f) => /^(28\d|29\d)-.*\.pcap(ng)?$/.test(f));
const speedOf = (linktype: number) =>
  linktype === 293 ? "low" : linktype === 294 ? "full" : linktype === 295 ? "high" : "unknown";

const ctKey = (c: ControlTransfer) =>
  `${c.index} ${c.address} ${c.request} ${c.status} ${Array.from(c.data).join(",")} ${c.firstPacket}-${c.lastPacket}`;
const fKey = (f: Finding) => `${f.rule}/${f.severity}@${f.packet}`;

describe("PacketLayer on the WASM core's batches", () => {
  for (const name of FILES) {
    it(`matches the reference reader on ${name}`, async () => {
      const file = path.join(REAL, name);
      const recs = readCapture(file);
      const speed = speedOf(recs[0].linktype);
      const expected = runRecords(recs, { speed, batchSize: 4096 });

      const findings: Finding[] = [];
      const controls: ControlTransfer[] = [];
      const transactions: string[] = [];
      const ctx: AnalysisContext = {
        findings: { add: (f) => findings.push(f) },
        onControlTransfer: (c) => controls.push(c),
        endpoints: { endpointType: () => undefined },
        speed,
      };
      const layer = new PacketLayer(ctx, {
        onTransaction: (tx) => void (tx.tokenPid !== 0 && transactions.push(transactionKey(tx))),
      });
      // A small chunk size makes records straddle reads, so batches split where the core decides.
      await readWithCore(await fileSource(file), [layer], { core: await createCore(), chunkSize: 65536 });

      expect(transactions).toEqual(expected.transactions);
      expect(controls.map(ctKey)).toEqual(expected.controls.map(ctKey));
      expect(findings.map(fKey)).toEqual(expected.findings.map(fKey));
    });
  }
});
