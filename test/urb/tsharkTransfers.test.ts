// The bundled URB captures' transfers against tshark (the public ones are compared in realPcap.test.ts,
// sharing its tshark run): see helpers/compareTransfers.ts for what is compared and how the two count.
import { describe, it } from "vitest";
import path from "node:path";
import { analyzeFile } from "../../src/analyze.js";
import type { TransferSummary } from "../../src/transfers/transferSummary.js";
import { repoRoot } from "../helpers/paths.js";
import { tsharkRows } from "./helpers/tshark.js";
import { expectAgreement } from "./helpers/compareTransfers.js";

const FILES = ["captures/usbmon-babble/capture.pcap", "captures/usbpcap-enumeration-ok/capture.pcap"];

describe.each(FILES)("%s: URB transfers against tshark", (file) => {
  it("agrees on every completed URB: endpoint, type, status, actual length, first bytes", async () => {
    const transfers: TransferSummary[] = [];
    const full = path.join(repoRoot, file);
    await analyzeFile(full, { onTransfer: (t) => transfers.push(t), foldRepeats: false });
    expectAgreement(file, transfers, tsharkRows(full));
  });
});
