// Data toggle tracking for bulk, interrupt and isochronous endpoints (USB 2.0 §8.6), per device,
// endpoint and direction, in flat typed arrays (128 addresses × 16 endpoints × 2 directions).
import { Pid } from "../../as/shared/constants.js";
import type { EndpointType, Speed } from "../usb/model.js";
import { finding, type FindingSink } from "../usb/finding.js";
import { nextToggle, pidName } from "../usb/pid.js";
import { TOGGLE_BULK_INT, TOGGLE_ISO, TOGGLE_RESET_DATA0 } from "./rules.js";
import { type Transaction, TxOutcome, txPlace } from "./transaction.js";
import { classifyToggle, ToggleCase, ToggleReset } from "./toggleClassifier.js";

/** What the tracker concluded about one data transaction. */
export enum ToggleVerdict {
  /** New data (count it). */
  NEW = 0,
  /** The same data again after a lost or unseen handshake (count it once). */
  RETRANSMISSION = 1,
}

// Finding details are built only when a finding fires: the check itself allocates nothing.
// A toggle finding points at the data packet that carries the wrong PID, where the user will look.
const dataPacketOf = (tx: Transaction) => {
  for (let k = 0; k < tx.packetCount; k++)
    if (tx.packetPid[k] === tx.dataPid && tx.dataPid !== 0) return tx.packetIndex[k]!;
  return tx.firstPacket;
};
const where = (tx: Transaction) => txPlace(tx, dataPacketOf(tx));
const epName = (tx: Transaction) =>
  `endpoint ${tx.address}.${tx.endpoint} ${tx.tokenPid === Pid.IN ? "IN" : "OUT"}`;

/** Slots of slotOf: 128 addresses × 16 endpoints × 2 directions; tables indexed by slot have this many entries. */
export const SLOTS = 128 * 16 * 2;
export const slotOf = (address: number, endpoint: number, dirIn: boolean) =>
  ((address & 0x7f) << 5) | ((endpoint & 0xf) << 1) | (dirIn ? 1 : 0);

/** The tables before the first use: all zero (no state), never written (allocate() replaces them). */
const NO_BYTES = new Uint8Array(SLOTS);
const NO_FINGERPRINTS = new Float64Array(SLOTS);

export class ToggleTracker {
  // The tables are views of one buffer made at the first use that writes (allocate()): a capture without raw
  // packets (usbmon, USBPcap) never needs them, and a verify batch makes a tracker per trace.
  /** Expected next data PID; 0 = unknown (start of capture, or after a packet we could not read). */
  private expected = NO_BYTES;
  /** PID and fingerprint of the last data packet, and whether it was handshaked. */
  private lastPid = NO_BYTES;
  private lastFingerprint = NO_FINGERPRINTS;
  private lastAccepted = NO_BYTES;
  private reset = NO_BYTES;
  private lastNoHandshake = NO_BYTES;

  constructor(
    private readonly findings: FindingSink,
    private readonly bus: { readonly speed: Speed },
  ) {}

  private allocate(): void {
    if (this.expected !== NO_BYTES) return;
    const buf = new ArrayBuffer(SLOTS * (Float64Array.BYTES_PER_ELEMENT + 5));
    this.lastFingerprint = new Float64Array(buf, 0, SLOTS);
    const at = (k: number) => new Uint8Array(buf, SLOTS * (Float64Array.BYTES_PER_ELEMENT + k), SLOTS);
    this.expected = at(0);
    this.lastPid = at(1);
    this.lastAccepted = at(2);
    this.reset = at(3);
    this.lastNoHandshake = at(4);
  }

  /** Forget everything about a device address (a new device took it: SET_ADDRESS). */
  clearDevice(address: number): void {
    // Nothing known yet: nothing to forget.
    if (this.expected === NO_BYTES) return;
    const base = (address & 0x7f) << 5;
    for (let k = 0; k < 32; k++) {
      this.expected[base + k] = 0;
      this.lastPid[base + k] = 0;
      this.lastAccepted[base + k] = 0;
      this.reset[base + k] = ToggleReset.NONE;
    }
  }

  /** Mark endpoints of a device for a reset to DATA0; `endpointAddress` undefined = all but EP0. */
  markReset(address: number, kind: ToggleReset, endpointAddress?: number): void {
    this.allocate();
    const base = (address & 0x7f) << 5;
    if (endpointAddress !== undefined) {
      const slot = slotOf(address, endpointAddress & 0xf, (endpointAddress & 0x80) !== 0);
      this.reset[slot] = kind;
      return;
    }
    for (let k = 2; k < 32; k++) this.reset[base + k] = kind;
  }

  /**
   * Check the toggle of a data transaction on a non-control endpoint of known type (the effective
   * transaction: for splits, the start split's data with the complete split's outcome).
   */
  check(tx: Transaction, type: EndpointType, split: boolean): ToggleVerdict {
    this.allocate();
    const dirIn = tx.tokenPid === Pid.IN;
    const slot = slotOf(tx.address, tx.endpoint, dirIn);
    const pid = tx.dataPid;
    if (type === "isochronous") {
      // §5.9.2: FS isochronous always DATA0; DATA1/DATA2/MDATA belong to HS high-bandwidth (§5.9.2 Table 5-12);
      // a split's CSPLIT may return MDATA (§11.21) and its SSPLIT carries DATA0.
      // At unknown speed (link type 288) only splits say the speed; HS high-bandwidth PIDs cannot be judged.
      const fsLike = split || this.bus.speed === "full" || this.bus.speed === "low";
      const ok = fsLike ? pid === Pid.DATA0 || (split && pid === Pid.MDATA) : true;
      if (!ok)
        this.findings.add(
          finding(
            TOGGLE_ISO,
            `${pidName(pid)} on isochronous ${epName(tx)}${fsLike ? " at full speed (must be DATA0)" : ""}`,
            where(tx),
          ),
        );
      return ToggleVerdict.NEW;
    }
    if (pid === Pid.DATA2 || (pid === Pid.MDATA && !split)) {
      this.findings.add(
        finding(
          TOGGLE_ISO,
          `${pidName(pid)} on ${type} ${epName(tx)}: DATA2/MDATA only belong to high-speed isochronous or splits`,
          where(tx),
        ),
      );
      return ToggleVerdict.NEW;
    }
    const accepted = tx.outcome === TxOutcome.ACK || (tx.outcome === TxOutcome.NYET && !dirIn);
    const expected = this.expected[slot];
    let verdict = ToggleVerdict.NEW;
    switch (this.classify(slot, pid, tx.dataFingerprint)) {
      case ToggleCase.RESET_HARD:
        this.findings.add(
          finding(
            TOGGLE_RESET_DATA0,
            `${pidName(pid)} is the first data on ${epName(tx)} after its toggle was reset (SET_CONFIGURATION or CLEAR_FEATURE(ENDPOINT_HALT)); expected DATA0`,
            where(tx),
          ),
        );
        break;
      case ToggleCase.RESET_SOFT:
        this.findings.add(
          finding(
            TOGGLE_RESET_DATA0,
            `${pidName(pid)} is the first data on ${epName(tx)} after SET_INTERFACE; expected DATA0`,
            where(tx),
          ),
        );
        break;
      case ToggleCase.RETRANSMISSION:
        // §8.6.4: the receiver handshaked, the sender missed it and sent the same data again: legal, discard.
        this.findings.add(
          finding(
            TOGGLE_BULK_INT,
            `${pidName(pid)} repeated with identical data on ${epName(tx)}: retransmission after a handshake the sender did not see`,
            where(tx),
            "info",
          ),
        );
        verdict = ToggleVerdict.RETRANSMISSION;
        break;
      case ToggleCase.WRONG:
        this.findings.add(
          finding(
            TOGGLE_BULK_INT,
            `${pidName(pid)} on ${epName(tx)} where ${pidName(expected)} was expected${this.lastPid[slot] === pid ? " (same PID as the last ACKed packet but different data)" : ""}`,
            where(tx),
          ),
        );
        break;
      case ToggleCase.REPEAT_AFTER_LOST_HANDSHAKE:
        this.findings.add(
          finding(
            TOGGLE_BULK_INT,
            `${pidName(pid)} repeated with identical data on ${epName(tx)}: retransmission after a lost handshake`,
            where(tx),
            "info",
          ),
        );
        break;
    }
    this.update(
      slot,
      pid,
      tx.dataFingerprint,
      accepted,
      verdict === ToggleVerdict.NEW,
      tx.outcome === TxOutcome.NONE,
    );
    return verdict;
  }

  /**
   * check() for a DATA0/DATA1 transaction on a bulk or interrupt endpoint that the receiver accepted
   * (ACK, or NYET for OUT), given as numbers instead of a Transaction: when check() would neither
   * report anything nor call it a retransmission, update the state as check() does and return true;
   * otherwise change nothing and return false (the caller then takes the general path).
   */
  acceptQuietly(slot: number, pid: number, fingerprint: number): boolean {
    this.allocate();
    if (this.classify(slot, pid, fingerprint) !== ToggleCase.IN_SEQUENCE) return false;
    this.update(slot, pid, fingerprint, true, true, false);
    return true;
  }

  /** Where DATA0/DATA1 on a bulk or interrupt endpoint stands against the toggle state (§8.6), before any change. */
  private classify(slot: number, pid: number, fingerprint: number): ToggleCase {
    return classifyToggle(
      this.expected[slot]!,
      this.reset[slot]!,
      this.lastPid[slot]!,
      this.lastFingerprint[slot]!,
      this.lastAccepted[slot] === 1,
      this.lastNoHandshake[slot] === 1,
      pid,
      fingerprint,
    );
  }

  /** The state after a data transaction: a pending reset is done once data is accepted; the next toggle. */
  private update(
    slot: number,
    pid: number,
    fingerprint: number,
    accepted: boolean,
    isNew: boolean,
    noHandshake: boolean,
  ): void {
    if (this.reset[slot] !== ToggleReset.NONE && accepted) this.reset[slot] = ToggleReset.NONE;
    if (accepted && isNew) this.expected[slot] = nextToggle(pid);
    else if (isNew && this.expected[slot] === 0) this.expected[slot] = pid; // not accepted: the same toggle comes again
    this.lastPid[slot] = pid;
    this.lastFingerprint[slot] = fingerprint;
    this.lastAccepted[slot] = accepted ? 1 : 0;
    this.lastNoHandshake[slot] = noHandshake ? 1 : 0;
  }

  /** A transaction was cut by a malformed packet: the toggle state of its endpoint is unknown now. */
  lose(address: number, endpoint: number, dirIn: boolean): void {
    this.allocate();
    this.expected[slotOf(address, endpoint, dirIn)] = 0;
  }
}
