// A recording AnalysisContext for tests, and a runner that feeds records through a PacketLayer.
import type { AnalysisContext, ControlTransfer, EndpointType, Speed } from "../../../src/usb/model.js";
import type { Finding } from "../../../src/usb/finding.js";
import { PacketLayer } from "../../../src/transfers/packetLayer.js";
import type { TransferSummary } from "../../../src/transfers/transferSummary.js";
import { SplitKind, type Transaction, TX_OUTCOME_NAMES } from "../../../src/transfers/transaction.js";
import { pidName } from "../../../src/usb/pid.js";
import { type Packet, type RawRecord, records, toBatches } from "./packets.js";

export interface Recorded {
  layer: PacketLayer;
  findings: Finding[];
  controls: ControlTransfer[];
  transfers: TransferSummary[];
  /** Every transaction, as "split|PID|addr.ep|dataLength|outcome" keys in order (token transactions only). */
  transactions: string[];
  /** Findings of one rule (all severities). */
  rule(id: string): Finding[];
}

export interface RunOptions {
  speed?: Speed;
  /** Endpoint types by "address:endpointAddress" (e.g. "5:0x81"), as descriptors would say. */
  endpointTypes?: Record<string, EndpointType>;
  /** Records per batch (default 7, so transactions straddle batches). */
  batchSize?: number;
  stepNs?: number;
  timesNs?: number[];
  linktype?: number;
  /** wMaxPacketSize by "address:endpointAddress", offered through the optional maxPacketSize lookup. */
  maxPacketSizes?: Record<string, number>;
  /** Endpoint addresses of alternate settings by "address:interface:alt", offered through the optional interfaceEndpoints lookup. */
  interfaceEndpoints?: Record<string, number[]>;
  /** Learn endpoint types from GET_DESCRIPTOR(CONFIGURATION) replies as they complete (a stand-in for the descriptor layer). */
  learnEndpointTypes?: boolean;
  /** Put payload bytes on the transfer and transaction summaries (PacketLayerOptions.transferData). */
  transferData?: boolean;
}

const TYPES: EndpointType[] = ["control", "isochronous", "bulk", "interrupt"];

/** The key of an endpoint in the tests' type and size tables: "address:0xEP" (e.g. "5:0x81"). */
export const endpointKey = (address: number, endpointAddress: number) =>
  `${address}:0x${endpointAddress.toString(16).padStart(2, "0")}`;

/** Walk a configuration descriptor set (§9.6.3) for endpoint descriptors (§9.6.6). */
export function learnFromConfig(address: number, data: Uint8Array, into: Record<string, EndpointType>): void {
  for (let p = 0; p + 2 <= data.length && data[p] >= 2; p += data[p]) {
    if (data[p + 1] === 5 && p + 4 <= data.length)
      into[endpointKey(address, data[p + 2])] = TYPES[data[p + 3] & 3];
  }
}

export function runRecords(recs: RawRecord[], opts: RunOptions = {}): Recorded {
  const findings: Finding[] = [];
  const controls: ControlTransfer[] = [];
  const transfers: TransferSummary[] = [];
  const types: Record<string, EndpointType> = { ...(opts.endpointTypes ?? {}) };
  const ctx: AnalysisContext = {
    findings: { add: (f) => findings.push(f) },
    onControlTransfer: (ct) => {
      controls.push(ct);
      if (
        opts.learnEndpointTypes &&
        ct.status === "ok" &&
        ct.setup.bRequest === 6 &&
        ct.setup.wValue >> 8 === 2
      )
        learnFromConfig(ct.address, ct.data, types);
    },
    endpoints: Object.assign(
      { endpointType: (address: number, ep: number) => types[endpointKey(address, ep)] },
      opts.maxPacketSizes
        ? { maxPacketSize: (address: number, ep: number) => opts.maxPacketSizes![endpointKey(address, ep)] }
        : {},
      opts.interfaceEndpoints
        ? {
            interfaceEndpoints: (address: number, iface: number, alt: number) =>
              opts.interfaceEndpoints![`${address}:${iface}:${alt}`],
          }
        : {},
    ),
    speed: opts.speed ?? "high",
  };
  const transactions: string[] = [];
  const layer = new PacketLayer(ctx, {
    onTransfer: (t) => transfers.push(t),
    transferData: opts.transferData,
    onTransaction: (tx) => void (tx.tokenPid !== 0 && transactions.push(transactionKey(tx))),
  });
  for (const b of toBatches(recs, opts.batchSize ?? 7)) layer.onBatch(b);
  layer.onEnd();
  return {
    layer,
    findings,
    controls,
    transfers,
    transactions,
    rule: (id) => findings.filter((f) => f.rule === id),
  };
}

/** Feed packets (1 µs apart unless told) through a fresh PacketLayer. */
export function run(packets: Packet[], opts: RunOptions = {}): Recorded {
  return runRecords(
    records(packets, { stepNs: opts.stepNs, timesNs: opts.timesNs, linktype: opts.linktype }),
    opts,
  );
}

/** A transaction as a comparable key: "split|PID|addr.ep|dataLength|outcome" (outcome "none" = no handshake). */
export function transactionKey(tx: Transaction): string {
  const split =
    tx.split === SplitKind.START ? "start" : tx.split === SplitKind.COMPLETE ? "complete" : "none";
  const outcome = tx.outcome === 0 ? "none" : TX_OUTCOME_NAMES[tx.outcome];
  return `${split}|${pidName(tx.tokenPid)}|${tx.address}.${tx.endpoint}|${tx.dataLength}|${outcome}`;
}
