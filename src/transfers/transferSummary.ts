// The transfer → transaction → packet tree handed to `onTransfer` listeners (one object per transfer,
// built only when a listener is attached).

export type TransferKind =
  "control" | "bulk" | "interrupt" | "isochronous" | "unknown" | "polling" | "invalid";

export interface TransactionSummary {
  /** File-wide transaction index. */
  index: number;
  firstPacket: number;
  /** Record indices of the packets (SPLIT, token, data, handshake). */
  packets: number[];
  /** Spec names of those packets' PIDs, e.g. ["SETUP", "DATA0", "ACK"]. */
  pids: string[];
  /** "ACK", "NAK", "STALL", "NYET", "ERR", "no handshake" or "invalid". */
  outcome: string;
  /** Payload bytes of the data packet, -1 when none. */
  dataLength: number;
  split?: "start" | "complete";
  /** The same data again after a lost handshake: counted once. */
  retransmission?: boolean;
}

export interface TransferSummary {
  kind: TransferKind;
  /** Device address (for an invalid group, the address of its token if any, else -1). */
  device: number;
  /** Endpoint number 0..15. */
  endpoint: number;
  direction: "in" | "out";
  firstPacket: number;
  lastPacket: number;
  transactions: TransactionSummary[];
  /** Transactions not listed because the list hit its cap. */
  transactionsOmitted: number;
  /** Data bytes transferred (each retransmission counted once). */
  dataLength: number;
  /** "ok", "stall", "incomplete", "error", or for polling "nak". */
  outcome: string;
  /** NAKed transactions folded into this transfer (a polling entry is only NAKs). */
  nakCount: number;
  /** Control transfers: the request name and the ControlTransfer index. */
  request?: string;
  controlIndex?: number;
}

export type TransferListener = (t: TransferSummary) => void;

/** Transactions kept per transfer before counting the rest (bounds memory on endless iso streams). */
export const MAX_LISTED_TRANSACTIONS = 4096;
