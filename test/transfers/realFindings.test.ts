// On the public raw captures (mostly healthy devices), the layer's error and warning findings are exactly
// the protocol faults the captures are known for: a guard against false positives.
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runRecords } from "./helpers/context.js";
import { readCapture } from "./helpers/pcapReader.js";
import { publicDir } from "../helpers/paths.js";

const REAL = path.join(publicDir, "real");
const FILES = readdirSync(REAL).filter((f) => /^(28\d|29\d)-.*\.pcap(ng)?$/.test(f));
const speedOf = (linktype: number) =>
  linktype === 293 ? "low" : linktype === 294 ? "full" : linktype === 295 ? "high" : "unknown";

/** Known faults, "RULE@packet", per capture. */
const KNOWN: Record<string, string[]> = {
  // IN (packet 498) answered by an ACK with no data packet between: the DATA packet is missing from the capture.
  "288-ksoloti-uac-iso.pcap": ["PID_SEQUENCE@499"],
};

describe("findings on public raw captures", () => {
  for (const name of FILES) {
    it(`reports only the known faults in ${name}`, () => {
      const recs = readCapture(path.join(REAL, name));
      // Endpoint types learned from the configuration descriptors in the capture, as the descriptor layer would.
      const r = runRecords(recs, {
        speed: speedOf(recs[0].linktype),
        batchSize: 4096,
        learnEndpointTypes: true,
      });
      const faults = r.findings.filter((f) => f.severity !== "info").map((f) => `${f.rule}@${f.packet}`);
      expect(faults).toEqual(KNOWN[name] ?? []);
      expect(r.layer.transactionCount).toBeGreaterThan(0);
    });
  }
});
