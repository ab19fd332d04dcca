// Public surface of the raw-packet transaction and transfer layer.
export { PacketLayer, type PacketLayerOptions, transactionSummary } from "./packetLayer.js";
export { renderTransfer, renderTree } from "./renderTree.js";
export { requestName, StandardRequest } from "./requestName.js";
export * from "./rules.js";
export { Transaction, TxOutcome, TX_OUTCOME_NAMES, SplitKind } from "./transaction.js";
export type { TransactionSummary, TransferKind, TransferListener, TransferSummary } from "./transferSummary.js";
export { pidName } from "../packets/pid.js";
