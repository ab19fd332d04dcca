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
  /** "Polling N times … on endpoint A.E DIR" / "N ambiguous transactions on endpoint A.E DIR": N and the endpoint. */
  stated?: { kind: "polling" | "ambiguous"; count: number; endpoint: string };
  /** "Isochronous|Interrupt|Bulk transfer of X bytes|KiB on endpoint A.E DIR": the bytes (KiB rounded to 0.01). */
  bytesStated?: { kind: string; bytes: number; approx: boolean; endpoint: string };
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
const TX =
  /^(Starting |Completing )?(SETUP|IN|OUT|PING) transaction on (\d+)\.(\d+)(?: with (\d+) data bytes| with no data)?(?:, (ACK|NAK|STALL|NYET|ERR))?(?:: \[([^\]]*)\])?/;

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
      const poll = /^Polling (\d+) times for .* on endpoint (\d+\.\d+ (?:IN|OUT))/.exec(text);
      const amb = /^(\d+) ambiguous transactions on endpoint (\d+\.\d+ (?:IN|OUT))/.exec(text);
      const xfer =
        /^(Isochronous|Interrupt|Bulk|Unidentified) transfer of ([\d.]+) (bytes?|KiB) on endpoint (\d+\.\d+ (?:IN|OUT))/.exec(
          text,
        );
      if (poll) pendingGroup.stated = { kind: "polling", count: Number(poll[1]), endpoint: poll[2] };
      if (amb) pendingGroup.stated = { kind: "ambiguous", count: Number(amb[1]), endpoint: amb[2] };
      if (xfer)
        pendingGroup.bytesStated = {
          kind: xfer[1],
          bytes: xfer[3] === "KiB" ? Number(xfer[2]) * 1024 : Number(xfer[2]),
          approx: xfer[3] === "KiB",
          endpoint: xfer[4],
        };
      groups.push(pendingGroup);
      return;
    }
    // A keepalive (or SOF) inside a transaction makes Packetry print the rest of it as "Continuing …":
    // the same transaction, so its data and handshake go back onto the line it continues.
    const cont = /^Continuing (.*)$/.exec(text);
    if (cont) {
      const c = TX.exec(cont[1]);
      const target =
        c &&
        [...transactions]
          .reverse()
          .find((t) => t.pid === c[2] && t.address === Number(c[3]) && t.endpoint === Number(c[4]));
      if (c && target) {
        if (c[5] !== undefined) target.dataLength = Number(c[5]);
        else if (cont[1].includes("with no data")) target.dataLength = 0;
        if (c[6]) target.outcome = c[6];
        if (c[7]) target.bytes = c[7].split(", ").map((h) => parseInt(h, 16));
        last = target;
      }
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
    // Any other item ("ACK transaction" of an invalid group, "1 malformed packet") closes the current transaction.
    if (/transaction|^\d+ /.test(text)) {
      last = undefined;
      return;
    }
    // Packet lines under a transaction carry its data and handshake (a "Continuing" line may only name them).
    const dataPkt =
      /^(DATA0|DATA1|DATA2|MDATA) packet with CRC [0-9A-F]+ and (?:(\d+) data bytes(?:: \[([^\]]*)\])?|no data)/.exec(
        text,
      );
    if (dataPkt && last) {
      last.dataLength = dataPkt[2] !== undefined ? Number(dataPkt[2]) : 0;
      if (dataPkt[3]) last.bytes = dataPkt[3].split(", ").map((h) => parseInt(h, 16));
      return;
    }
    const hsPkt = /^(ACK|NAK|STALL|NYET|ERR) packet/.exec(text);
    if (hsPkt && last) last.outcome = hsPkt[1];
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
    const status = /, stalled/.test(g.text)
      ? "stall"
      : /, incomplete|^Incomplete/.test(g.text)
        ? "incomplete"
        : "ok";
    out.push({
      address: f.address,
      setup: f.bytes,
      dataLength: read ? Number(read[1]) : written ? Number(written[1]) : 0,
      status,
      text: g.text,
      line: g.line,
    });
  }
  return out;
}
