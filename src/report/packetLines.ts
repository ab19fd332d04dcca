// One line per record for `usbscope packets`, in the spirit of tshark's summary lines, or NDJSON.
// Raw packets: index, time, PID, address.endpoint or frame, length, status. URB records (usbmon 189/220,
// USBPcap 249) and usbmon text lines: one line per URB event (urbEventLines.ts). Lines are built per
// batch and written in one piece: no object per packet is kept.
import { LinkType, PacketStatus, Pid } from "../../as/shared/constants.js";
import { BUS_EVENT_NAMES, decodeBusEvent } from "../packets/busEvents.js";
import type { Finding } from "../usb/finding.js";
import type { RecordBatch, RecordSink, Timestamp } from "../usb/model.js";
import { isoTime } from "../usb/time.js";
import { isTokenPid, pidName, STATUS_NAMES } from "../usb/pid.js";
import type { UrbEvent } from "../urb/urbEvent.js";
import { parseMonBin } from "../urb/usbmonBinary.js";
import { parseUsbPcap } from "../urb/usbpcap.js";
import { UsbmonTextParser } from "../urb/usbmonText.js";
import { DEFAULT_MAX_BYTES, hexDump, hexString } from "./hexDump.js";
import { urbEventJson, urbEventText } from "./urbEventLines.js";
import { jsonText } from "./jsonText.js";
import { sanitizeTerminal } from "./sanitize.js";
import type { CompiledFilter } from "../filter/filter.js";
import type { PacketSelector } from "../filter/packetSelector.js";

export interface PacketLinesOptions {
  json?: boolean;
  /** Hex dump each record's bytes under its line (raw: the packet; URB: the payload the record holds). */
  hex?: boolean;
  /** Bytes per dump; 0: all (default DEFAULT_MAX_BYTES). */
  maxBytes?: number;
  /** JSON: add `data`, the same bytes as a hex string. */
  data?: boolean;
  /** Only the records this filter selects (raw packets judged with their transaction, URB events one by one). */
  filter?: CompiledFilter;
}

export class PacketLines implements RecordSink {
  private origin?: Timestamp;
  private readonly options: PacketLinesOptions;
  /** usbmon headers are in the capturing host's byte order: the file's (setByteOrder). */
  private littleEndian = true;
  private lines: string[] = [];
  private readonly selector?: PacketSelector;
  /** URB events the filter selected (raw packets: the selector counts them). */
  private urbSelected = 0;

  constructor(
    private readonly write: (text: string) => void,
    options: PacketLinesOptions | boolean = {},
  ) {
    this.options = typeof options === "boolean" ? { json: options } : options;
    const filter = this.options.filter;
    if (filter) this.selector = filter.packetSelector((b, mask) => this.render(b, mask));
  }

  /** Records the filter selected so far. */
  get selected(): number {
    return (this.selector?.selected ?? 0) + this.urbSelected;
  }

  /** Device addresses seen (raw tokens and URB events): a filter for another device can never match. */
  readonly devicesSeen = new Uint8Array(128);

  /** The capture's byte order, as readCapture's onFormat reports it. */
  setByteOrder(bigEndian: boolean): void {
    this.littleEndian = !bigEndian;
  }

  /** A sink for usbmon text input (readCapture's `text` option): one line per event line. */
  textSink(): { push(chunk: Uint8Array): void; end(): void } {
    const parser = new UsbmonTextParser((ev) => this.urbLine(ev.record, ev), {
      findings: { add: (f) => this.findingLine(f) },
      keepAllData: this.wantsBytes(),
    });
    return {
      push: (chunk) => {
        parser.push(chunk);
        this.flush();
      },
      end: () => {
        parser.end();
        this.flush();
      },
    };
  }

  private wantsBytes(): boolean {
    return (
      this.options.hex === true ||
      (this.options.json === true && this.options.data === true) ||
      this.options.filter?.needsData === true
    );
  }

  onBatch(b: RecordBatch): void {
    if (this.selector) this.selector.push(b);
    else this.render(b);
  }

  /** Lines for the records of `b` (those `mask` selects, when given). */
  private render(b: RecordBatch, mask?: Uint8Array): void {
    const json = this.options.json === true;
    const lines = this.lines;
    for (let i = 0; i < b.count; i++) {
      if (mask !== undefined && mask[i] === 0) {
        // Times stay relative to the capture's first record, shown or not.
        if (!this.origin && b.linktype[i] !== LinkType.PCAPNG_CUSTOM_BLOCK)
          this.origin = { sec: b.tsSec[i]!, nsec: b.tsNsec[i]! };
        continue;
      }
      const index = b.firstIndex + i;
      const st = b.status[i]!;
      const pid = b.pid[i]!;
      const len = b.dataLength[i]!;
      const lt = b.linktype[i]!;
      const raw = st !== PacketStatus.NOT_RAW;
      // A URB record (a snap-length cut one too, TRUNCATED) is parsed and shown as an event.
      if (
        (st === PacketStatus.NOT_RAW || st === PacketStatus.TRUNCATED) &&
        (lt === LinkType.USB_LINUX || lt === LinkType.USB_LINUX_MMAPPED || lt === LinkType.USBPCAP)
      ) {
        this.urbRecord(b, i, index);
        continue;
      }
      const custom = lt === LinkType.PCAPNG_CUSTOM_BLOCK;
      // A sniffer's bus event (pcapng custom block): named, at its own time.
      const bus = custom ? decodeBusEvent(b.bytes, b.dataOffset[i]!, len) : null;
      const sec = bus ? bus.sec : b.tsSec[i]!;
      const nsec = bus ? bus.nsec : b.tsNsec[i]!;
      // Times are relative to the first record that has one of its own (not another custom block).
      if (!this.origin && (bus || !custom)) this.origin = { sec, nsec };
      const o = this.origin ?? { sec, nsec };
      // The PID's fields are there to show unless the length or the PID check is wrong.
      const fields = raw && st !== PacketStatus.BAD_LENGTH && st !== PacketStatus.BAD_PID_CHECK;
      const token = fields && isTokenPid(pid);
      const sof = fields && pid === Pid.SOF;
      const split = fields && pid === Pid.SPLIT;
      const bytes = raw ? b.bytes.subarray(b.dataOffset[i]!, b.dataOffset[i]! + len) : undefined;
      if (json) {
        const rec: Record<string, unknown> = { index, time: isoTime({ sec, nsec }) };
        rec.pid = raw && st !== PacketStatus.EMPTY ? pidName(pid, st) : null;
        rec.status = STATUS_NAMES[st];
        if (token || split) {
          rec.address = b.address[i];
          rec.endpoint = b.endpoint[i];
        }
        if (sof) rec.frame = b.frame[i];
        if (split) rec.split = b.frame[i];
        if (!raw) rec.linktype = lt;
        if (bus) rec.event = BUS_EVENT_NAMES[bus.event];
        rec.length = len;
        if (this.options.data && bytes) rec.data = hexString(bytes);
        lines.push(jsonText(rec));
      } else {
        const t = (sec - o.sec + (nsec - o.nsec) / 1e9).toFixed(9);
        const name = raw
          ? st === PacketStatus.EMPTY
            ? "-"
            : pidName(pid, st)
          : bus
            ? "EVENT"
            : custom
              ? "CUSTOM"
              : `LT/${lt}`;
        const where = token
          ? `${b.address[i]}.${b.endpoint[i]}`
          : sof
            ? `frame ${b.frame[i]}`
            : split
              ? `hub ${b.address[i]}.${b.endpoint[i]}`
              : bus
                ? BUS_EVENT_NAMES[bus.event]
                : "";
        const status = st === PacketStatus.OK || st === PacketStatus.NOT_RAW ? "" : STATUS_NAMES[st]!;
        lines.push(
          `${String(index).padStart(8)} ${t.padStart(16)} ${name.padEnd(8)} ${where.padEnd(12)} ${String(len).padStart(5)} ${status}`.trimEnd(),
        );
        if (this.options.hex && bytes && bytes.length > 0) lines.push(...this.dump(bytes));
      }
    }
    this.flush();
  }

  onEnd(): void {
    this.selector?.end();
    if (this.selector) for (let a = 0; a < 128; a++) this.devicesSeen[a] ||= this.selector.devicesSeen[a]!;
    this.flush();
  }

  /** A usbmon or USBPcap record: parsed as the URB layer parses it, findings about it shown with it. */
  private urbRecord(b: RecordBatch, i: number, index: number): void {
    const lt = b.linktype[i]!;
    const sink = { add: (f: Finding) => this.findingLine(f) };
    const keepAllData = this.wantsBytes();
    const ctx = { findings: sink, origLength: b.origLength[i], fileOffset: b.offset[i], keepAllData };
    const ev =
      lt === LinkType.USBPCAP
        ? parseUsbPcap(b.bytes, b.dataOffset[i]!, b.dataLength[i]!, index, {
            ...ctx,
            time: { sec: b.tsSec[i]!, nsec: b.tsNsec[i]! },
          })
        : parseMonBin(b.bytes, b.dataOffset[i]!, b.dataLength[i]!, lt, this.littleEndian, index, ctx);
    // mon_bin filler records ('@') are not events; a record too short to parse was reported above.
    if (ev !== undefined) this.urbLine(index, ev, lt);
  }

  private urbLine(index: number, ev: UrbEvent, linktype?: number): void {
    this.origin ??= ev.time;
    const filter = this.options.filter;
    if (filter) {
      this.devicesSeen[ev.device & 0x7f] = 1;
      filter.env.origin ??= ev.time;
      if (!filter.urb(ev)) return;
      this.urbSelected++;
    }
    if (this.options.json) {
      this.lines.push(jsonText(urbEventJson(index, ev, this.options.data === true, linktype)));
      return;
    }
    const seconds = ev.time.sec - this.origin.sec + (ev.time.nsec - this.origin.nsec) / 1e9;
    this.lines.push(urbEventText(index, seconds, ev));
    // usbmon says when it kept fewer bytes than the URB moved (len_cap < length; text: 32 at most).
    const cut =
      ev.source === "usbmon" && ev.dataFlag === 0 && ev.xferType !== 0 && ev.data.length < ev.length;
    if (this.options.hex && ev.data.length > 0)
      this.lines.push(...this.dump(ev.data, cut ? ev.length : undefined));
  }

  /** A problem with a record or a line, on its own line where it was found. */
  private findingLine(f: Finding): void {
    if (this.options.json) {
      const o: Record<string, unknown> = { finding: f.rule, severity: f.severity, message: f.message };
      if (f.packet !== undefined) o.index = f.packet;
      if (f.offset !== undefined) o.offset = f.offset;
      this.lines.push(jsonText(o));
    } else {
      // The message can quote the capture (a usbmon text line): nothing in it may act on the terminal.
      this.lines.push(
        `${" ".repeat(8)} ${f.severity.padStart(16)} ${f.rule}: ${sanitizeTerminal(f.message)}`,
      );
    }
  }

  private dump(bytes: Uint8Array, total?: number): string[] {
    return hexDump(bytes, {
      maxBytes: this.options.maxBytes ?? DEFAULT_MAX_BYTES,
      indent: "          ",
      total,
    });
  }

  private flush(): void {
    if (this.lines.length) this.write(this.lines.join("\n") + "\n");
    this.lines = [];
  }
}
