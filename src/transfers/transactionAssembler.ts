// Packets → transactions: drives the §8.5 table (transactionTable.ts) over the records of each batch.
// State lives in one explicit object so a transaction can straddle two batches.
import { LinkType, PacketStatus, Pid, SplitBits } from "../../as/shared/constants.js";
import { BusEvent, decodeBusEvent } from "../packets/busEvents.js";
import { snifferLogEvent, snifferLogText } from "../packets/snifferLog.js";
import type { RecordBatch, Speed } from "../usb/model.js";
import { finding, type FindingSink } from "../usb/finding.js";
import { isDataPid, pidName } from "../usb/pid.js";
import { PID_SEQUENCE } from "./rules.js";
import { MAX_TX_PACKETS, SplitKind, Transaction, TxOutcome, fingerprintOf, txPlace } from "./transaction.js";
import { TxAction, TxState, txColumn, txStep } from "./transactionTable.js";

export type TransactionListener = (tx: Transaction) => void;

/**
 * Optional fast path for a poll answered without data in two consecutive records: IN or PING answered
 * by NAK (§8.5.1, §8.5.2), the bulk of a polling storm, and PING answered by ACK (the endpoint has
 * room; the OUT follows as a transaction of its own). Called with the token's numbers instead of
 * filling a Transaction for the listener. Returns false when the general path must run (the
 * transaction is then assembled and listened to as usual).
 */
export type PollListener = (tokenPid: number, address: number, endpoint: number) => boolean;

/**
 * Optional fast path for IN-DATAx-ACK and OUT-DATAx-ACK/NYET in three consecutive records (§8.5.2),
 * the bulk of a bulk stream: data the receiver accepted. Called with the transaction's numbers
 * (`fingerprint` as in Transaction.dataFingerprint) instead of filling a Transaction. Returns false
 * when the general path must run.
 */
export type DataTxListener = (
  tokenPid: number,
  address: number,
  endpoint: number,
  dataPid: number,
  fingerprint: number,
) => boolean;

/** A bus event recorded between packets (src/packets/busEvents.ts), at record `index`. */
export type BusEventListener = (event: BusEvent, index: number, sec: number, nsec: number) => void;

/** Outcome per handshake PID byte; anything else in a handshake's place is INVALID (a typed array: no object lookup per packet). */
const HANDSHAKE_OUTCOME = new Uint8Array(256).fill(TxOutcome.INVALID);
HANDSHAKE_OUTCOME[Pid.ACK] = TxOutcome.ACK;
HANDSHAKE_OUTCOME[Pid.NAK] = TxOutcome.NAK;
HANDSHAKE_OUTCOME[Pid.STALL] = TxOutcome.STALL;
HANDSHAKE_OUTCOME[Pid.NYET] = TxOutcome.NYET;
HANDSHAKE_OUTCOME[Pid.PRE_ERR] = TxOutcome.ERR;

export class TransactionAssembler {
  private readonly tx = new Transaction();
  private state = TxState.IDLE;
  private open = false;
  private nextIndex = 0;
  /** The previous packet was malformed: a stray packet now is explained, not a sequence error. */
  private afterMalformed = false;
  /** Packets seen per PID byte (valid packets only). */
  readonly pidCounts = new Float64Array(256);
  malformedCount = 0;
  sofCount = 0;
  /** Copy every data packet's payload into the transaction (for display), not only control payloads. */
  copyAllData = false;
  /** Copy the payloads of the endpoints this says (the class decoder's), besides control ones. */
  copyData: ((address: number, endpoint: number, dirIn: boolean) => boolean) | undefined = undefined;

  constructor(
    private readonly findings: FindingSink,
    private readonly listener: TransactionListener,
    private readonly bus: { readonly speed: Speed } = { speed: "unknown" },
    private readonly poll?: PollListener,
    private readonly dataTx?: DataTxListener,
    private readonly onBusEvent?: BusEventListener,
  ) {}

  get transactionCount(): number {
    return this.nextIndex;
  }

  /**
   * Feed every record of a batch. One call per batch, not per packet: the batch's columns sit in
   * locals for the whole loop (the listener runs between packets, so V8 could not hoist `b.pid` &c.
   * out of a per-packet method), and SOF, URB and malformed records never leave the loop. No code
   * follows the loop: V8 optimizes it while the first batch still runs (on-stack replacement), and
   * bytecode after the loop that had not run yet would throw that optimized code away.
   */
  batch(b: RecordBatch): void {
    const status = b.status,
      pids = b.pid,
      frame = b.frame,
      address = b.address,
      endpoint = b.endpoint;
    const tsSec = b.tsSec,
      tsNsec = b.tsNsec;
    const pidCounts = this.pidCounts;
    const tx = this.tx;
    const firstIndex = b.firstIndex;
    const count = b.count;
    const poll = this.poll;
    const dataTx = this.dataTx;
    for (let i = 0; i < count; i++) {
      const st = status[i];
      if (st !== PacketStatus.OK) {
        if (st === PacketStatus.NOT_RAW) {
          // URB records belong to src/urb; a sniffer's bus events come as pcapng custom blocks.
          if (b.linktype[i] === LinkType.PCAPNG_CUSTOM_BLOCK && this.onBusEvent !== undefined)
            this.customBlock(b, i, firstIndex + i);
          else if (b.linktype[i] === LinkType.WIRESHARK_UPPER_PDU && this.onBusEvent !== undefined)
            this.snifferLog(b, i, firstIndex + i);
          continue;
        }
        // A malformed packet ends whatever was open (packetry shows it in its own "invalid" group).
        this.malformedCount++;
        if (this.open) {
          tx.interrupted = true;
          this.finish();
        }
        this.afterMalformed = true;
        continue;
      }
      const pid = pids[i];
      pidCounts[pid]++;
      if (pid === Pid.SOF) {
        // SOFs fall between transactions and, at FS/LS, may sit inside a split's frame: never part of one.
        this.sofCount++;
        continue;
      }
      if (
        pid === Pid.PRE_ERR &&
        this.bus.speed !== "high" &&
        this.state !== TxState.CSPLIT_IN &&
        this.state !== TxState.CSPLIT_OUT
      ) {
        // PRE (§8.6.5: FS preamble before an LS packet) shares ERR's code; outside a CSPLIT it is a preamble.
        continue;
      }
      const index = firstIndex + i;
      if (
        poll !== undefined &&
        (pid === Pid.IN || pid === Pid.PING) &&
        i + 1 < count &&
        status[i + 1] === PacketStatus.OK &&
        (pids[i + 1] === Pid.NAK || (pid === Pid.PING && pids[i + 1] === Pid.ACK))
      ) {
        // A whole IN-NAK, PING-NAK or PING-ACK transaction in two records. Outside a split only: after
        // SSPLIT or CSPLIT the token continues the split transaction; anywhere else it starts a new one (the table).
        const s = this.state;
        if (s !== TxState.SPLIT_START && s !== TxState.SPLIT_COMPLETE) {
          if (this.open) this.finish();
          if (poll(pid, address[i], endpoint[i])) {
            this.nextIndex++;
            pidCounts[pids[i + 1]]++;
            this.afterMalformed = false;
            i++;
            continue;
          }
        }
      }
      if (
        dataTx !== undefined &&
        (pid === Pid.IN || pid === Pid.OUT) &&
        i + 2 < count &&
        status[i + 1] === PacketStatus.OK &&
        status[i + 2] === PacketStatus.OK
      ) {
        // A whole data transaction in three records, outside a split (as for polls above).
        const dataPid = pids[i + 1];
        const handshake = pids[i + 2];
        const s = this.state;
        if (
          isDataPid(dataPid) &&
          (handshake === Pid.ACK || (handshake === Pid.NYET && pid === Pid.OUT)) &&
          s !== TxState.SPLIT_START &&
          s !== TxState.SPLIT_COMPLETE
        ) {
          if (this.open) this.finish();
          if (
            dataTx(
              pid,
              address[i],
              endpoint[i],
              dataPid,
              fingerprintOf(frame[i + 1], b.dataLength[i + 1] - 3),
            )
          ) {
            this.nextIndex++;
            pidCounts[dataPid]++;
            pidCounts[handshake]++;
            this.afterMalformed = false;
            i += 2;
            continue;
          }
        }
      }
      const complete = pid === Pid.SPLIT && (frame[i] & SplitBits.SC) !== 0;
      const step = txStep(this.state, txColumn(pid, complete));
      const action = (step & 3) as TxAction;
      if (action === TxAction.INVALID) {
        this.invalid(b, i, index, pid);
        this.afterMalformed = false;
        continue;
      }
      if (action === TxAction.NEW) {
        if (this.open) this.finish();
        // begin(): a fresh transaction at this packet.
        tx.reset();
        tx.index = this.nextIndex++;
        tx.firstPacket = index;
        tx.startSec = tsSec[i];
        tx.startNsec = tsNsec[i];
        this.open = true;
      }
      // addPacket(), inlined: tokens and handshakes are most packets; SPLIT and data take the slower helper.
      const n = tx.packetCount;
      if (n < MAX_TX_PACKETS) {
        tx.packetIndex[n] = index;
        tx.packetPid[n] = pid;
        tx.packetCount = n + 1;
      }
      tx.lastPacket = index;
      tx.endSec = tsSec[i];
      tx.endNsec = tsNsec[i];
      if (pid === Pid.IN || pid === Pid.OUT || pid === Pid.SETUP || pid === Pid.PING) {
        tx.tokenPid = pid;
        tx.address = address[i];
        tx.endpoint = endpoint[i];
      } else if ((pid & 3) === 2) {
        // Handshake PID type (ACK/NAK/STALL/NYET; §8.3.1); ERR (0x3C) takes the else branch below.
        tx.handshakePid = pid;
        tx.outcome = HANDSHAKE_OUTCOME[pid];
      } else {
        this.addOther(b, i, pid, complete);
      }
      if (action === TxAction.DONE) this.finish();
      else this.state = (step >> 2) as TxState;
      this.afterMalformed = false;
    }
  }

  /**
   * A custom block: a bus event or not. A bus reset cuts the open transaction (§7.1.7.5: the device
   * returns to the Default state); the other events (keepalives included, §7.1.7.6) leave it open.
   */
  private customBlock(b: RecordBatch, i: number, index: number): void {
    const e = decodeBusEvent(b.bytes, b.dataOffset[i], b.dataLength[i]);
    if (e === null) return;
    if (e.event === BusEvent.BUS_RESET && this.open) {
      this.tx.interrupted = true;
      this.finish();
    }
    this.onBusEvent!(e.event, index, e.sec, e.nsec);
  }

  /** A line of usb-sniffer's log interface (snifferLog.ts): a bus event when it states one, with its record's time. */
  private snifferLog(b: RecordBatch, i: number, index: number): void {
    const text = snifferLogText(b.bytes, b.dataOffset[i], b.dataLength[i]);
    const event = text === null ? undefined : snifferLogEvent(text);
    if (event === undefined) return;
    if (event === BusEvent.BUS_RESET && this.open) {
      this.tx.interrupted = true;
      this.finish();
    }
    this.onBusEvent!(event, index, b.tsSec[i], b.tsNsec[i]);
  }

  /** A packet that fits no transaction: the open one ends, and the packet stands alone (PID_SEQUENCE). */
  private invalid(b: RecordBatch, i: number, index: number, pid: number): void {
    const tx = this.tx;
    const explained = this.afterMalformed && !this.open;
    const what = this.open
      ? `${pidName(pid)} after ${pidName(tx.packetPid[tx.packetCount - 1])}`
      : `${pidName(pid)} outside any transaction`;
    if (this.open) {
      // The sequence broke mid-transaction: a packet is missing from the capture, so what it carried is unknown.
      tx.interrupted = true;
      this.finish();
    }
    this.begin(b, i, index);
    tx.packetIndex[0] = index;
    tx.packetPid[0] = pid;
    tx.packetCount = 1;
    tx.lastPacket = index;
    tx.endSec = b.tsSec[i];
    tx.endNsec = b.tsNsec[i];
    tx.outcome = TxOutcome.INVALID;
    if (isDataPid(pid)) tx.dataPid = pid;
    if (!explained) {
      this.findings.add(
        finding(PID_SEQUENCE, `invalid PID sequence: ${what}`, {
          packet: index,
          transaction: tx.index,
          time: { sec: b.tsSec[i], nsec: b.tsNsec[i] },
        }),
      );
    }
    this.finish();
  }

  /** End of capture: close the open transaction. */
  end(): void {
    if (this.open) this.finish();
  }

  private begin(b: RecordBatch, i: number, index: number): void {
    const tx = this.tx;
    tx.reset();
    tx.index = this.nextIndex++;
    tx.firstPacket = index;
    tx.startSec = b.tsSec[i];
    tx.startNsec = b.tsNsec[i];
    this.open = true;
  }

  /** The packets `batch` does not fill in itself: SPLIT, data, and ERR. */
  private addOther(b: RecordBatch, i: number, pid: number, complete: boolean): void {
    const tx = this.tx;
    if (pid === Pid.SPLIT) {
      tx.split = complete ? SplitKind.COMPLETE : SplitKind.START;
      tx.splitBits = b.frame[i];
      tx.hubAddress = b.address[i];
      tx.hubPort = b.endpoint[i];
    } else if (isDataPid(pid)) {
      tx.dataPid = pid;
      const len = b.dataLength[i] - 3;
      const off = b.dataOffset[i];
      tx.dataLength = len;
      tx.dataFingerprint = fingerprintOf(b.frame[i], len); // the core's frame column holds the received CRC16
      // Only control payloads outlive the batch (setup bytes, descriptors); bulk data is copied only to be shown.
      if (
        (tx.endpoint === 0 ||
          tx.tokenPid === Pid.SETUP ||
          this.copyAllData ||
          (this.copyData !== undefined && this.copyData(tx.address, tx.endpoint, tx.tokenPid === Pid.IN))) &&
        len >= 0 &&
        len <= tx.data.length
      ) {
        tx.data.set(b.bytes.subarray(off + 1, off + 1 + len));
        tx.dataCopied = true;
      }
    } else {
      tx.handshakePid = pid;
      tx.outcome = HANDSHAKE_OUTCOME[pid];
    }
  }

  private finish(): void {
    const tx = this.tx;
    const s = this.state;
    if (tx.outcome !== TxOutcome.INVALID && tx.handshakePid === 0) {
      tx.tokenOnly =
        s === TxState.SETUP ||
        s === TxState.OUT ||
        s === TxState.IN ||
        s === TxState.PING ||
        s === TxState.SSPLIT_IN ||
        s === TxState.CSPLIT_IN ||
        s === TxState.CSPLIT_OUT;
      // §8.5.2/§8.5.3: the host always follows SETUP and OUT tokens with data; a bare token is out of sequence.
      if (!tx.interrupted && (s === TxState.SETUP || s === TxState.OUT)) {
        this.findings.add(
          finding(
            PID_SEQUENCE,
            `invalid PID sequence: ${pidName(tx.tokenPid)} token with no data packet`,
            txPlace(tx),
          ),
        );
      }
    }
    this.open = false;
    this.state = TxState.IDLE;
    this.listener(tx);
  }
}
