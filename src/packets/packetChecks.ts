// Packet-level checks over the core's columns: one pass per batch, no object per packet.
// Findings are made only for packets that are wrong, so a clean capture costs one loop.
import { LinkType, PacketStatus, Pid } from "../../as/shared/constants.js";
import type { RecordBatch, RecordSink, Speed } from "../usb/model.js";
import { batchSummary, type BatchSummary } from "../core/core.js";
import { finding, type Finding, type FindingSink } from "../usb/finding.js";
import { speedOfLinktype } from "../usb/linkTypes.js";
import { hex2 } from "../usb/bytes.js";
import { deviceAddr, endpointAddr } from "../usb/ids.js";
import { pidName } from "../usb/pid.js";
import {
  CAPTURE_GLITCH,
  CRC5,
  CRC16,
  CRC16_SNIFFER_TAP,
  FMT_PACKET_TRUNCATED,
  PACKET_LENGTH,
  PID_INVALID,
  PID_RESERVED,
  SOF_SEQUENCE,
  SPLIT_CRC5,
} from "./rules.js";

const FRAME_NS = 1_000_000; // §8.4.3: one frame per millisecond
const MICROFRAME_NS = 125_000; // §8.4.3.1: eight microframes per frame at high speed

export class PacketChecks implements RecordSink {
  /** Packets per PID byte (raw records only). */
  readonly pidCounts = new Float64Array(256);
  readonly statusCounts = new Float64Array(16);
  private readonly linktypeTotals = new Map<number, number>();
  /** Records of the current run of one link type, added to the totals when the link type changes. */
  private linktypeRun = 0;
  rawPackets = 0;
  /** Records of the last batch that are not raw packets (URBs, log records): 0 lets URB layers skip it. */
  batchOtherRecords = 0;
  otherRecords = 0;
  /** Speed from the link type, or inferred from SOF spacing for LINKTYPE_USB_2_0 (288). */
  speed: Speed = "unknown";
  private linktypeSpeed: Speed | undefined;
  private lastSofFrame = -1;
  private lastSofNs = 0;
  private sameFrameRun = 0;
  private lastLinktype = -1;
  private inferSameRun = 0;
  private inferAdvanceRun = 0;

  /** The last record of the previous batch was a sniffer's bus event (a glitch's neighbour, see isGlitch). */
  private lastWasEvent = false;
  /**
   * A finding that the next record decides, held when its packet ended the batch: a one-byte bad PID (glitch
   * or PID_INVALID: is the next record a logged event?), a bad CRC16 (ACKed or not). `atEnd` when none follows.
   */
  private pending: { decide(b: RecordBatch, i: number): Finding; atEnd: Finding } | undefined;
  /** The last record of the previous batch, when it was a token: the endpoint of a data packet that starts a batch. */
  private lastToken: { pid: number; address: number; endpoint: number } | undefined;

  constructor(
    private readonly findings: FindingSink,
    private readonly onSpeed?: (speed: Speed) => void,
  ) {}

  onBatch(b: RecordBatch): void {
    if (this.pending && b.count > 0) {
      const p = this.pending;
      this.pending = undefined;
      this.findings.add(p.decide(b, 0));
    }
    this.checkBatch(b);
    if (b.count > 0) {
      this.lastWasEvent = isSnifferEvent(b, b.count - 1);
      this.lastToken = tokenAt(b, b.count - 1);
    }
  }

  private checkBatch(b: RecordBatch): void {
    // The core's batches come with a one-pass summary (as/summary.ts): with one link type in the
    // batch, only the SOFs and malformed packets it lists need a look here.
    const summary = batchSummary(b);
    if (summary !== null && summary.uniformLinktype) return this.summarized(b, summary);
    const { status, pid, linktype, count } = b;
    // This loop runs over every record of the capture: counters sit in locals and go back to their
    // fields once per batch (the run also before noteLinktype, which reads it). Counting OK and URB
    // records in registers, not `statusCounts[st]++`, keeps one float read-modify-write per record
    // (a dependency chain through memory) off the path.
    const pidCounts = this.pidCounts;
    let lastLinktype = this.lastLinktype;
    let run = 0;
    let other = 0;
    let bad = 0;
    for (let i = 0; i < count; i++) {
      const lt = linktype[i]!;
      if (lt !== lastLinktype) {
        this.linktypeRun += run;
        run = 0;
        this.noteLinktype(lt);
        lastLinktype = lt;
      }
      run++;
      const st = status[i]!;
      if (st === PacketStatus.NOT_RAW) {
        other++;
        continue;
      }
      const p = pid[i]!;
      pidCounts[p]!++;
      if (st === PacketStatus.OK) {
        if (p === Pid.SOF) this.checkSof(b, i);
        continue;
      }
      bad++;
      this.statusCounts[st]!++;
      this.reportBadPacket(b, i, st, p);
    }
    this.linktypeRun += run;
    this.otherRecords += other;
    this.batchOtherRecords = other;
    this.rawPackets += count - other;
    this.statusCounts[PacketStatus.NOT_RAW]! += other;
    this.statusCounts[PacketStatus.OK]! += count - other - bad;
  }

  /** What the loop of onBatch does, from the core's summary of a batch with one link type. */
  private summarized(b: RecordBatch, s: BatchSummary): void {
    const { status, pid, count } = b;
    if (count > 0) {
      const lt = b.linktype[0]!;
      if (lt !== this.lastLinktype) this.noteLinktype(lt);
    }
    const rows = s.rows;
    let bad = 0;
    for (let k = 0; k < s.listed; k++) {
      const i = rows[k]!;
      const st = status[i]!;
      if (st === PacketStatus.OK) {
        this.checkSof(b, i); // listed OK rows are SOFs
        continue;
      }
      bad++;
      this.statusCounts[st]!++;
      this.reportBadPacket(b, i, st, pid[i]!);
    }
    const pidCounts = this.pidCounts;
    const counted = s.rawPidCounts;
    for (let p = 0; p < 256; p++) {
      const n = counted[p]!;
      if (n !== 0) pidCounts[p]! += n;
    }
    const other = s.notRaw;
    this.linktypeRun += count;
    this.otherRecords += other;
    this.batchOtherRecords = other;
    this.rawPackets += count - other;
    this.statusCounts[PacketStatus.NOT_RAW]! += other;
    this.statusCounts[PacketStatus.OK]! += count - other - bad;
  }

  onEnd(): void {
    if (this.pending) this.findings.add(this.pending.atEnd);
    this.pending = undefined;
  }

  /** Records per link type. */
  get linktypeCounts(): Map<number, number> {
    this.flushLinktypeRun();
    return this.linktypeTotals;
  }

  private flushLinktypeRun(): void {
    if (this.linktypeRun === 0) return;
    this.linktypeTotals.set(
      this.lastLinktype,
      (this.linktypeTotals.get(this.lastLinktype) ?? 0) + this.linktypeRun,
    );
    this.linktypeRun = 0;
  }

  private noteLinktype(lt: number): void {
    this.flushLinktypeRun();
    this.lastLinktype = lt;
    const s = speedOfLinktype(lt);
    if (s && s !== "unknown" && this.linktypeSpeed === undefined) {
      this.linktypeSpeed = s;
      this.setSpeed(s);
    }
  }

  /**
   * The sniffer's word on the bus speed (a capture-start or speed-change event, src/packets/busEvents.ts):
   * taken unless the link type already says. It outranks the SOF inference, which only guesses.
   */
  sniffedSpeed(s: Speed): void {
    if (this.linktypeSpeed === undefined && s !== "unknown") this.setSpeed(s);
  }

  private setSpeed(s: Speed): void {
    if (this.speed === s) return;
    this.speed = s;
    this.onSpeed?.(s);
  }

  /**
   * SOF_SEQUENCE: full speed advances the frame number by one per 1 ms SOF; high speed repeats it
   * for the eight microframes of a frame (§8.4.3.1). SOFs missing from the capture (suspend, a
   * sniffer filter) are allowed when the frame number moved as far as the elapsed time says.
   */
  private checkSof(b: RecordBatch, i: number): void {
    const frame = b.frame[i]!;
    const ns = b.tsSec[i]! * 1e9 + b.tsNsec[i]!;
    const prevFrame = this.lastSofFrame;
    const dt = ns - this.lastSofNs;
    this.lastSofFrame = frame;
    this.lastSofNs = ns;
    if (prevFrame < 0) return;
    const step = (frame - prevFrame + 2048) & 0x7ff;
    if (this.linktypeSpeed === undefined) {
      this.inferSpeed(step);
      if (this.speed === "unknown") return; // nothing to hold the sequence against yet
    }
    const high = this.speed === "high";
    const period = high ? MICROFRAME_NS : FRAME_NS;
    if (high && step === 0) this.sameFrameRun++;
    else this.sameFrameRun = 0;
    let expected: number;
    if (dt < 1.5 * period) {
      // Consecutive SOFs: FS +1, HS +0 (within a frame) or +1.
      if (!high && step === 1) return;
      if (high && (step === 1 || (step === 0 && this.sameFrameRun < 8))) return;
      expected = high ? 0 : 1;
    } else {
      // A gap: the host's frame counter kept running (§11.3: SOFs continue while the port is enabled).
      const framesElapsed = Math.round(dt / FRAME_NS);
      if (framesElapsed >= 2048) return; // the 11-bit counter wrapped: nothing to compare
      expected = framesElapsed & 0x7ff;
      const diff = Math.abs(step - expected);
      if (diff <= 1 || diff >= 2047) return;
    }
    const want = (prevFrame + expected) & 0x7ff;
    const why =
      step === 0 && dt < period / 2
        ? "the same SOF appears twice (a duplicate in the capture)"
        : step > expected && step - expected < 1024
          ? `${step - expected} frame number(s) skipped: SOFs missing from the capture, or the host's frame counter jumped`
          : "the frame number went backwards or was repeated: the host's frame counter is not monotonic, or the capture reordered packets";
    this.findings.add(
      finding(
        SOF_SEQUENCE,
        `SOF frame ${frame} follows frame ${prevFrame} ${(dt / 1e6).toFixed(3)} ms later where frame ${want} was due: ${why}`,
        {
          packet: b.firstIndex + i,
          time: { sec: b.tsSec[i]!, nsec: b.tsNsec[i]! },
        },
      ),
    );
  }

  /**
   * LINKTYPE_USB_2_0 says nothing about speed. The SOF frame numbers do: at high speed each number
   * repeats for the eight microframes of a frame (§8.4.3.1), at full speed it advances every SOF.
   * Timestamps are not used: some sniffers compress idle time.
   */
  private inferSpeed(step: number): void {
    if (this.speed === "high") return;
    if (step === 0) {
      if (++this.inferSameRun >= 3) this.setSpeed("high");
      this.inferAdvanceRun = 0;
    } else {
      this.inferSameRun = 0;
      if (step === 1 && ++this.inferAdvanceRun >= 16 && this.speed === "unknown") this.setSpeed("full");
    }
  }

  private reportBadPacket(b: RecordBatch, i: number, st: number, p: number): void {
    const extra = { packet: b.firstIndex + i, time: { sec: b.tsSec[i]!, nsec: b.tsNsec[i]! } };
    const len = b.dataLength[i]!;
    const name = pidName(p, st);
    const target =
      p === Pid.SOF ? `frame ${b.frame[i]}` : `address ${b.address[i]} endpoint ${b.endpoint[i]}`;
    switch (st) {
      case PacketStatus.BAD_PID_CHECK: {
        const invalid = finding(
          PID_INVALID,
          `PID byte 0x${hex2(p)}: check nibble 0x${(p >> 4).toString(16)} is not the complement of PID 0x${(p & 15).toString(16)}; receivers must ignore the packet (${len} bytes)`,
          extra,
        );
        if (len !== 1) {
          this.findings.add(invalid);
          break;
        }
        // A lone PID byte next to a reset, chirp or line-state change the sniffer logged is its own glitch.
        const glitch = finding(
          CAPTURE_GLITCH,
          `record #${extra.packet}: one byte 0x${hex2(p)} with an invalid PID check${extra.packet === 0 ? ", the capture's first record" : ""}`,
          extra,
        );
        const before = i > 0 ? isSnifferEvent(b, i - 1) : this.lastWasEvent;
        const decide = (nb: RecordBatch, j: number) => (isSnifferEvent(nb, j) ? glitch : invalid);
        if (before || extra.packet === 0) this.findings.add(glitch);
        else if (i + 1 < b.count) this.findings.add(decide(b, i + 1));
        else this.pending = { decide, atEnd: invalid };
        break;
      }
      case PacketStatus.BAD_CRC5:
        if (p === Pid.SPLIT)
          this.findings.add(
            finding(
              SPLIT_CRC5,
              `SPLIT token to hub ${b.address[i]} port ${b.endpoint[i]} has a bad CRC5; the hub ignores it`,
              extra,
            ),
          );
        else
          this.findings.add(
            finding(
              CRC5,
              `${name} ${p === Pid.SOF ? "" : "token "}(${target}) has a bad CRC5; the receiver ignores it`.replace(
                "  ",
                " ",
              ),
              extra,
            ),
          );
        break;
      case PacketStatus.BAD_CRC16: {
        // Whose side of the cable: a receiver that ACKs the packet got it intact, so only the sniffer's copy
        // is bad (its probe or cable); with no handshake the receiver discarded it (§8.3.5.2): really lost.
        const token = i > 0 ? tokenAt(b, i - 1) : this.lastToken;
        const ep = token
          ? ` on device ${token.address} endpoint 0x${hex2(token.endpoint | (token.pid === Pid.IN ? 0x80 : 0))}`
          : "";
        const where = token
          ? {
              ...extra,
              device: deviceAddr(token.address),
              endpoint: endpointAddr(token.endpoint, token.pid === Pid.IN),
            }
          : extra;
        const tap = finding(
          CRC16_SNIFFER_TAP,
          `${name} packet${ep} with ${len - 3} data bytes has a bad CRC16 in the capture, yet the receiver ACKed it`,
          where,
        );
        const lost = finding(
          CRC16,
          `${name} packet${ep} with ${len - 3} data bytes has a bad CRC16 and no handshake followed: the receiver discarded it, the data was lost on the wire (cable, connector, signal integrity)`,
          where,
        );
        const decide = (nb: RecordBatch, j: number) =>
          nb.status[j] === PacketStatus.OK && nb.pid[j] === Pid.ACK ? tap : lost;
        if (i + 1 < b.count) this.findings.add(decide(b, i + 1));
        else this.pending = { decide, atEnd: lost };
        break;
      }
      case PacketStatus.BAD_LENGTH:
        this.findings.add(
          finding(PACKET_LENGTH, `${name} packet is ${len} bytes long; ${expectedLength(p)}`, extra),
        );
        break;
      case PacketStatus.RESERVED_PID:
        this.findings.add(
          finding(PID_RESERVED, `packet with the reserved PID 0x0 (byte 0x${hex2(p)}, ${len} bytes)`, extra),
        );
        break;
      case PacketStatus.EMPTY:
        this.findings.add(finding(PACKET_LENGTH, "zero-length record: no PID", extra));
        break;
      case PacketStatus.TRUNCATED:
        this.findings.add(
          finding(
            FMT_PACKET_TRUNCATED,
            `${name} packet captured ${len} of ${b.origLength[i]} bytes (snap length)`,
            extra,
          ),
        );
        break;
    }
  }
}

function expectedLength(p: number): string {
  const code = p & 0x0f;
  if ((code & 3) === 1 || code === 4) return "tokens and SOF are 3 bytes (§8.4.1)";
  if (code === 8) return "SPLIT tokens are 4 bytes (§8.4.2.2)";
  if ((code & 3) === 3) return "data packets are 3 to 1027 bytes: PID, up to 1024 data bytes, CRC16 (§8.4.4)";
  return "handshakes are 1 byte (§8.4.5)";
}

/** Record `i` is a bus event a sniffer logged: a pcapng custom block (Cynthion) or a usb-sniffer log line (252). */
function isSnifferEvent(b: RecordBatch, i: number): boolean {
  const lt = b.linktype[i]!;
  return (
    b.status[i] === PacketStatus.NOT_RAW &&
    (lt === LinkType.PCAPNG_CUSTOM_BLOCK || lt === LinkType.WIRESHARK_UPPER_PDU)
  );
}

/** Record `i` as a token (IN, OUT, SETUP) the next data packet answers or carries, else undefined. */
function tokenAt(b: RecordBatch, i: number): { pid: number; address: number; endpoint: number } | undefined {
  const pid = b.pid[i]!;
  if (b.status[i] !== PacketStatus.OK || (pid !== Pid.IN && pid !== Pid.OUT && pid !== Pid.SETUP))
    return undefined;
  return { pid, address: b.address[i]!, endpoint: b.endpoint[i]! };
}
