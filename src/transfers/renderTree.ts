// Plain-text rendering of transfer summaries: depth 1 transfers, 2 + transactions, 3 + packets.
import type { TransferSummary } from "./transferSummary.js";

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
      lines.push(`  ${split}${tx.pids.filter((p) => p !== "SPLIT").join(" ")}${data}, ${tx.outcome}${re} [transaction ${tx.index}]`);
      if (depth >= 3) for (let k = 0; k < tx.pids.length; k++) lines.push(`    ${tx.pids[k]} [packet ${tx.packets[k]}]`);
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
