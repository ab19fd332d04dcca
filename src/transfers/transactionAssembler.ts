// Packets → transactions: drives the §8.5 table (transactionTable.ts) over the records of each batch.
// State lives in one explicit object so a transaction can straddle two batches.
import { PacketStatus, Pid, SplitBits } from "../../as/shared/constants.js";
import type { FindingSink, RecordBatch, Speed } from "../model.js";
import { finding } from "../rules/rule.js";
import { isDataPid, pidName } from "../packets/pid.js";
import { PID_SEQUENCE } from "./rules.js";
import { SplitKind, Transaction, TxOutcome } from "./transaction.js";
import { TxAction, TxState, txColumn, txStep } from "./transactionTable.js";

export type TransactionListener = (tx: Transaction) => void;

const HANDSHAKE_OUTCOME: Record<number, TxOutcome> = {
  [Pid.ACK]: TxOutcome.ACK, [Pid.NAK]: TxOutcome.NAK, [Pid.STALL]: TxOutcome.STALL, [Pid.NYET]: TxOutcome.NYET, [Pid.PRE_ERR]: TxOutcome.ERR,
};

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

  /** PRE exists only on full-speed buses (§8.6.5); at high speed 0x3C is ERR, legal only in a CSPLIT. */


  constructor(private readonly findings: FindingSink, private readonly listener: TransactionListener, private readonly bus: { readonly speed: Speed } = { speed: "unknown" }) {
  }

  get transactionCount(): number {
    return this.nextIndex;
  }

  /** Feed record i of a batch. */
  packet(b: RecordBatch, i: number): void {
    const status = b.status[i];
    if (status === PacketStatus.NOT_RAW) return; // URB records belong to src/urb
    const index = b.firstIndex + i;
    if (status !== PacketStatus.OK) {
      // A malformed packet ends whatever was open (packetry shows it in its own "invalid" group).
      this.malformedCount++;
      if (this.open) {
        this.tx.interrupted = true;
        this.finish();
      }
      this.afterMalformed = true;
      return;
    }
    const pid = b.pid[i];
    this.pidCounts[pid]++;
    if (pid === Pid.SOF) {
      // SOFs fall between transactions and, at FS/LS, may sit inside a split's frame: never part of one.
      this.sofCount++;
      return;
    }
    if (pid === Pid.PRE_ERR && this.bus.speed !== "high" && this.state !== TxState.CSPLIT_IN && this.state !== TxState.CSPLIT_OUT) {
      // PRE (§8.6.5: FS preamble before an LS packet) shares ERR's code; outside a CSPLIT it is a preamble.
      return;
    }
    const complete = pid === Pid.SPLIT && (b.frame[i] & SplitBits.SC) !== 0;
    const step = txStep(this.state, txColumn(pid, complete));
    const action = (step & 3) as TxAction;
    const next = (step >> 2) as TxState;
    const tx = this.tx;
    switch (action) {
      case TxAction.NEW:
        if (this.open) this.finish();
        this.begin(b, i, index);
        this.addPacket(b, i, index, pid, complete);
        this.state = next;
        break;
      case TxAction.CONTINUE:
        this.addPacket(b, i, index, pid, complete);
        this.state = next;
        break;
      case TxAction.DONE:
        this.addPacket(b, i, index, pid, complete);
        this.finish();
        break;
      case TxAction.INVALID: {
        const explained = this.afterMalformed && !this.open;
        const what = this.open ? `${pidName(pid)} after ${pidName(tx.packetPid[tx.packetCount - 1])}` : `${pidName(pid)} outside any transaction`;
        if (this.open) {
          // The sequence broke mid-transaction: a packet is missing from the capture, so what it carried is unknown.
          tx.interrupted = true;
          this.finish();
        }
        this.begin(b, i, index);
        tx.packetIndex[0] = index;
        tx.packetPid[0] = pid;
        tx.packetCount = 1;
        tx.outcome = TxOutcome.INVALID;
        if (isDataPid(pid)) tx.dataPid = pid;
        if (!explained) {
          this.findings.add(finding(PID_SEQUENCE, `invalid PID sequence: ${what}`, { packet: index, transaction: tx.index, time: { sec: b.tsSec[i], nsec: b.tsNsec[i] } }));
        }
        this.finish();
        break;
      }
    }
    this.afterMalformed = false;
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

  private addPacket(b: RecordBatch, i: number, index: number, pid: number, complete: boolean): void {
    const tx = this.tx;
    if (tx.packetCount < tx.packetPid.length) {
      tx.packetIndex[tx.packetCount] = index;
      tx.packetPid[tx.packetCount] = pid;
      tx.packetCount++;
    }
    tx.lastPacket = index;
    tx.endSec = b.tsSec[i];
    tx.endNsec = b.tsNsec[i];
    if (pid === Pid.SPLIT) {
      tx.split = complete ? SplitKind.COMPLETE : SplitKind.START;
      tx.splitBits = b.frame[i];
      tx.hubAddress = b.address[i];
      tx.hubPort = b.endpoint[i];
    } else if (pid === Pid.SETUP || pid === Pid.OUT || pid === Pid.IN || pid === Pid.PING) {
      tx.tokenPid = pid;
      tx.address = b.address[i];
      tx.endpoint = b.endpoint[i];
    } else if (isDataPid(pid)) {
      tx.dataPid = pid;
      const len = b.dataLength[i] - 3;
      const off = b.dataOffset[i];
      tx.dataLength = len;
      tx.dataFingerprint = (b.bytes[off + len + 1] | (b.bytes[off + len + 2] << 8)) + len * 65536;
      // Only control payloads outlive the batch (setup bytes, descriptors); bulk data is never copied.
      if ((tx.endpoint === 0 || tx.tokenPid === Pid.SETUP) && len <= tx.data.length) {
        tx.data.set(b.bytes.subarray(off + 1, off + 1 + len));
        tx.dataCopied = true;
      }
    } else {
      tx.handshakePid = pid;
      tx.outcome = HANDSHAKE_OUTCOME[pid] ?? TxOutcome.INVALID;
    }
  }

  private finish(): void {
    const tx = this.tx;
    const s = this.state;
    if (tx.outcome !== TxOutcome.INVALID && tx.handshakePid === 0) {
      tx.tokenOnly = s === TxState.SETUP || s === TxState.OUT || s === TxState.IN || s === TxState.PING || s === TxState.SSPLIT_IN || s === TxState.CSPLIT_IN || s === TxState.CSPLIT_OUT;
      // §8.5.2/§8.5.3: the host always follows SETUP and OUT tokens with data; a bare token is out of sequence.
      if (!tx.interrupted && (s === TxState.SETUP || s === TxState.OUT)) {
        this.findings.add(finding(PID_SEQUENCE, `invalid PID sequence: ${pidName(tx.tokenPid)} token with no data packet`, { packet: tx.firstPacket, transaction: tx.index, device: tx.address, endpoint: tx.endpoint, time: { sec: tx.startSec, nsec: tx.startNsec } }));
      }
    }
    this.open = false;
    this.state = TxState.IDLE;
    this.listener(tx);
  }
}
