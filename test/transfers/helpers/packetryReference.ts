// Parser for Packetry's reference.txt (the transaction tree its test harness prints), keeping what we
// compare: transactions (split, token, device.endpoint, data length, outcome, repeats) and the
// control-transfer groups with their setup bytes, data length and ending.
import { readFileSync } from "node:fs";

export interface RefTransaction {
  split: "start" | "complete" | "none";
  pid: string;
  address: number;
  endpoint: number;
  /** -1 when the line says no data count (no data packet). */
  dataLength: number;
  /** "ACK", "NAK", "STALL", "NYET", "ERR" or "none" (no handshake). */
  outcome: string;
  /** Packetry folds repeated NAKed attempts into one line: "NAK packet (N times)". */
  repeat: number;
  /** First bytes shown, as numbers (up to 100). */
  bytes: number[];
  line: number;
}

export interface RefGroup {
  text: string;
  line: number;
  /** The first transaction displayed after the group line (its first child). */
  first?: RefTransaction;
}

export interface RefControl {
  address: number;
  setup: number[];
  /** Bytes read or written per the group line; 0 when the line names none. */
  dataLength: number;
  status: "ok" | "stall" | "incomplete";
  text: string;
  line: number;
}

const PREFIX = /^[\s│├└─○┼]*/u;
const TX = /^(Starting |Completing )?(SETUP|IN|OUT|PING) transaction on (\d+)\.(\d+)(?: with (\d+) data bytes| with no data)?(?:, (ACK|NAK|STALL|NYET|ERR))?(?:: \[([^\]]*)\])?/;

export interface Reference {
  transactions: RefTransaction[];
  groups: RefGroup[];
  controls: RefControl[];
}

export function parseReference(path: string): Reference {
  const lines = readFileSync(path, "utf8").split("\n");
  const transactions: RefTransaction[] = [];
  const groups: RefGroup[] = [];
  let pendingGroup: RefGroup | undefined;
  let last: RefTransaction | undefined;
  lines.forEach((raw, n) => {
    const text = raw.replace(PREFIX, "");
    if (!text) return;
    if (raw.includes("○")) {
      pendingGroup = { text, line: n + 1 };
      groups.push(pendingGroup);
      last = undefined;
      return;
    }
    const m = TX.exec(text);
    if (m) {
      const t: RefTransaction = {
        split: m[1] === "Starting " ? "start" : m[1] === "Completing " ? "complete" : "none",
        pid: m[2],
        address: Number(m[3]),
        endpoint: Number(m[4]),
        dataLength: m[5] !== undefined ? Number(m[5]) : text.includes("with no data") ? 0 : -1,
        outcome: m[6] ?? "none",
        repeat: 1,
        bytes: m[7] ? m[7].split(", ").map((h) => parseInt(h, 16)) : [],
        line: n + 1,
      };
      transactions.push(t);
      if (pendingGroup && !pendingGroup.first) pendingGroup.first = t;
      last = t;
      return;
    }
    const times = /^NAK packet \((\d+) times\)/.exec(text);
    if (times && last && last.outcome === "NAK") last.repeat = Number(times[1]);
  });
  return { transactions, groups, controls: controlsOf(groups) };
}

function controlsOf(groups: RefGroup[]): RefControl[] {
  const out: RefControl[] = [];
  for (const g of groups) {
    const f = g.first;
    if (!f || f.pid !== "SETUP" || f.bytes.length !== 8) continue;
    const read = /reading (\d+)(?: of \d+ requested)? bytes/.exec(g.text);
    const written = /writing (\d+) bytes/.exec(g.text);
    const status = /, stalled/.test(g.text) ? "stall" : /, incomplete|^Incomplete/.test(g.text) ? "incomplete" : "ok";
    out.push({ address: f.address, setup: f.bytes, dataLength: read ? Number(read[1]) : written ? Number(written[1]) : 0, status, text: g.text, line: g.line });
  }
  return out;
}
