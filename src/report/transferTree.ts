// Plain-text rendering of transfer summaries: depth 1 transfers, 2 + transactions, 3 + packets.
import type { TransferSummary } from "../transfers/transferSummary.js";
import { hexBytes } from "../usb/bytes.js";
import type { ControlTransfer, Timestamp } from "../usb/model.js";
import { isDeviceToHost } from "../usb/requests.js";
import { isoTime } from "../usb/time.js";

export function renderTransfer(t: TransferSummary, depth: 1 | 2 | 3 = 2): string {
  const lines: string[] = [];
  const ep = `${t.device}.${t.endpoint} ${t.direction.toUpperCase()}`;
  let head: string;
  switch (t.kind) {
    case "control":
      head = `Control transfer on ${ep}: ${t.request ?? "?"}, ${t.dataLength} data bytes, ${t.outcome}`;
      break;
    case "polling":
      head = `Polling ${t.nakCount} times on ${ep}, NAK`;
      break;
    case "invalid":
      head = `Invalid packets (${t.transactions.length})`;
      break;
    default:
      head = `${t.kind[0].toUpperCase()}${t.kind.slice(1)} transfer on ${ep}: ${t.dataLength} data bytes, ${t.outcome}${t.nakCount ? `, ${t.nakCount} NAKs` : ""}`;
  }
  lines.push(`${head} [packet ${t.firstPacket}]`);
  if (depth >= 2) {
    for (const tx of t.transactions) {
      const split = tx.split ? (tx.split === "start" ? "SSPLIT " : "CSPLIT ") : "";
      const data = tx.dataLength >= 0 ? `, ${tx.dataLength} bytes` : "";
      const re = tx.retransmission ? " (retransmission)" : "";
      lines.push(
        `  ${split}${tx.pids.filter((p) => p !== "SPLIT").join(" ")}${data}, ${tx.outcome}${re} [transaction ${tx.index}]`,
      );
      if (depth >= 3)
        for (let k = 0; k < tx.pids.length; k++) lines.push(`    ${tx.pids[k]} [packet ${tx.packets[k]}]`);
    }
    if (t.transactionsOmitted > 0) lines.push(`  … ${t.transactionsOmitted} more transactions`);
  }
  return lines.join("\n");
}

/** Render a list of transfers, one block each. */
export function renderTree(transfers: Iterable<TransferSummary>, depth: 1 | 2 | 3 = 2): string {
  const out: string[] = [];
  for (const t of transfers) out.push(renderTransfer(t, depth));
  return out.join("\n") + (out.length ? "\n" : "");
}

/** A transfer as `transfers --json` prints it: without transactions at depth 1, without packets at depth 2. */
export function transferJson(t: TransferSummary, depth: 1 | 2 | 3): Record<string, unknown> {
  const out: Record<string, unknown> = { ...t };
  if (depth < 2) delete out.transactions;
  else if (depth < 3) out.transactions = t.transactions.map(({ packets: _p, ...rest }) => rest);
  return out;
}

/** A URB capture has no transactions: its control transfers are the tree's only level. */
export function urbControlTransferText(ct: ControlTransfer): string {
  const dir = isDeviceToHost(ct.setup) ? "IN" : "OUT";
  const bus = ct.bus !== undefined ? `${ct.bus}:` : "";
  const status =
    ct.status === "ok" ? "ok" : `${ct.status}${ct.urbStatus !== undefined ? ` (${ct.urbStatus})` : ""}`;
  const shown = ct.data.subarray(0, URB_DATA_SHOWN);
  const data = ct.data.length ? `: ${hexBytes(shown)}${ct.data.length > URB_DATA_SHOWN ? " …" : ""}` : "";
  return `Control transfer on ${bus}${ct.address}.0 ${dir}: ${ct.request}, ${ct.data.length} data bytes, ${status} [record ${ct.firstPacket}]${data}`;
}

/** Data bytes shown on a URB control transfer's line. */
const URB_DATA_SHOWN = 32;

export function urbControlTransferJson(ct: ControlTransfer): Record<string, unknown> {
  return {
    kind: "control",
    source: "urb",
    bus: ct.bus,
    device: ct.address,
    endpoint: 0,
    direction: isDeviceToHost(ct.setup) ? "in" : "out",
    request: ct.request,
    setup: ct.setup,
    dataLength: ct.data.length,
    outcome: ct.status,
    urbStatus: ct.urbStatus,
    firstPacket: ct.firstPacket,
    lastPacket: ct.lastPacket,
  };
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
