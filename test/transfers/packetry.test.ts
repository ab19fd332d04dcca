// Packetry's own test suite as a peer's: for every capture its harness runs, our transactions and
// control transfers agree with the tree Packetry prints (reference.txt). Where we differ on purpose,
// the expectation below names the capture, the packets and why.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runRecords } from "./helpers/context.js";
import { parseReference, type Reference } from "./helpers/packetryReference.js";
import { readCapture } from "./helpers/pcapReader.js";
import { publicDir } from "../helpers/paths.js";

const ROOT = path.join(publicDir, "packetry");
const CASES = readFileSync(path.join(ROOT, "tests.txt"), "utf8").split("\n").filter(Boolean);

/** Deliberate differences, by capture: transaction keys whose count differs from the reference, and why. */
const EXPECTED_TX_DIFFERENCES: Record<string, { diff: Record<string, number>; why: string }> = {
  "bad-crcs": {
    diff: { "none|IN|7.1|-1|none": 1 },
    why: "packet 2 is a valid IN token followed only by malformed packets until the end; we close it as a token-only transaction, Packetry leaves it open and prints nothing for it",
  },
};

/** Endpoints whose transfer grouping differs from Packetry's on purpose, by capture. */
const EXPECTED_GROUP_DIFFERENCES: Record<string, string[]> = {
  // Each interrupt IN here loses its data packet to a bad CRC and a stray ACK follows; Packetry starts a new
  // "Polling 1 times" group after every stray ACK, we keep the endpoint's unanswered polls in one run (the
  // stray packets belong to no endpoint).
  "analyzer-test-bad-cable": ["1.1 IN"],
  // Bare SETUP tokens on 43.4: Packetry shows them as polling an unidentified endpoint, we keep SETUPs on the
  // control level (as transactions without a transfer).
  "double-setup": ["43.4 OUT"],
  // The trailing IN token (packet 2) that Packetry never prints (see EXPECTED_TX_DIFFERENCES) is a second poll for us.
  "bad-crcs": ["7.1 IN"],
  // No descriptors in the capture and no handshakes: Packetry calls these "ambiguous transactions" and makes
  // no transfers; we cannot tell isochronous data from lost handshakes either, so we count no bytes.
  "iso-ambiguous": ["27.3 IN", "27.3 OUT"],
};

function push(m: Map<string, string[]>, k: string, v: string): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** "~2560 bytes" (from "2.50 KiB") against "2557 bytes": equal within the KiB rounding. */
function approxEqual(approx: string, exact: string): boolean {
  return Math.abs(parseFloat(approx.slice(1)) - parseFloat(exact)) <= 0.005 * 1024;
}

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
  const get = (m: Map<string, Stated>, k: string) =>
    m.get(k) ?? (m.set(k, { polls: 0, all: 0, bytes: 0, slack: 0 }), m.get(k)!);
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
      // Endpoint types come from the configuration descriptors in the capture, as the descriptor layer would give them.
      const r = runRecords(readCapture(captureOf(dir)), {
        speed: "unknown",
        batchSize: 997,
        learnEndpointTypes: true,
      });
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
        if (s.polls)
          expect(ours.filter((k) => k.split("|")[3] === "-1").length, `polls without data on ${ep}`).toBe(
            s.polls,
          );
        if (s.all) expect(ours.length, `transactions on ${ep}`).toBe(s.all);
        if (s.bytes) {
          const bytes = ours.reduce((sum, k) => sum + Math.max(0, Number(k.split("|")[3])), 0);
          expect(
            Math.abs(bytes - s.bytes),
            `data bytes on ${ep}: ours ${bytes}, Packetry ${s.bytes}`,
          ).toBeLessThanOrEqual(s.slack);
        }
      }

      // 3. Control transfers, in SETUP order: device, setup bytes, data length, ending.
      const ours = r.controls
        .slice()
        .sort((a, b) => a.index - b.index)
        .map((c) => {
          const s = c.setup;
          const bytes = [
            s.bmRequestType,
            s.bRequest,
            s.wValue & 255,
            s.wValue >> 8,
            s.wIndex & 255,
            s.wIndex >> 8,
            s.wLength & 255,
            s.wLength >> 8,
          ];
          return `${c.address} [${bytes.join(",")}] ${c.data.length} ${STATUS_EQUIVALENT[c.status] ?? c.status}`;
        });
      const theirs = ref.controls.map(
        (c) => `${c.address} [${c.setup.join(",")}] ${c.dataLength} ${c.status}`,
      );
      expect(ours).toEqual(theirs);

      // 4. Bulk, interrupt and isochronous endpoints: the same sequence of polling runs and data transfers
      //    (a split poll is one start and one complete split: Packetry counts it once, so do we).
      const exceptions = EXPECTED_GROUP_DIFFERENCES[dir] ?? [];
      const refGroups = new Map<string, string[]>();
      for (const g of ref.groups) {
        const poll =
          /^Polling (\d+) times for (?:interrupt|bulk|isochronous|unidentified) transfer on endpoint (\S+ \S+)/.exec(
            g.text,
          );
        if (poll) push(refGroups, poll[2], `poll ${poll[1]}`);
        if (g.bytesStated)
          push(
            refGroups,
            g.bytesStated.endpoint,
            `${g.bytesStated.approx ? "~" : ""}${g.bytesStated.bytes} bytes`,
          );
      }
      const ourGroups = new Map<string, string[]>();
      for (const t of r.transfers.slice().sort((a, b) => a.firstPacket - b.firstPacket)) {
        if (t.kind === "control" || t.kind === "invalid") continue;
        push(
          ourGroups,
          `${t.device}.${t.endpoint} ${t.direction.toUpperCase()}`,
          t.kind === "polling"
            ? `poll ${t.transactions.filter((x) => x.split !== "start").length}`
            : `${t.dataLength} bytes`,
        );
      }
      for (const ep of new Set([...refGroups.keys(), ...ourGroups.keys()])) {
        if (exceptions.includes(ep)) continue;
        const want = refGroups.get(ep) ?? [];
        const got = (ourGroups.get(ep) ?? []).map((g, i) =>
          want[i]?.startsWith("~") && approxEqual(want[i], g) ? want[i] : g,
        );
        expect(got, `transfers on ${ep}`).toEqual(want);
      }
    });
  }
});
