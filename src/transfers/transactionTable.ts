// The transaction state machine of USB 2.0 §8.5 and §11.17–11.21 as a table keyed on (state, PID),
// in the style of packetry's transaction_status and Wireshark's usbll_next_state.
import { Pid } from "../../as/shared/constants.js";

/** Where an open transaction stands. */
export enum TxState {
  IDLE = 0,
  /** SSPLIT seen, awaiting its token (§8.4.2.2). */
  SPLIT_START,
  /** CSPLIT seen, awaiting its token. */
  SPLIT_COMPLETE,
  /** SETUP token (direct or start-split), awaiting DATA0. */
  SETUP,
  /** SETUP data seen, awaiting the device's ACK. */
  SETUP_DATA,
  OUT,
  OUT_DATA,
  IN,
  /** Device sent data, awaiting the host's ACK (none for isochronous). */
  IN_DATA,
  PING,
  /** Start-split IN token, awaiting the hub's ACK/NAK (non-periodic) or nothing (periodic). */
  SSPLIT_IN,
  /** Complete-split IN token, awaiting data or NAK/STALL/NYET/ERR from the hub. */
  CSPLIT_IN,
  /** Complete-split OUT or SETUP token, awaiting ACK/NAK/STALL/NYET/ERR from the hub. */
  CSPLIT_OUT,
}
const STATES = 13;

/** What a packet does to the open transaction (packetry's outcomes). */
export enum TxAction {
  /** The packet starts a new transaction; the open one, if any, ends as it stands. */
  NEW = 0,
  /** The packet belongs to the open transaction, which goes on. */
  CONTINUE = 1,
  /** The packet belongs to the open transaction and completes it. */
  DONE = 2,
  /** The packet cannot follow: the open transaction ends and the packet stands alone (PID_SEQUENCE). */
  INVALID = 3,
}

/** Column of the table for a PID byte: the PID code (low nibble), with CSPLIT as its own column. */
export const CSPLIT_COLUMN = 16;
const COLUMNS = 17;

const TABLE = new Uint8Array(STATES * COLUMNS);

const D0 = Pid.DATA0 & 0xf,
  D1 = Pid.DATA1 & 0xf,
  D2 = Pid.DATA2 & 0xf,
  MD = Pid.MDATA & 0xf;
const ACK = Pid.ACK & 0xf,
  NAK = Pid.NAK & 0xf,
  STALL = Pid.STALL & 0xf,
  NYET = Pid.NYET & 0xf,
  ERR = Pid.PRE_ERR & 0xf;
const SETUP = Pid.SETUP & 0xf,
  OUT = Pid.OUT & 0xf,
  IN = Pid.IN & 0xf,
  PING = Pid.PING & 0xf,
  SSPLIT = Pid.SPLIT & 0xf;
const DATA = [D0, D1, D2, MD];

function arm(state: TxState, pids: number[], next: TxState, action: TxAction): void {
  for (const p of pids) TABLE[state * COLUMNS + p] = (next << 2) | action;
}

// Defaults: a token or SPLIT starts a new transaction from any state; anything else out of place is invalid.
for (let s = 0; s < STATES; s++) {
  for (let p = 0; p < COLUMNS; p++) TABLE[s * COLUMNS + p] = (TxState.IDLE << 2) | TxAction.INVALID;
  arm(s, [SETUP], TxState.SETUP, TxAction.NEW); // §8.5.3: SETUP always opens a transaction
  arm(s, [OUT], TxState.OUT, TxAction.NEW); // §8.5.2
  arm(s, [IN], TxState.IN, TxAction.NEW); // §8.5.2
  arm(s, [PING], TxState.PING, TxAction.NEW); // §8.5.1: HS PING flow control
  arm(s, [SSPLIT], TxState.SPLIT_START, TxAction.NEW); // §8.4.2.2 SC=0
  arm(s, [CSPLIT_COLUMN], TxState.SPLIT_COMPLETE, TxAction.NEW); // §8.4.2.2 SC=1
}
// A split packet is followed by the token of the transaction it splits (§8.4.2.2).
arm(TxState.SPLIT_START, [SETUP], TxState.SETUP, TxAction.CONTINUE); // §11.17.1: SSPLIT SETUP DATA0 → hub ACK
arm(TxState.SPLIT_START, [OUT], TxState.OUT, TxAction.CONTINUE); // §11.17.1, §11.18.4, §11.20: SSPLIT OUT data
arm(TxState.SPLIT_START, [IN], TxState.SSPLIT_IN, TxAction.CONTINUE); // §11.17.1: SSPLIT IN → hub ACK/NAK (periodic: none)
arm(TxState.SPLIT_START, [PING], TxState.IDLE, TxAction.INVALID); // PING is never split (§8.5.1 is HS-only)
arm(TxState.SPLIT_COMPLETE, [SETUP, OUT], TxState.CSPLIT_OUT, TxAction.CONTINUE); // §11.17.1: CSPLIT OUT/SETUP → handshake
arm(TxState.SPLIT_COMPLETE, [IN], TxState.CSPLIT_IN, TxAction.CONTINUE); // §11.17.1, §11.20.4: CSPLIT IN → data or handshake
arm(TxState.SPLIT_COMPLETE, [PING], TxState.IDLE, TxAction.INVALID); // PING is never split
// SETUP → DATA0 → ACK (§8.5.3). DATA1 is still the setup data (CTRL_SETUP_FORMAT says so); DATA2/MDATA are not.
arm(TxState.SETUP, [D0, D1], TxState.SETUP_DATA, TxAction.CONTINUE);
arm(TxState.SETUP_DATA, [ACK], TxState.IDLE, TxAction.DONE); // §8.5.3: the device must ACK a SETUP
arm(TxState.SETUP_DATA, [NAK, STALL], TxState.IDLE, TxAction.DONE); // forbidden but seen: CTRL_SETUP_NOT_ACKED decides
// OUT → DATAx → ACK/NAK/STALL/NYET (§8.5.2, §8.5.1); DATA2/MDATA for HS high-bandwidth iso and split iso (TOGGLE_ISO decides).
arm(TxState.OUT, DATA, TxState.OUT_DATA, TxAction.CONTINUE);
arm(TxState.OUT_DATA, [ACK, NAK, STALL, NYET], TxState.IDLE, TxAction.DONE);
// IN → DATAx → ACK, or IN → NAK/STALL (§8.5.2); iso IN data has no handshake (§8.5.5).
arm(TxState.IN, DATA, TxState.IN_DATA, TxAction.CONTINUE);
arm(TxState.IN, [NAK, STALL], TxState.IDLE, TxAction.DONE);
arm(TxState.IN_DATA, [ACK], TxState.IDLE, TxAction.DONE); // only the host handshakes IN data, and only with ACK
// PING → ACK/NAK/STALL (§8.5.1).
arm(TxState.PING, [ACK, NAK, STALL], TxState.IDLE, TxAction.DONE);
// SSPLIT IN: the hub ACKs (accepted) or NAKs (busy) a non-periodic start split (§11.17.1); periodic ones get nothing.
arm(TxState.SSPLIT_IN, [ACK, NAK], TxState.IDLE, TxAction.DONE);
// CSPLIT IN: the hub returns the device's data or handshake, NYET (not yet) or ERR (periodic FS/LS error, §11.20.4); no host handshake.
arm(TxState.CSPLIT_IN, DATA, TxState.IDLE, TxAction.DONE);
arm(TxState.CSPLIT_IN, [NAK, STALL, NYET, ERR], TxState.IDLE, TxAction.DONE);
// CSPLIT OUT/SETUP: the hub returns the device's handshake, NYET, or ERR (§11.17.1, §11.21.4).
arm(TxState.CSPLIT_OUT, [ACK, NAK, STALL, NYET, ERR], TxState.IDLE, TxAction.DONE);

/** Table column for a PID byte; `complete` tells SSPLIT from CSPLIT. */
export function txColumn(pid: number, complete: boolean): number {
  return pid === Pid.SPLIT && complete ? CSPLIT_COLUMN : pid & 0xf;
}

/** Look up (state, column): returns (next state << 2) | action. */
export function txStep(state: TxState, column: number): number {
  return TABLE[state * COLUMNS + column];
}
