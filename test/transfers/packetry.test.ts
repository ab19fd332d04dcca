// Packetry's own test suite as a peer's: for every capture its harness runs, our transactions and
// control transfers agree with the tree Packetry prints (reference.txt). Where we differ on purpose,
// the expectation below names the capture, the packets and why.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runRecords } from "./helpers/context.js";
import { parseReference, type Reference } from "./helpers/packetryReference.js";
import { readCapture } from "./helpers/pcapReader.js";

const ROOT = path.resolve(__dirname, "../../../shared/captures-public/packetry");
const CASES = readFileSync(path.join(ROOT, "tests.txt"), "utf8").split("\n").filter(Boolean);

/** Deliberate differences, by capture: transaction keys whose count differs from the reference, and why. */
const EXPECTED_TX_DIFFERENCES: Record<string, { diff: Record<string, number>; why: string }> = {
  "bad-crcs": {
    diff: { "none|IN|7.1|-1|none": 1 },
    why: "packet 2 is a valid IN token followed only by malformed packets until the end; we close it as a token-only transaction, Packetry leaves it open and prints nothing for it",
  },
};

/** Deliberate differences in control-transfer status: ours → Packetry's. */
const STATUS_EQUIVALENT: Record<string, string> = {
  // A data-stage packet was malformed but the host went on to the status stage (iso-unambiguous, packet
  // after "reading 0 of 2 requested bytes"): Packetry calls it incomplete and the status stage an orphan;
  // we keep the transfer whole and mark it "error" so no layer trusts its data.
  error: "incomplete",
};

function epDir(key: string): string {
  const [, pid, ep] = key.split("|");
  return `${ep} ${pid === "IN" ? "IN" : "OUT"}`;
}

function captureOf(dir: string): string {
  const p = ["capture.pcap", "capture.pcapng"].map((f) => path.join(ROOT, dir, f)).find((f) => existsSync(f));
  if (!p) throw new Error(`no capture in ${dir}`);
  return p;
}

interface Stated {
  /** "Polling N times": transactions without data. */
  polls: number;
  /** "N ambiguous transactions". */
  all: number;
  /** "… transfer of X bytes/KiB": data bytes, and the rounding slack of KiB figures. */
  bytes: number;
  slack: number;
}

/**
 * Packetry's reference lists only the first children of long groups; the group line states the total.
 * Endpoints where the listing falls short of what the group lines state are compared by those totals.
 */
function summarisedEndpoints(ref: Reference): Map<string, Stated> {
  const stated = new Map<string, Stated>();
  const get = (m: Map<string, Stated>, k: string) => m.get(k) ?? (m.set(k, { polls: 0, all: 0, bytes: 0, slack: 0 }), m.get(k)!);
  for (const g of ref.groups) {
    if (g.stated?.kind === "polling") get(stated, g.stated.endpoint).polls += g.stated.count;
    if (g.stated?.kind === "ambiguous") get(stated, g.stated.endpoint).all += g.stated.count;
    if (g.bytesStated) {
      const s = get(stated, g.bytesStated.endpoint);
      s.bytes += g.bytesStated.bytes;
      if (g.bytesStated.approx) s.slack += 0.005 * 1024;
    }
  }
  const listed = new Map<string, Stated>();
  for (const t of ref.transactions) {
    const l = get(listed, epDir(`${t.split}|${t.pid}|${t.address}.${t.endpoint}`));
    l.all += t.repeat;
    if (t.dataLength < 0) l.polls += t.repeat;
    else l.bytes += t.dataLength;
  }
  const out = new Map<string, Stated>();
  for (const [ep, s] of stated) {
    const l = get(listed, ep);
    if (l.polls < s.polls || l.all < s.all || l.bytes < s.bytes - s.slack) out.set(ep, s);
  }
  return out;
}

describe("Packetry reference trees", () => {
  for (const dir of CASES) {
    it(`agrees with Packetry on ${dir}`, () => {
      const ref = parseReference(path.join(ROOT, dir, "reference.txt"));
      const r = runRecords(readCapture(captureOf(dir)), { speed: "unknown", batchSize: 997 });
      const summarised = summarisedEndpoints(ref);

      // 1. Transactions: same multiset of (split, token, device.endpoint, data length, outcome).
      const counts = new Map<string, number>();
      for (const k of r.transactions) if (!summarised.has(epDir(k))) counts.set(k, (counts.get(k) ?? 0) + 1);
      for (const t of ref.transactions) {
        const k = `${t.split}|${t.pid}|${t.address}.${t.endpoint}|${t.dataLength}|${t.outcome}`;
        if (!summarised.has(epDir(k))) counts.set(k, (counts.get(k) ?? 0) - t.repeat);
      }
      const diff = Object.fromEntries([...counts].filter(([, v]) => v !== 0));
      expect(diff).toEqual(EXPECTED_TX_DIFFERENCES[dir]?.diff ?? {});

      // 2. Endpoints Packetry only summarises ("Polling N times", "N ambiguous transactions"): the counts it states.
      for (const [ep, s] of summarised) {
        const ours = r.transactions.filter((k) => epDir(k) === ep);
        if (s.polls) expect(ours.filter((k) => k.split("|")[3] === "-1").length, `polls without data on ${ep}`).toBe(s.polls);
        if (s.all) expect(ours.length, `transactions on ${ep}`).toBe(s.all);
        if (s.bytes) {
          const bytes = ours.reduce((sum, k) => sum + Math.max(0, Number(k.split("|")[3])), 0);
          expect(Math.abs(bytes - s.bytes), `data bytes on ${ep}: ours ${bytes}, Packetry ${s.bytes}`).toBeLessThanOrEqual(s.slack);
        }
      }

      // 3. Control transfers, in SETUP order: device, setup bytes, data length, ending.
      const ours = r.controls
        .slice()
        .sort((a, b) => a.index - b.index)
        .map((c) => {
          const s = c.setup;
          const bytes = [s.bmRequestType, s.bRequest, s.wValue & 255, s.wValue >> 8, s.wIndex & 255, s.wIndex >> 8, s.wLength & 255, s.wLength >> 8];
          return `${c.address} [${bytes.join(",")}] ${c.data.length} ${STATUS_EQUIVALENT[c.status] ?? c.status}`;
        });
      const theirs = ref.controls.map((c) => `${c.address} [${c.setup.join(",")}] ${c.dataLength} ${c.status}`);
      expect(ours).toEqual(theirs);
    });
  }
});
