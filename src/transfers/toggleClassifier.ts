// Where a DATA0/DATA1 packet stands against a data-toggle sequence (USB 2.0 §8.6): one pure function
// for both places that keep a sequence, the bulk/interrupt endpoints (toggles.ts) and the data stage of
// a control transfer (controlTransfers.ts, §8.5.3: DATA1 first, then alternating).
import { Pid } from "../../as/shared/constants.js";

/** A pending reset of the toggle to DATA0. */
export enum ToggleReset {
  NONE = 0,
  /** SET_CONFIGURATION or CLEAR_FEATURE(ENDPOINT_HALT): the endpoint's next data must be DATA0. */
  HARD = 1,
  /**
   * SET_INTERFACE: only the endpoints of that interface reset (§9.4.10), and which those are needs the
   * descriptors; so a non-DATA0 is only flagged when it does not continue the old sequence either.
   */
  SOFT = 2,
}

/** How a data PID stands against the toggle state: in sequence, or which finding it makes. */
export enum ToggleCase {
  IN_SEQUENCE,
  /** Not DATA0 after SET_CONFIGURATION or CLEAR_FEATURE(ENDPOINT_HALT). */
  RESET_HARD,
  /** Not DATA0 after SET_INTERFACE, and not the old sequence either. */
  RESET_SOFT,
  /** The toggle of the last accepted packet again, with its data: the sender missed the handshake (§8.6.4). */
  RETRANSMISSION,
  WRONG,
  /** The same PID and data again after an unanswered packet. */
  REPEAT_AFTER_LOST_HANDSHAKE,
}

/**
 * Classify `pid` (with its data `fingerprint`) against a sequence: `expected` is the next PID (0: unknown),
 * `pending` a reset waiting for the next accepted data, and `last*` describe the previous data packet.
 */
export function classifyToggle(
  expected: number,
  pending: ToggleReset,
  lastPid: number,
  lastFingerprint: number,
  lastAccepted: boolean,
  lastNoHandshake: boolean,
  pid: number,
  fingerprint: number,
): ToggleCase {
  const sameAsLast = lastPid === pid && lastFingerprint === fingerprint;
  if (pending === ToggleReset.HARD && pid !== Pid.DATA0) return ToggleCase.RESET_HARD;
  if (pending === ToggleReset.SOFT && pid !== Pid.DATA0 && expected !== 0 && pid !== expected)
    return ToggleCase.RESET_SOFT;
  if (pending === ToggleReset.NONE && expected !== 0 && pid !== expected)
    return sameAsLast && lastAccepted ? ToggleCase.RETRANSMISSION : ToggleCase.WRONG;
  if (sameAsLast && !lastAccepted && expected !== 0 && lastNoHandshake)
    return ToggleCase.REPEAT_AFTER_LOST_HANDSHAKE;
  return ToggleCase.IN_SEQUENCE;
}
