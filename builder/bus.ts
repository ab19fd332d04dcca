// A bus-traffic simulator: a nanosecond clock, SOFs on schedule, and transactions (USB 2.0 §8.4,
// §8.5) written as raw packets through a record writer. Helpers build control transfers, bulk
// transfers with per-endpoint toggles, and a Linux-style enumeration.
import { LinkType, Pid } from "../as/shared/constants.js";
import type { SetupPacket, Timestamp } from "../src/usb/model.js";
import {
  enumerationSteps,
  encodeSetup,
  maxPacket0,
  type BusSpeed,
  type DeviceModel,
  type EnumerateOptions,
} from "./device.js";
import { applyPacketFault, type ControlFaults, type PacketFault } from "./faults.js";
import { data, handshake, sof, split, token, type SplitFields } from "./packets.js";

/** Anything that stores records: PcapWriter, or `pcapngInterface(writer, id)`. */
export interface RecordWriter {
  writeRecord(
    sec: number,
    nsec: number,
    bytes: Uint8Array,
    start?: number,
    end?: number,
    origLen?: number,
  ): void;
}

/** Bind a PcapngWriter interface as a RecordWriter. */
export function pcapngInterface(
  w: {
    writeEnhanced(
      ifId: number,
      sec: number,
      nsec: number,
      bytes: Uint8Array,
      start?: number,
      end?: number,
      origLen?: number,
    ): void;
  },
  ifId: number,
): RecordWriter {
  return {
    writeRecord: (sec, nsec, bytes, start, end, origLen) =>
      w.writeEnhanced(ifId, sec, nsec, bytes, start, end, origLen),
  };
}

/** The raw link type for a bus speed (LINKTYPE_USB_2_0_{LOW,FULL,HIGH}_SPEED). */
export function linktypeForSpeed(speed: BusSpeed): LinkType {
  return speed === "low"
    ? LinkType.USB_2_0_LOW_SPEED
    : speed === "full"
      ? LinkType.USB_2_0_FULL_SPEED
      : LinkType.USB_2_0_HIGH_SPEED;
}

export interface BusOptions {
  speed: BusSpeed;
  /** Time of the first record; default 2023-11-14T22:13:20Z. */
  start?: Timestamp;
  /** Emit SOFs. Default: yes at full and high speed; no at low speed, where the hub sends keep-alive EOPs instead (§11.8.4.1). */
  sof?: boolean;
  /** Frame number of the first SOF. */
  startFrame?: number;
}

/** A hub port behind which a full/low-speed device sits (split transactions, §11.14). */
export interface HubRoute {
  hubAddr: number;
  port: number;
  lowSpeed?: boolean;
  /** CSPLITs answered NYET before the result; default 1. */
  nyets?: number;
}

/** Where a helper's packets landed: record indices (0-based, file order). */
export interface Span {
  first: number;
  last: number;
}

const BIT_NS: Record<BusSpeed, number> = { low: 1e9 / 1.5e6, full: 1e9 / 12e6, high: 1e9 / 480e6 };
// SYNC + EOP in bit times (§7.1.10: 8-bit SYNC at FS/LS, 32-bit at HS; EOP 2-3 FS bits, 8 HS bits).
const FRAMING_BITS: Record<BusSpeed, number> = { low: 11, full: 11, high: 40 };
// Inter-packet gap and turnaround, bit times (§7.1.18: FS 2-6.5; HS up to 192).
const GAP_BITS: Record<BusSpeed, number> = { low: 8, full: 8, high: 96 };
const ACK = handshake(Pid.ACK);
const NAK = handshake(Pid.NAK);
const NYET = handshake(Pid.NYET);
const EMPTY = new Uint8Array(0);

/**
 * Raw USB traffic on one bus. Every emitted packet goes to the writer at the current clock, which
 * then advances by the packet's time on the wire plus a gap. SOFs go out every 1 ms (FS) or every
 * 125 µs microframe (HS, the frame number advancing every 8 microframes, §8.4.3.1).
 */
export class BusSim {
  readonly speed: BusSpeed;
  /** Nanoseconds since `start`. */
  now = 0;
  /** Records written. */
  records = 0;
  private readonly startSec: number;
  private readonly startNsec: number;
  private readonly bitNs: number;
  private readonly sofPeriod: number;
  private sofOn: boolean;
  private nextSof = 0;
  /** Clock value when the last packet left the wire: nothing may be stamped earlier. */
  private busFree = 0;
  /** FS frame or HS microframe counter. */
  private sofCount: number;
  private readonly faults: PacketFault[] = [];
  private readonly toggles = new Map<number, number>();
  /** Devices reached through a high-speed hub's transaction translator (§11.14), by address. */
  private readonly routes = new Map<number, HubRoute>();

  constructor(
    readonly writer: RecordWriter,
    opts: BusOptions,
  ) {
    this.speed = opts.speed;
    const start = opts.start ?? { sec: 1700000000, nsec: 0 };
    this.startSec = start.sec;
    this.startNsec = start.nsec;
    this.bitNs = BIT_NS[opts.speed];
    this.sofOn = opts.sof ?? opts.speed !== "low";
    this.sofPeriod = opts.speed === "high" ? 125_000 : 1_000_000;
    this.sofCount = opts.speed === "high" ? (opts.startFrame ?? 0) * 8 : (opts.startFrame ?? 0);
  }

  // ---- clock and packets ----

  /** Queue a one-shot fault for a later packet (see PacketFault). */
  fault(f: PacketFault): this {
    this.faults.push({ ...f });
    return this;
  }

  /** Emit one raw packet now (faults applied) and advance the clock; returns its record index, or -1 if dropped. */
  emit(bytes: Uint8Array): number {
    let out: Uint8Array | null = bytes;
    for (let i = 0; i < this.faults.length; i++) {
      const f = this.faults[i]!;
      if (f.pid !== undefined && f.pid !== bytes[0]) continue;
      if ((f.skip ?? 0) > 0) {
        f.skip!--;
        continue;
      }
      this.faults.splice(i, 1);
      out = applyPacketFault(bytes, f.kind);
      break;
    }
    const wire = this.wireNs(bytes.length);
    let index = -1;
    if (out !== null) {
      const t = this.startNsec + Math.round(this.now);
      const carry = Math.floor(t / 1e9);
      this.writer.writeRecord(this.startSec + carry, t - carry * 1e9, out);
      index = this.records++;
    }
    this.now += wire;
    this.busFree = this.now;
    return index;
  }

  private wireNs(len: number): number {
    return (FRAMING_BITS[this.speed] + len * 8 + GAP_BITS[this.speed]) * this.bitNs;
  }

  /**
   * Emit due SOFs, and move to the next frame if a transaction of `bytes` bytes (in up to three
   * packets) would not end before the next SOF: hosts do not start what cannot finish (§5.11.3).
   */
  private schedule(bytes: number): void {
    if (!this.sofOn) return;
    const need = (bytes * 8 * 1.2 + 3 * (FRAMING_BITS[this.speed] + GAP_BITS[this.speed])) * this.bitNs;
    if (this.now + need > this.nextSof) this.now = Math.max(this.now, this.nextSof);
    while (this.now >= this.nextSof) {
      const at = this.now;
      this.now = Math.max(this.nextSof, this.busFree);
      this.emitSof();
      this.now = Math.max(at, this.now);
    }
  }

  private emitSof(): void {
    const frame = this.speed === "high" ? this.sofCount >>> 3 : this.sofCount;
    this.emit(sof(frame & 0x7ff));
    this.sofCount++;
    this.nextSof += this.sofPeriod;
  }

  /** Let `ns` pass with an idle bus (SOFs keep going). */
  idle(ns: number): this {
    const end = this.now + ns;
    while (this.sofOn && this.nextSof <= end) {
      this.now = Math.max(this.nextSof, this.busFree);
      this.emitSof();
    }
    this.now = Math.max(this.now, end);
    return this;
  }

  /** Skip the next `n` SOFs: the frame counter advances but nothing is sent (SOF_SEQUENCE fires). */
  skipSof(n = 1): this {
    for (let i = 0; i < n; i++) this.fault({ pid: Pid.SOF, kind: "drop" });
    return this;
  }

  /** Bus reset (§7.1.7.5): no SOFs for `ns` (default 10 ms); toggles of every device go back to DATA0. */
  reset(ns = 10_000_000): this {
    const wasOn = this.sofOn;
    this.sofOn = false;
    this.now += ns;
    this.sofOn = wasOn;
    // The host controller's frame counter kept running; SOFs resume right after the reset.
    while (this.nextSof + this.sofPeriod <= this.now) {
      this.nextSof += this.sofPeriod;
      this.sofCount++;
    }
    this.nextSof = Math.max(this.nextSof, this.now);
    this.toggles.clear();
    return this;
  }

  // ---- transactions (§8.5) ----

  /**
   * Route every later control/bulk transaction to `addr` through split transactions via a hub's TT
   * (§11.14-11.17), as for a full- or low-speed device behind a high-speed hub; `null` removes it.
   */
  behindHub(addr: number, route: HubRoute | null): this {
    if (route === null) this.routes.delete(addr);
    else this.routes.set(addr, route);
    return this;
  }

  private viaHub(
    addr: number,
    ep: number,
    kind: "setup" | "in" | "out",
    dataPid: Pid,
    payload: Uint8Array,
    result: Pid,
  ): Span | null {
    const r = this.routes.get(addr);
    if (r === undefined) return null;
    return this.splitNonPeriodic({
      hubAddr: r.hubAddr,
      port: r.port,
      lowSpeed: r.lowSpeed,
      et: ep === 0 ? 0 : 2,
      kind,
      addr,
      ep,
      dataPid,
      payload,
      result,
      nyets: r.nyets ?? 1,
    });
  }

  /** SETUP transaction: SETUP, DATA0 (8 bytes), then the device's handshake (ACK unless told). */
  setup(
    addr: number,
    ep: number,
    setupBytes: Uint8Array,
    hs: Pid | null = Pid.ACK,
    dataPid: Pid = Pid.DATA0,
  ): Span {
    const routed = hs !== null ? this.viaHub(addr, ep, "setup", dataPid, setupBytes, hs) : null;
    if (routed) return routed;
    this.schedule(3 + setupBytes.length + 3 + 1);
    const first = this.emit(token(Pid.SETUP, addr, ep));
    let last = this.emit(data(dataPid, setupBytes));
    if (hs !== null) last = this.emit(handshake(hs));
    return { first, last };
  }

  /** IN transaction with data: IN, DATAx, host handshake (ACK; null for isochronous). */
  in(addr: number, ep: number, dataPid: Pid, payload: Uint8Array, hs: Pid | null = Pid.ACK): Span {
    const routed = hs !== null ? this.viaHub(addr, ep, "in", dataPid, payload, Pid.ACK) : null;
    if (routed) return routed;
    this.schedule(3 + payload.length + 3 + 1);
    const first = this.emit(token(Pid.IN, addr, ep));
    let last = this.emit(data(dataPid, payload));
    if (hs !== null) last = this.emit(hs === Pid.ACK ? ACK : handshake(hs));
    return { first, last };
  }

  /** IN answered by a handshake (NAK by default, or STALL). */
  inNak(addr: number, ep: number, hs: Pid = Pid.NAK): Span {
    const routed = this.viaHub(addr, ep, "in", Pid.DATA0, EMPTY, hs);
    if (routed) return routed;
    this.schedule(4);
    const first = this.emit(token(Pid.IN, addr, ep));
    return { first, last: this.emit(hs === Pid.NAK ? NAK : handshake(hs)) };
  }

  /** OUT transaction: OUT, DATAx, device handshake (ACK, NAK, STALL, NYET; null for isochronous). */
  out(addr: number, ep: number, dataPid: Pid, payload: Uint8Array, hs: Pid | null = Pid.ACK): Span {
    const routed = hs !== null ? this.viaHub(addr, ep, "out", dataPid, payload, hs) : null;
    if (routed) return routed;
    this.schedule(3 + payload.length + 3 + 1);
    const first = this.emit(token(Pid.OUT, addr, ep));
    let last = this.emit(data(dataPid, payload));
    if (hs !== null)
      last = this.emit(hs === Pid.ACK ? ACK : hs === Pid.NAK ? NAK : hs === Pid.NYET ? NYET : handshake(hs));
    return { first, last };
  }

  /** PING (HS only, §8.5.1): the device answers ACK (room for a packet), NAK or STALL. */
  ping(addr: number, ep: number, hs: Pid = Pid.ACK): Span {
    this.schedule(4);
    const first = this.emit(token(Pid.PING, addr, ep));
    return { first, last: this.emit(handshake(hs)) };
  }

  /** Isochronous IN (§5.6, §8.5.5): IN, DATAx, no handshake. */
  isoIn(addr: number, ep: number, payload: Uint8Array, dataPid: Pid = Pid.DATA0): Span {
    return this.in(addr, ep, dataPid, payload, null);
  }

  /** Isochronous OUT: OUT, DATAx, no handshake. */
  isoOut(addr: number, ep: number, payload: Uint8Array, dataPid: Pid = Pid.DATA0): Span {
    return this.out(addr, ep, dataPid, payload, null);
  }

  /** A SPLIT token (§8.4.2.2); compose it with the transaction that follows (`payload` bytes of data in it). */
  split(f: SplitFields, payload = 0): number {
    this.schedule(4 + 3 + payload + 3 + 1);
    return this.emit(split(f));
  }

  /**
   * Non-periodic split transaction for an FS/LS device behind an HS hub (§11.17): SSPLIT + token
   * (+ data) answered by the hub, then `nyets` CSPLITs answered NYET, then the CSPLIT that carries
   * the device's result. `kind` "setup"/"out" carry `payload` down; "in" brings `payload` up.
   */
  splitNonPeriodic(o: {
    hubAddr: number;
    port: number;
    et: 0 | 2;
    lowSpeed?: boolean;
    kind: "setup" | "in" | "out";
    addr: number;
    ep: number;
    dataPid: Pid;
    payload: Uint8Array;
    nyets?: number;
    /** Device result: ACK (default), NAK, STALL. For "in", NAK/STALL replace the data. */
    result?: Pid;
  }): Span {
    const base = {
      hubAddr: o.hubAddr,
      port: o.port,
      s: (o.lowSpeed ? 1 : 0) as 0 | 1,
      e: 0 as const,
      et: o.et,
    };
    const tok = o.kind === "setup" ? Pid.SETUP : o.kind === "in" ? Pid.IN : Pid.OUT;
    const result = o.result ?? Pid.ACK;
    const first = this.split({ ...base, sc: 0 }, o.kind === "in" ? 0 : o.payload.length);
    this.emit(token(tok, o.addr, o.ep));
    if (o.kind !== "in") this.emit(data(o.dataPid, o.payload));
    this.emit(ACK); // the hub accepted the start split
    for (let i = 0; i < (o.nyets ?? 1); i++) {
      this.split({ ...base, sc: 1 });
      this.emit(token(tok, o.addr, o.ep));
      this.emit(NYET);
    }
    this.split({ ...base, sc: 1 }, o.kind === "in" ? o.payload.length : 0);
    this.emit(token(tok, o.addr, o.ep));
    // CSPLIT IN: the hub returns the device's data and the host does not handshake (§11.17.2).
    const last =
      o.kind === "in" && result === Pid.ACK
        ? this.emit(data(o.dataPid, o.payload))
        : this.emit(handshake(result));
    return { first, last };
  }

  /** Interrupt IN split (§11.18): SSPLIT + IN (no handshake), then CSPLIT + IN answered with data (or NYET first). */
  splitInterruptIn(o: {
    hubAddr: number;
    port: number;
    lowSpeed?: boolean;
    addr: number;
    ep: number;
    dataPid: Pid;
    payload: Uint8Array | null;
    nyets?: number;
  }): Span {
    const base = { hubAddr: o.hubAddr, port: o.port, s: (o.lowSpeed ? 1 : 0) as 0 | 1, e: 0 as const, et: 3 };
    const first = this.split({ ...base, sc: 0 });
    this.emit(token(Pid.IN, o.addr, o.ep));
    for (let i = 0; i < (o.nyets ?? 0); i++) {
      this.split({ ...base, sc: 1 });
      this.emit(token(Pid.IN, o.addr, o.ep));
      this.emit(NYET);
    }
    this.split({ ...base, sc: 1 }, o.payload?.length ?? 0);
    this.emit(token(Pid.IN, o.addr, o.ep));
    const last = o.payload === null ? this.emit(NAK) : this.emit(data(o.dataPid, o.payload));
    return { first, last };
  }

  /**
   * High-bandwidth high-speed isochronous IN: 1-3 transactions in one microframe, PIDs counting
   * down to DATA0 (DATA2, DATA1, DATA0 for three; §5.9.2 Table 5-12).
   */
  hsIsoIn(addr: number, ep: number, payloads: Uint8Array[]): Span {
    const pids = [[Pid.DATA0], [Pid.DATA1, Pid.DATA0], [Pid.DATA2, Pid.DATA1, Pid.DATA0]][
      payloads.length - 1
    ];
    if (pids === undefined) throw new Error("1 to 3 transactions per microframe");
    let first = -1;
    let last = -1;
    payloads.forEach((p, i) => {
      const s = this.in(addr, ep, pids[i]!, p, null);
      if (first < 0) first = s.first;
      last = s.last;
    });
    return { first, last };
  }

  /** High-bandwidth high-speed isochronous OUT: MDATA for all but the last, whose PID says how many (DATA0/1/2; §5.9.2). */
  hsIsoOut(addr: number, ep: number, payloads: Uint8Array[]): Span {
    const pids = [[Pid.DATA0], [Pid.MDATA, Pid.DATA1], [Pid.MDATA, Pid.MDATA, Pid.DATA2]][
      payloads.length - 1
    ];
    if (pids === undefined) throw new Error("1 to 3 transactions per microframe");
    let first = -1;
    let last = -1;
    payloads.forEach((p, i) => {
      const s = this.out(addr, ep, pids[i]!, p, null);
      if (first < 0) first = s.first;
      last = s.last;
    });
    return { first, last };
  }

  /**
   * Isochronous OUT through a TT (§11.18.4): the payload goes down in start splits of at most 188
   * bytes, S/E marking all (1/1), begin (1/0), middle (0/0) and end (0/1); no complete split.
   */
  splitIsoOut(o: { hubAddr: number; port: number; addr: number; ep: number; payload: Uint8Array }): Span {
    let first = -1;
    let last = -1;
    const n = Math.max(1, Math.ceil(o.payload.length / 188));
    for (let i = 0; i < n; i++) {
      const chunk = o.payload.subarray(i * 188, Math.min(o.payload.length, (i + 1) * 188));
      const s: 0 | 1 = i === 0 ? 1 : 0;
      const e: 0 | 1 = i === n - 1 ? 1 : 0;
      const at = this.split({ hubAddr: o.hubAddr, port: o.port, sc: 0, s, e, et: 1 }, chunk.length);
      this.emit(token(Pid.OUT, o.addr, o.ep));
      last = this.emit(data(Pid.DATA0, chunk));
      if (first < 0) first = at;
    }
    return { first, last };
  }

  /**
   * Isochronous IN through a TT (§11.18.5): SSPLIT IN (S and E 0), then complete splits returning
   * MDATA while more data follows and DATA0 for the last part.
   */
  splitIsoIn(o: { hubAddr: number; port: number; addr: number; ep: number; parts: Uint8Array[] }): Span {
    const base = { hubAddr: o.hubAddr, port: o.port, s: 0 as const, e: 0 as const, et: 1 };
    const first = this.split({ ...base, sc: 0 });
    this.emit(token(Pid.IN, o.addr, o.ep));
    let last = first;
    o.parts.forEach((p, i) => {
      this.split({ ...base, sc: 1 }, p.length);
      this.emit(token(Pid.IN, o.addr, o.ep));
      last = this.emit(data(i === o.parts.length - 1 ? Pid.DATA0 : Pid.MDATA, p));
    });
    return { first, last };
  }

  /** Interrupt OUT through a TT (§11.18): SSPLIT OUT DATAx (no handshake), then CSPLITs until the device's handshake. */
  splitInterruptOut(o: {
    hubAddr: number;
    port: number;
    lowSpeed?: boolean;
    addr: number;
    ep: number;
    dataPid: Pid;
    payload: Uint8Array;
    nyets?: number;
    result?: Pid;
  }): Span {
    const base = { hubAddr: o.hubAddr, port: o.port, s: (o.lowSpeed ? 1 : 0) as 0 | 1, e: 0 as const, et: 3 };
    const first = this.split({ ...base, sc: 0 }, o.payload.length);
    this.emit(token(Pid.OUT, o.addr, o.ep));
    this.emit(data(o.dataPid, o.payload));
    for (let i = 0; i < (o.nyets ?? 0); i++) {
      this.split({ ...base, sc: 1 });
      this.emit(token(Pid.OUT, o.addr, o.ep));
      this.emit(NYET);
    }
    this.split({ ...base, sc: 1 });
    this.emit(token(Pid.OUT, o.addr, o.ep));
    return { first, last: this.emit(handshake(o.result ?? Pid.ACK)) };
  }

  // ---- data toggles (§8.6) ----

  private toggleKey(addr: number, epAddr: number): number {
    return (addr << 8) | (epAddr & 0x8f);
  }

  /** Current toggle (0 = DATA0, 1 = DATA1) of an endpoint, by address with direction bit 7. */
  toggle(addr: number, epAddr: number): number {
    return this.toggles.get(this.toggleKey(addr, epAddr)) ?? 0;
  }

  /** Force an endpoint's toggle (to desynchronise it on purpose, or after CLEAR_FEATURE(ENDPOINT_HALT)). */
  setToggle(addr: number, epAddr: number, value: 0 | 1): this {
    this.toggles.set(this.toggleKey(addr, epAddr), value);
    return this;
  }

  /** Every endpoint of `addr` back to DATA0 (SET_CONFIGURATION, SET_INTERFACE: §9.1.1.5, §9.4.5). */
  resetToggles(addr: number): this {
    for (const k of [...this.toggles.keys()]) if (k >>> 8 === addr) this.toggles.delete(k);
    return this;
  }

  /**
   * Bulk (or interrupt) IN transfer of `bytes` in packets of `maxPacket`, toggles tracked per
   * endpoint. `naks` NAKs before each packet; `zlp` ends an exact multiple with a zero-length packet.
   */
  bulkIn(
    addr: number,
    ep: number,
    bytes: Uint8Array,
    maxPacket: number,
    o: { naks?: number; zlp?: boolean; stall?: boolean; gapNs?: number } = {},
  ): Span {
    const epAddr = 0x80 | ep;
    let first = -1;
    let last = -1;
    const packets = splitPackets(bytes, maxPacket, o.zlp ?? false);
    for (const p of packets) {
      for (let i = 0; i < (o.naks ?? 0); i++) {
        const s = this.inNak(addr, ep);
        if (first < 0) first = s.first;
      }
      if (o.stall) {
        const s = this.inNak(addr, ep, Pid.STALL);
        return { first: first < 0 ? s.first : first, last: s.last };
      }
      const t = this.toggle(addr, epAddr);
      const s = this.in(addr, ep, t ? Pid.DATA1 : Pid.DATA0, p);
      this.setToggle(addr, epAddr, (t ^ 1) as 0 | 1);
      if (first < 0) first = s.first;
      last = s.last;
      if (o.gapNs) this.idle(o.gapNs);
    }
    return { first, last };
  }

  /** Bulk (or interrupt) OUT transfer; `naks` NAKs (each retry resends the same DATAx) before each ACK. */
  bulkOut(
    addr: number,
    ep: number,
    bytes: Uint8Array,
    maxPacket: number,
    o: { naks?: number; zlp?: boolean; stall?: boolean; gapNs?: number } = {},
  ): Span {
    let first = -1;
    let last = -1;
    for (const p of splitPackets(bytes, maxPacket, o.zlp ?? false)) {
      const t = this.toggle(addr, ep);
      const pid = t ? Pid.DATA1 : Pid.DATA0;
      for (let i = 0; i < (o.naks ?? 0); i++) {
        const s = this.out(addr, ep, pid, p, Pid.NAK);
        if (first < 0) first = s.first;
      }
      const s = this.out(addr, ep, pid, p, o.stall ? Pid.STALL : Pid.ACK);
      if (first < 0) first = s.first;
      last = s.last;
      if (o.stall) break;
      this.setToggle(addr, ep, (t ^ 1) as 0 | 1);
      if (o.gapNs) this.idle(o.gapNs);
    }
    return { first, last };
  }

  // ---- control transfers (§8.5.3) ----

  /** Control read: SETUP, IN data stage (DATA1 first, alternating), OUT status (DATA1 ZLP). */
  controlRead(
    addr: number,
    setup: SetupPacket | Uint8Array,
    response: Uint8Array | undefined,
    maxPacket0: number,
    faults: ControlFaults = {},
    hostMaxPacket0 = maxPacket0,
  ): Span {
    const sb = setup instanceof Uint8Array ? setup : encodeSetup(setup);
    const wLength = sb[6]! | (sb[7]! << 8);
    const s = this.setupStage(addr, sb, faults);
    if (s.stop) return s.span;
    const span = s.span;
    if (faults.delayBeforeDataNs) this.idle(faults.delayBeforeDataNs);
    if (faults.nakForever !== undefined) {
      for (let i = 0; i < faults.nakForever; i++) span.last = this.inNak(addr, 0).last;
      return span;
    }
    if (response === undefined || faults.stall === "data") {
      span.last = this.inNak(addr, 0, Pid.STALL).last;
      return span;
    }
    let answer =
      faults.truncateTo !== undefined
        ? response.subarray(0, Math.min(response.length, faults.truncateTo))
        : response;
    if (!faults.ignoreWLength) answer = answer.subarray(0, Math.min(answer.length, wLength));
    let pid = faults.firstDataPid ?? Pid.DATA1;
    let sent = 0;
    for (;;) {
      const n = Math.min(maxPacket0, answer.length - sent);
      for (let i = 0; i < (faults.naks ?? 0); i++) this.inNak(addr, 0);
      span.last = this.in(addr, 0, pid, answer.subarray(sent, sent + n)).last;
      pid = pid === Pid.DATA1 ? Pid.DATA0 : Pid.DATA1;
      sent += n;
      // The data stage ends with a short packet or once wLength bytes moved (§5.5.3).
      if (n < hostMaxPacket0 || sent >= wLength) break;
      if (sent >= answer.length) {
        if (!faults.omitZlp) span.last = this.in(addr, 0, pid, EMPTY).last;
        break;
      }
    }
    return this.statusStage(addr, "out", span, faults);
  }

  /** Control write: SETUP, OUT data stage (DATA1 first), IN status (device sends DATA1 ZLP, host ACKs). */
  controlWrite(
    addr: number,
    setup: SetupPacket | Uint8Array,
    payload: Uint8Array,
    maxPacket0: number,
    faults: ControlFaults = {},
  ): Span {
    const sb = setup instanceof Uint8Array ? setup : encodeSetup(setup);
    const s = this.setupStage(addr, sb, faults);
    if (s.stop) return s.span;
    const span = s.span;
    if (faults.delayBeforeDataNs) this.idle(faults.delayBeforeDataNs);
    let pid = faults.firstDataPid ?? Pid.DATA1;
    for (let sent = 0; sent < payload.length || sent === 0;) {
      const n = Math.min(maxPacket0, payload.length - sent);
      for (let i = 0; i < (faults.naks ?? 0); i++)
        this.out(addr, 0, pid, payload.subarray(sent, sent + n), Pid.NAK);
      if (faults.stall === "data") {
        span.last = this.out(addr, 0, pid, payload.subarray(sent, sent + n), Pid.STALL).last;
        return span;
      }
      span.last = this.out(addr, 0, pid, payload.subarray(sent, sent + n)).last;
      pid = pid === Pid.DATA1 ? Pid.DATA0 : Pid.DATA1;
      sent += n;
      if (payload.length === 0) break;
    }
    return this.statusStage(addr, "in", span, faults);
  }

  /** Control transfer without data stage: SETUP, then IN status (DATA1 ZLP). */
  controlNoData(addr: number, setup: SetupPacket | Uint8Array, faults: ControlFaults = {}): Span {
    const sb = setup instanceof Uint8Array ? setup : encodeSetup(setup);
    const s = this.setupStage(addr, sb, faults);
    if (s.stop) return s.span;
    return this.statusStage(addr, "in", s.span, faults);
  }

  private setupStage(addr: number, sb: Uint8Array, faults: ControlFaults): { span: Span; stop: boolean } {
    if (faults.nakSetup) return { span: this.setup(addr, 0, sb, Pid.NAK), stop: true };
    if (faults.noAnswer) return { span: this.setup(addr, 0, sb, null), stop: true };
    if (faults.stall === "setup") return { span: this.setup(addr, 0, sb, Pid.STALL), stop: true };
    return { span: this.setup(addr, 0, sb), stop: false };
  }

  private statusStage(addr: number, dir: "in" | "out", span: Span, faults: ControlFaults): Span {
    if (faults.noStatus) return span;
    if (faults.delayBeforeStatusNs) this.idle(faults.delayBeforeStatusNs);
    const pid = faults.statusDataPid ?? Pid.DATA1;
    if (dir === "out") {
      for (let i = 0; i < (faults.naks ?? 0); i++) this.out(addr, 0, pid, EMPTY, Pid.NAK);
      span.last = this.out(addr, 0, pid, EMPTY, faults.stall === "status" ? Pid.STALL : Pid.ACK).last;
    } else {
      for (let i = 0; i < (faults.naks ?? 0); i++) this.inNak(addr, 0);
      span.last =
        faults.stall === "status" ? this.inNak(addr, 0, Pid.STALL).last : this.in(addr, 0, pid, EMPTY).last;
    }
    return span;
  }

  /**
   * Enumerate `dev` as Linux does (RULES.md B.2): GET_DESCRIPTOR(DEVICE, 64) at address 0,
   * SET_ADDRESS, GET_DESCRIPTOR(DEVICE, 18), BOS when bcdUSB >= 0x0201, CONFIG 9 then
   * wTotalLength, string 0 and the i* strings with wLength 255, SET_CONFIGURATION.
   * Returns the span of each step by name.
   */
  enumerate(dev: DeviceModel, opts: EnumerateOptions & { hub?: HubRoute } = {}): Record<string, Span> {
    const spans: Record<string, Span> = {};
    if (opts.hub !== undefined) {
      this.behindHub(0, opts.hub);
      this.behindHub(dev.address, opts.hub);
    }
    const mps0 = maxPacket0(dev);
    for (const step of enumerationSteps(dev, opts)) {
      const f = opts.faults?.[step.name] ?? {};
      const isIn = (step.setup.bmRequestType & 0x80) !== 0;
      spans[step.name] = isIn
        ? this.controlRead(step.address, step.setup, step.response, mps0, f, step.hostMaxPacket0)
        : this.controlNoData(step.address, step.setup, f);
      if (step.name === "setConfiguration") this.resetToggles(dev.address);
      this.idle(step.afterNs);
    }
    if (opts.hub !== undefined) this.behindHub(0, null);
    return spans;
  }
}

/** Cut a transfer into packets of at most `maxPacket` bytes; a ZLP ends an exact multiple when asked (and an empty transfer). */
export function splitPackets(bytes: Uint8Array, maxPacket: number, zlp: boolean): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; o += maxPacket)
    out.push(bytes.subarray(o, Math.min(bytes.length, o + maxPacket)));
  if (bytes.length === 0 || (zlp && bytes.length % maxPacket === 0)) out.push(EMPTY);
  return out;
}
