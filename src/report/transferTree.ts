// Plain-text and JSON rendering of transfer summaries: depth 1 transfers, 2 + transactions (URBs: their
// iso packets), 3 + packets; with `hex`, the payload as a hex dump under each transfer (under each data
// packet at depth 3 on raw captures).
import type { TransferSummary, UrbTransferInfo } from "../transfers/transferSummary.js";
import type { Timestamp } from "../usb/model.js";
import { isoTime, secondsBetween } from "../usb/time.js";
import { hexBytes } from "../usb/bytes.js";
import { DEFAULT_MAX_BYTES, hexDump, hexString } from "./hexDump.js";

/** How much of the payload a rendering shows. */
export interface BytesOptions {
  /** Hex dump the payload under each transfer (each data packet at depth 3). */
  hex?: boolean;
  /** Bytes shown per dump; 0 shows all (default DEFAULT_MAX_BYTES). */
  maxBytes?: number;
}

/** Payload bytes shown on a URB transfer's line. */
export const INLINE_BYTES = 16;

export function renderTransfer(t: TransferSummary, depth: 1 | 2 | 3 = 2, bytes: BytesOptions = {}): string {
  const lines: string[] = [];
  const dumpOptions = { maxBytes: bytes.maxBytes ?? DEFAULT_MAX_BYTES, indent: "      " };
  if (t.urb !== undefined) {
    lines.push(urbHead(t, t.urb));
    if (depth >= 2 && t.urb.iso)
      t.urb.iso.forEach((f, i) =>
        lines.push(`  iso packet ${i}: offset ${f.offset}, ${f.length} bytes, status ${f.status}`),
      );
    if (bytes.hex && t.data && t.data.length > 0)
      lines.push(...hexDump(t.data, { ...dumpOptions, indent: "    ", total: t.urb.actualLength }));
    return lines.join("\n");
  }
  const ep = `${t.device}.${t.endpoint} ${t.direction.toUpperCase()}`;
  let head: string;
  switch (t.kind) {
    case "control":
      head = `Control transfer on ${ep}: ${t.request ?? "?"}${decodedText(t)}, ${t.dataLength} data bytes, ${t.outcome}`;
      break;
    case "polling":
      head = `Polling ${t.nakCount} times on ${ep}, NAK`;
      break;
    case "invalid":
      head = `Invalid packets (${t.transactions.length})`;
      break;
    default:
      head = `${capital(t.kind)} transfer on ${ep}: ${classText(t)}${t.dataLength} data bytes, ${t.outcome}${t.nakCount ? `, ${t.nakCount} NAKs` : ""}`;
  }
  lines.push(`${head} [packet ${t.firstPacket}]`);
  // Under the transfer when packets are not listed; under each data packet when they are.
  if (bytes.hex && depth < 3 && t.data && t.data.length > 0)
    lines.push(...hexDump(t.data, { ...dumpOptions, indent: "    " }));
  if (depth >= 2) {
    for (const tx of t.transactions) {
      const split = tx.split ? (tx.split === "start" ? "SSPLIT " : "CSPLIT ") : "";
      const data = tx.dataLength >= 0 ? `, ${tx.dataLength} bytes` : "";
      const re = tx.retransmission ? " (retransmission)" : "";
      lines.push(
        `  ${split}${tx.pids.filter((p) => p !== "SPLIT").join(" ")}${data}, ${tx.outcome}${re} [transaction ${tx.index}]`,
      );
      if (depth >= 3)
        for (let k = 0; k < tx.pids.length; k++) {
          lines.push(`    ${tx.pids[k]} [packet ${tx.packets[k]}]`);
          if (bytes.hex && tx.data && tx.data.length > 0 && /^(DATA|MDATA)/.test(tx.pids[k]!))
            lines.push(...hexDump(tx.data, dumpOptions));
        }
    }
    if (t.transactionsOmitted > 0) lines.push(`  … ${t.transactionsOmitted} more transactions`);
  }
  return lines.join("\n");
}

/** One line for a URB: what moved where, how it ended, how long it took, and its first bytes. */
function urbHead(t: TransferSummary, u: UrbTransferInfo): string {
  const where = `${t.bus ?? "?"}.${t.device}.${t.endpoint} ${t.direction.toUpperCase()}`;
  const what =
    t.kind === "control"
      ? `${t.request ?? "control request (setup not in the capture)"}${decodedText(t)}, `
      : classText(t);
  let size: string;
  if (u.actualLength !== undefined)
    size =
      u.requestedLength !== undefined && u.requestedLength !== u.actualLength
        ? `${u.actualLength} of ${u.requestedLength} bytes`
        : plural(u.actualLength, "byte");
  else if (u.requestedLength !== undefined)
    size = `${plural(u.requestedLength, "byte")} ${t.direction === "in" ? "asked" : "submitted"}`;
  else size = plural(u.capturedLength, "byte");
  if (u.truncated && u.actualLength !== undefined) size += ` (the capture holds ${u.capturedLength})`;
  const failed = u.status !== undefined && t.outcome !== "ok" ? ` (${u.statusText})` : "";
  let line = `${capital(t.kind)} transfer on ${where}: ${what}${size}, ${t.outcome}${failed}`;
  if (u.latencyUs !== undefined && !t.repeat) line += `, ${formatLatency(u.latencyUs)}`;
  if (u.isoPackets !== undefined) line += `, ${u.isoPackets} iso packets`;
  if (u.detail !== undefined && t.outcome === "incomplete") line += `, ${u.detail}`;
  if (t.repeat)
    line += `, repeated ${t.repeat.count} times over ${secondsBetween(t.repeat.start, t.repeat.end).toFixed(3)} s [records ${t.repeat.firstPacket}…${t.repeat.lastPacket}]`;
  else
    line +=
      t.firstPacket === t.lastPacket
        ? ` [record ${t.firstPacket}]`
        : ` [records ${t.firstPacket}, ${t.lastPacket}]`;
  if (t.data && t.data.length > 0)
    line += `: ${hexBytes(t.data, INLINE_BYTES).replace(/ … \(\d+ bytes\)$/, " …")}`;
  return line;
}

/** The class decoding's summary of the data, in parentheses after the request: " (115200 8N1)". */
function decodedText(t: TransferSummary): string {
  return t.class?.summary !== undefined ? ` (${t.class.summary})` : "";
}

/** A bulk or interrupt transfer's class decoding before its size: "mass storage CSW (READ(10) …: passed), ". */
function classText(t: TransferSummary): string {
  const c = t.class;
  return c === undefined ? "" : `${c.class} ${c.name}${decodedText(t)}, `;
}

function formatLatency(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(3)} ms` : `${us} µs`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function capital(s: string): string {
  return `${s[0]!.toUpperCase()}${s.slice(1)}`;
}

/** Render a list of transfers, one block each. */
export function renderTree(
  transfers: Iterable<TransferSummary>,
  depth: 1 | 2 | 3 = 2,
  bytes: BytesOptions = {},
): string {
  const out: string[] = [];
  for (const t of transfers) out.push(renderTransfer(t, depth, bytes));
  return out.join("\n") + (out.length ? "\n" : "");
}

/**
 * A transfer as `transfers --json` prints it: without transactions at depth 1, without packets at depth 2;
 * URB transfers without transactions at all (a host capture has none), with their `urb` facts and times as
 * ISO 8601. `data` (lower-case hex) only when asked for.
 */
export function transferJson(
  t: TransferSummary,
  depth: 1 | 2 | 3,
  options: { data?: boolean } = {},
): Record<string, unknown> {
  const urb = t.urb;
  const out: Record<string, unknown> = {};
  // The summary's own field order, less what this depth or a URB leaves out.
  for (const [k, v] of Object.entries(t)) {
    if (k === "data" || k === "dataTruncated" || k === "urb" || k === "repeat") continue;
    if (urb !== undefined && (k === "transactions" || k === "transactionsOmitted" || k === "nakCount"))
      continue;
    if (k === "transactions") {
      if (depth >= 2)
        out.transactions = t.transactions.map(({ packets, data, ...tx }) => {
          const o: Record<string, unknown> = depth >= 3 ? { ...tx, packets } : { ...tx };
          if (depth >= 3 && options.data && data !== undefined) o.data = hexString(data);
          return o;
        });
      continue;
    }
    out[k] = v;
  }
  if (urb !== undefined) {
    out.source = "urb";
    out.urb = urbJson(urb);
    if (t.repeat !== undefined)
      out.repeat = { ...t.repeat, start: isoTime(t.repeat.start), end: isoTime(t.repeat.end) };
  }
  if (options.data && t.data !== undefined) {
    out.data = hexString(t.data);
    if (t.dataTruncated) out.dataTruncated = true;
  }
  return out;
}

function urbJson(u: UrbTransferInfo): Record<string, unknown> {
  const { submitted, completed, ...rest } = u;
  const out: Record<string, unknown> = { ...rest };
  if (submitted !== undefined) out.submitted = isoTime(submitted);
  if (completed !== undefined) out.completed = isoTime(completed);
  return out;
}

/** A sniffer's bus event between the transfers, as Packetry lists it. */
export interface BusEventItem {
  index: number;
  time: Timestamp;
  event: string;
}

export function busEventText(e: BusEventItem): string {
  return `Bus event: ${e.event} [record ${e.index}]`;
}

export function busEventJson(e: BusEventItem): Record<string, unknown> {
  return { kind: "event", event: e.event, index: e.index, time: isoTime(e.time) };
}
