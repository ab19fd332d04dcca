// One transaction (USB 2.0 §8.5): a reusable struct, filled by the assembler and handed to the
// layers above during a synchronous callback (no object per transaction on the hot path).
import { Pid } from "../../as/shared/constants.js";
import type { FindingPlace } from "../usb/finding.js";
import { deviceAddr, endpointAddr } from "../usb/ids.js";

/** How a transaction ended: its handshake, or why it has none. */
export enum TxOutcome {
  /** No handshake: isochronous, periodic start split, CSPLIT IN data, or nothing answered. */
  NONE = 0,
  ACK = 1,
  NAK = 2,
  STALL = 3,
  NYET = 4,
  /** Split handshake ERR (§11.20.4, §11.21.4). */
  ERR = 5,
  /** A packet that fits no transaction (PID_SEQUENCE). */
  INVALID = 6,
}

export const TX_OUTCOME_NAMES = ["no handshake", "ACK", "NAK", "STALL", "NYET", "ERR", "invalid"] as const;

export enum SplitKind {
  NONE = 0,
  START = 1,
  COMPLETE = 2,
}

/** Most packets in one transaction: SPLIT, token, data, handshake. */
export const MAX_TX_PACKETS = 4;
/** Largest data payload (§8.4.4: 1024 bytes, HS high-bandwidth). */
export const MAX_PAYLOAD = 1024;

/** Transaction.dataFingerprint of a data packet: its received CRC16 and its payload length. */
export function fingerprintOf(receivedCrc16: number, payloadLength: number): number {
  return receivedCrc16 + payloadLength * 65536;
}

export class Transaction {
  /** File-wide transaction index, from 0. */
  index = 0;
  firstPacket = 0;
  lastPacket = 0;
  /** SETUP, OUT, IN or PING; 0 for a stray packet (outcome INVALID). */
  tokenPid = 0;
  address = 0;
  endpoint = 0;
  split = SplitKind.NONE;
  /** SplitBits of the SPLIT packet (as/shared/constants.ts). */
  splitBits = 0;
  hubAddress = 0;
  hubPort = 0;
  /** PID of the data packet, 0 when none. */
  dataPid = 0;
  /** Payload bytes (PID and CRC16 excluded), -1 when no data packet. */
  dataLength = -1;
  /**
   * The data packet's received CRC16 plus 65536 × its payload length: tells a retransmission from new
   * data (§8.6.4) without keeping the bytes. The core puts the CRC in the frame column, so this costs
   * no read of the payload.
   */
  dataFingerprint = 0;
  /** Copy of the payload, valid when `dataCopied` (control endpoints only: the layer never copies bulk data). */
  readonly data = new Uint8Array(MAX_PAYLOAD);
  dataCopied = false;
  handshakePid = 0;
  outcome = TxOutcome.NONE;
  /** Ended by a malformed packet (bad CRC, bad length...) or by an out-of-sequence packet: a packet is unreadable or missing, so its data and toggle cannot be judged. */
  interrupted = false;
  /** The token was never followed by anything (no data for OUT/SETUP, no response for IN/PING). */
  tokenOnly = false;
  startSec = 0;
  startNsec = 0;
  endSec = 0;
  endNsec = 0;
  /** Record index and PID of each packet in the transaction (SOFs inside it are not listed). */
  readonly packetIndex = new Float64Array(MAX_TX_PACKETS);
  readonly packetPid = new Uint8Array(MAX_TX_PACKETS);
  packetCount = 0;

  reset(): void {
    this.tokenPid = 0;
    this.address = 0;
    this.endpoint = 0;
    this.split = SplitKind.NONE;
    this.splitBits = 0;
    this.hubAddress = 0;
    this.hubPort = 0;
    this.dataPid = 0;
    this.dataLength = -1;
    this.dataFingerprint = 0;
    this.dataCopied = false;
    this.handshakePid = 0;
    this.outcome = TxOutcome.NONE;
    this.interrupted = false;
    this.tokenOnly = false;
    this.packetCount = 0;
  }
}

/** Nanoseconds from (sec0, nsec0) to (sec1, nsec1), as a double (exact for spans under ~100 days). */
export function spanNs(sec0: number, nsec0: number, sec1: number, nsec1: number): number {
  return (sec1 - sec0) * 1e9 + (nsec1 - nsec0);
}

/**
 * Where a finding about a transaction points: `packet` (its first by default), its device, its
 * endpoint address (the direction is the token's: IN is device-to-host) and its start time.
 */
export function txPlace(tx: Transaction, packet: number = tx.firstPacket): FindingPlace {
  return {
    packet,
    transaction: tx.index,
    device: deviceAddr(tx.address),
    endpoint: endpointAddr(tx.endpoint, tx.tokenPid === Pid.IN),
    time: { sec: tx.startSec, nsec: tx.startNsec },
  };
}
