// Raw packets judged on their columns: records are grouped into transactions as they come (SPLIT,
// token, data, handshake: §8.4.2.2, §8.5), so a data packet and its handshake carry their token's
// device, endpoint and direction, and every packet of a transaction its outcome (`status==nak`
// selects the IN and its NAK). No object per record: one cursor is moved over the columns. A
// transaction cut by the end of a batch is copied (at most four records) and judged with the next.
import { LinkType, PacketStatus, Pid, SplitBits } from "../../as/shared/constants.js";
import type { RecordBatch, Timestamp } from "../usb/model.js";
import { isDataPid, isTokenPid } from "../usb/pid.js";
import { decodeBusEvent } from "../packets/busEvents.js";
import type { FilterEnv, Predicate } from "./compile.js";
import type { FindingMark } from "./facts.js";
import { KindBit, StatusBit, type Subject } from "./subject.js";

/** One record under judgement, with what its transaction says. */
export class PacketCursor {
  b!: RecordBatch;
  i = 0;
  dev = NaN;
  epaddr = NaN;
  kind = 0;
  /** The transaction's outcome bits (the record's own status is added by the subject). */
  txStatus = 0;
  /** Payload bytes of the transaction's data packet, NaN when it has none. */
  dataLen = NaN;
  dataBatch: RecordBatch | undefined;
  dataIndex = -1;
  /** A sniffer's bus event (pcapng custom block): its own time, from its payload; NaN otherwise. */
  evSec = NaN;
  evNsec = 0;
}

const EP_TYPE_KIND: Record<string, number> = {
  control: KindBit.CONTROL,
  bulk: KindBit.BULK,
  interrupt: KindBit.INTERRUPT,
  isochronous: KindBit.ISO,
};
/** SPLIT ET field (§8.4.2.2 Table 8-12): control, iso, bulk, interrupt. */
const SPLIT_KIND = [KindBit.CONTROL, KindBit.ISO, KindBit.BULK, KindBit.INTERRUPT];

function ownStatus(st: number): number {
  if (st === PacketStatus.OK || st === PacketStatus.NOT_RAW) return 0;
  if (st === PacketStatus.BAD_CRC5 || st === PacketStatus.BAD_CRC16)
    return StatusBit.ERROR | StatusBit.BAD_CRC;
  return StatusBit.ERROR;
}

/** The Subject for raw packets (and the records beside them: bus events have a time and an index only). */
export function packetSubject(env: FilterEnv): Subject<PacketCursor> {
  return {
    dev: (c) => c.dev,
    bus: () => NaN,
    epaddr: (c) => c.epaddr,
    kind: (c) => c.kind,
    pid: (c) => {
      const st = c.b.status[c.i]!;
      return st === PacketStatus.NOT_RAW || st === PacketStatus.EMPTY ? NaN : c.b.pid[c.i]!;
    },
    status: (c) => {
      const own = ownStatus(c.b.status[c.i]!);
      return own === 0 ? c.txStatus : (c.txStatus & ~StatusBit.OK) | own;
    },
    urbStatus: () => NaN,
    len: (c) => c.dataLen,
    sec: (c) => (Number.isNaN(c.evSec) ? c.b.tsSec[c.i]! : c.evSec),
    nsec: (c) => (Number.isNaN(c.evSec) ? c.b.tsNsec[c.i]! : c.evNsec),
    first: (c) => c.b.firstIndex + c.i,
    last: (c) => c.b.firstIndex + c.i,
    data: (c) => {
      const d = c.dataBatch;
      if (d === undefined) return undefined;
      const off = d.dataOffset[c.dataIndex]!;
      // PID byte and CRC16 excluded (§8.4.4).
      return d.bytes.subarray(off + 1, off + Math.max(1, d.dataLength[c.dataIndex]! - 2));
    },
    findings: (c): FindingMark[] | undefined => env.facts?.findingsAt(c.b.firstIndex + c.i),
    request: (c) =>
      env.facts !== undefined && (c.epaddr & 0x0f) === 0
        ? env.facts.requestAt(c.b.firstIndex + c.i, c.dev)
        : undefined,
  };
}

/** A copy of records from..to-1 of `b` (bytes included), to outlive the batch. */
export function copyRecords(b: RecordBatch, from: number, to: number): RecordBatch {
  const n = to - from;
  const start = n > 0 ? b.dataOffset[from]! : 0;
  let end = start;
  for (let i = from; i < to; i++) end = Math.max(end, b.dataOffset[i]! + b.dataLength[i]!);
  const bytes = b.bytes.slice(start, end);
  const dataOffset = new Uint32Array(n);
  for (let i = 0; i < n; i++) dataOffset[i] = b.dataOffset[from + i]! - start;
  return {
    firstIndex: b.firstIndex + from,
    count: n,
    bytes,
    offset: b.offset.slice(from, to),
    tsSec: b.tsSec.slice(from, to),
    tsNsec: b.tsNsec.slice(from, to),
    linktype: b.linktype.slice(from, to),
    pid: b.pid.slice(from, to),
    status: b.status.slice(from, to),
    address: b.address.slice(from, to),
    endpoint: b.endpoint.slice(from, to),
    frame: b.frame.slice(from, to),
    dataOffset,
    dataLength: b.dataLength.slice(from, to),
    origLength: b.origLength.slice(from, to),
    ...(b.interface ? { interface: b.interface.slice(from, to) } : {}),
  };
}

/** Two batches' records one after the other (both small: a carried transaction). */
function joinBatches(a: RecordBatch, b: RecordBatch): RecordBatch {
  const bytes = new Uint8Array(a.bytes.length + b.bytes.length);
  bytes.set(a.bytes, 0);
  bytes.set(b.bytes, a.bytes.length);
  const cat = <T extends { length: number; set(x: ArrayLike<number>, o: number): void }>(
    x: T,
    y: T,
    make: (n: number) => T,
  ) => {
    const out = make(x.length + y.length);
    out.set(x, 0);
    out.set(y, x.length);
    return out;
  };
  const dataOffset = cat(
    a.dataOffset,
    b.dataOffset.map((o) => o + a.bytes.length),
    (n) => new Uint32Array(n),
  );
  return {
    firstIndex: a.firstIndex,
    count: a.count + b.count,
    bytes,
    offset: cat(a.offset, b.offset, (n) => new Float64Array(n)),
    tsSec: cat(a.tsSec, b.tsSec, (n) => new Float64Array(n)),
    tsNsec: cat(a.tsNsec, b.tsNsec, (n) => new Uint32Array(n)),
    linktype: cat(a.linktype, b.linktype, (n) => new Uint16Array(n)),
    pid: cat(a.pid, b.pid, (n) => new Uint8Array(n)),
    status: cat(a.status, b.status, (n) => new Uint8Array(n)),
    address: cat(a.address, b.address, (n) => new Uint8Array(n)),
    endpoint: cat(a.endpoint, b.endpoint, (n) => new Uint8Array(n)),
    frame: cat(a.frame, b.frame, (n) => new Uint16Array(n)),
    dataOffset,
    dataLength: cat(a.dataLength, b.dataLength, (n) => new Uint32Array(n)),
    origLength: cat(a.origLength, b.origLength, (n) => new Uint32Array(n)),
    ...(a.interface && b.interface
      ? { interface: cat(a.interface, b.interface, (n) => new Uint32Array(n)) }
      : {}),
  };
}

const isUrbLinktype = (lt: number) =>
  lt === LinkType.USB_LINUX || lt === LinkType.USB_LINUX_MMAPPED || lt === LinkType.USBPCAP;

/** Called with each batch and which of its records the filter selected (mask[i] 1); URB records are always 1 (the URB filter judges them). */
export type SelectedRecords = (batch: RecordBatch, mask: Uint8Array) => void;

/**
 * Selects raw packets with a compiled predicate. push() each batch; `emit` gets it back (after a copy of
 * a transaction carried over from the batch before) with its mask. end() emits what is still carried.
 */
export class PacketSelector {
  private readonly cursor = new PacketCursor();
  /** The open transaction's members: up to SPLIT, token, data, handshake. */
  private readonly memberBatch: (RecordBatch | undefined)[] = [undefined, undefined, undefined, undefined];
  private readonly memberIndex = new Int32Array(4);
  private members = 0;
  private hasToken = false;
  private hasData = false;
  private hasSplit = false;
  /** Records of the open transaction copied out of the batch before. */
  private carry: RecordBatch | undefined;
  private carryMask = new Uint8Array(4);
  private mask = new Uint8Array(0);
  /** Device addresses seen in tokens (the "never matches" note). */
  readonly devicesSeen = new Uint8Array(128);
  /** Records selected so far (URB records not counted: the URB filter judges them). */
  selected = 0;

  constructor(
    private readonly predicate: Predicate<PacketCursor>,
    private readonly env: FilterEnv,
    private readonly emit: SelectedRecords,
    /** Keep a transaction whole: when the predicate selects one of its packets, select them all (export). */
    private readonly whole = false,
  ) {}

  push(b: RecordBatch): void {
    if (this.mask.length < b.count) this.mask = new Uint8Array(Math.max(b.count, 2 * this.mask.length));
    const mask = this.mask;
    mask.fill(0, 0, b.count);
    const status = b.status,
      pids = b.pid,
      linktype = b.linktype;
    for (let i = 0; i < b.count; i++) {
      const st = status[i]!;
      // Times count from the first record with a time of its own, as `packets` shows them.
      if (this.env.origin === undefined) {
        if (linktype[i] !== LinkType.PCAPNG_CUSTOM_BLOCK)
          this.env.origin = { sec: b.tsSec[i]!, nsec: b.tsNsec[i]! } satisfies Timestamp;
        else {
          const ev = decodeBusEvent(b.bytes, b.dataOffset[i]!, b.dataLength[i]!);
          if (ev) this.env.origin = { sec: ev.sec, nsec: ev.nsec } satisfies Timestamp;
        }
      }
      const pidValid =
        st === PacketStatus.OK || st === PacketStatus.BAD_CRC5 || st === PacketStatus.BAD_CRC16;
      if (!pidValid) {
        if (st === PacketStatus.NOT_RAW || st === PacketStatus.TRUNCATED) {
          if (isUrbLinktype(linktype[i]!)) {
            this.close();
            mask[i] = 1;
            continue;
          }
        }
        // A sniffer's bus event (a low-speed keepalive between a token and its handshake) is judged
        // alone and leaves the transaction open, as the assembler skips it.
        if (st === PacketStatus.NOT_RAW) {
          this.judgeAlone(b, i);
          continue;
        }
        this.close();
        this.add(b, i);
        this.close();
        continue;
      }
      const pid = pids[i]!;
      if (pid === Pid.SPLIT) {
        this.close();
        this.add(b, i);
        this.hasSplit = true;
      } else if (isTokenPid(pid)) {
        if (!(this.hasSplit && !this.hasToken)) this.close();
        this.add(b, i);
        this.hasToken = true;
      } else if (isDataPid(pid)) {
        if (!this.hasToken || this.hasData) this.close();
        this.add(b, i);
        this.hasData = true;
        if (!this.hasToken) this.close();
      } else if ((pid & 3) === 2) {
        // Handshake (PID type 10): completes the transaction it answers.
        if (!this.hasToken) this.close();
        this.add(b, i);
        this.close();
      } else {
        this.close();
        this.add(b, i);
        this.close();
      }
    }
    // A transaction still open at the end of the batch is copied and judged with the next one.
    if (this.members > 0) this.carryOpen(b);
    this.emit(b, mask);
  }

  end(): void {
    this.close();
  }

  private add(b: RecordBatch, i: number): void {
    if (this.members === 4) this.close();
    this.memberBatch[this.members] = b;
    this.memberIndex[this.members] = i;
    this.members++;
  }

  /** A record outside any transaction (a bus event): judged on its own time and index. */
  private judgeAlone(b: RecordBatch, i: number): void {
    const c = this.cursor;
    c.dev = NaN;
    c.epaddr = NaN;
    c.dataLen = NaN;
    c.dataBatch = undefined;
    c.kind = 0;
    c.txStatus = StatusBit.OK;
    c.b = b;
    c.i = i;
    const ev =
      b.linktype[i] === LinkType.PCAPNG_CUSTOM_BLOCK
        ? decodeBusEvent(b.bytes, b.dataOffset[i]!, b.dataLength[i]!)
        : null;
    if (ev) {
      c.evSec = ev.sec;
      c.evNsec = ev.nsec;
    }
    const keep = this.predicate(c) ? 1 : 0;
    c.evSec = NaN;
    this.selected += keep;
    this.mask[i] = keep;
  }

  /**
   * Copy the open transaction's records in `b` into the carry: from its first member in `b` (from the
   * start of `b` when it began in the carry) to the end, with the bus events judged among them, so that
   * records are emitted in file order.
   */
  private carryOpen(b: RecordBatch): void {
    let first = -1;
    for (let m = 0; m < this.members && first < 0; m++)
      if (this.carry !== undefined && this.memberBatch[m] === this.carry) first = 0;
      else if (this.memberBatch[m] === b) first = this.memberIndex[m]!;
    if (first < 0) return;
    const copy = copyRecords(b, first, b.count);
    const base = this.carry?.count ?? 0;
    this.carry = this.carry ? joinBatches(this.carry, copy) : copy;
    if (this.carryMask.length < this.carry.count) {
      const grown = new Uint8Array(this.carry.count * 2);
      grown.set(this.carryMask.subarray(0, base));
      this.carryMask = grown;
    }
    // Records copied that are no member (bus events) keep the judgement they had, now in the carry.
    for (let i = first; i < b.count; i++) {
      this.carryMask[base + i - first] = this.mask[i]!;
      this.mask[i] = 0;
    }
    for (let m = 0; m < this.members; m++)
      if (this.memberBatch[m] === b) {
        this.memberBatch[m] = this.carry;
        this.memberIndex[m] = base + this.memberIndex[m]! - first;
      } else if (this.memberBatch[m] !== this.carry) {
        // Members in an older carry were re-based by joinBatches (it keeps their positions).
        this.memberBatch[m] = this.carry;
      }
  }

  /** Judge the open transaction's records and set their mask bits. */
  private close(): void {
    const n = this.members;
    if (n === 0) return;
    const c = this.cursor;
    const env = this.env;
    let tokenPid = 0,
      handshake = 0,
      splitKind = 0;
    c.dev = NaN;
    c.epaddr = NaN;
    c.dataLen = NaN;
    c.dataBatch = undefined;
    c.kind = 0;
    for (let m = 0; m < n; m++) {
      const b = this.memberBatch[m]!;
      const i = this.memberIndex[m]!;
      const st = b.status[i]!;
      if (st === PacketStatus.NOT_RAW || st === PacketStatus.EMPTY) continue;
      const pid = b.pid[i]!;
      if (pid === Pid.SPLIT) splitKind = SPLIT_KIND[b.frame[i]! & SplitBits.ET_MASK]!;
      else if (isTokenPid(pid) && tokenPid === 0) {
        tokenPid = pid;
        c.dev = b.address[i]!;
        c.epaddr = b.endpoint[i]! | (pid === Pid.IN ? 0x80 : 0);
        this.devicesSeen[c.dev & 0x7f] = 1;
      } else if (isDataPid(pid) && st !== PacketStatus.BAD_LENGTH) {
        c.dataLen = Math.max(0, b.dataLength[i]! - 3);
        c.dataBatch = b;
        c.dataIndex = i;
      } else if ((pid & 3) === 2 && st === PacketStatus.OK) handshake = pid;
      else if (pid === Pid.SOF && n === 1) c.kind = KindBit.SOF;
    }
    if (tokenPid !== 0) {
      const ep = c.epaddr & 0x0f;
      let kind = splitKind;
      if (ep === 0) kind |= KindBit.CONTROL;
      else if (kind === 0 && env.facts)
        kind |= EP_TYPE_KIND[env.facts.endpointType(c.dev, c.epaddr) ?? ""] ?? 0;
      if (tokenPid === Pid.SETUP) kind |= KindBit.SETUP;
      // A poll answered without data: NAKed IN or PING (§8.5.1, §8.5.2), or an empty interrupt IN.
      if ((tokenPid === Pid.IN || tokenPid === Pid.PING) && handshake === Pid.NAK) kind |= KindBit.POLL;
      if (tokenPid === Pid.IN && c.dataLen === 0 && kind & KindBit.INTERRUPT) kind |= KindBit.POLL;
      c.kind = kind;
      c.txStatus =
        handshake === Pid.NAK
          ? StatusBit.NAK
          : handshake === Pid.STALL
            ? StatusBit.STALL
            : handshake === Pid.PRE_ERR
              ? StatusBit.ERROR
              : handshake !== 0 || c.dataBatch !== undefined
                ? StatusBit.OK
                : StatusBit.ERROR;
    } else c.txStatus = StatusBit.OK;
    const predicate = this.predicate;
    let flushCarry = false;
    let any = 0;
    if (this.whole)
      for (let m = 0; m < n && any === 0; m++) {
        c.b = this.memberBatch[m]!;
        c.i = this.memberIndex[m]!;
        any = predicate(c) ? 1 : 0;
      }
    for (let m = 0; m < n; m++) {
      const b = this.memberBatch[m]!;
      const i = this.memberIndex[m]!;
      c.b = b;
      c.i = i;
      const keep = this.whole ? any : predicate(c) ? 1 : 0;
      this.selected += keep;
      if (b === this.carry) {
        this.carryMask[i] = keep;
        flushCarry = true;
      } else this.mask[i] = keep;
      this.memberBatch[m] = undefined;
    }
    this.members = 0;
    this.hasToken = this.hasData = this.hasSplit = false;
    if (flushCarry && this.carry) {
      const carry = this.carry;
      this.carry = undefined;
      this.emit(carry, this.carryMask.subarray(0, carry.count));
    }
  }
}
