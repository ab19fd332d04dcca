// `usbscope export`: the records a filter selects, written as pcapng with their own link type, time and
// interface, and the findings usbscope made as comments (opt_comment) on the records they concern.
// Three reads of the capture: the analysis (findings, facts, each URB's submission and completion), the
// selection (what the filter picks, then whole transactions, control transfers and URBs), the writing.
import { LinkType, PacketStatus } from "../as/shared/constants.js";
import { analyzeSource } from "./analyze.js";
import { readCapture, type CaptureInfo } from "./capture/reader.js";
import type { ByteSource } from "./capture/source.js";
import { PcapngWriter } from "./capture/pcapngWriter.js";
import { CaptureFacts } from "./filter/facts.js";
import type { CompiledFilter } from "./filter/filter.js";
import { PacketSelector, type PacketCursor } from "./filter/packetSelector.js";
import type { Finding } from "./usb/finding.js";
import type { RecordBatch, Timestamp } from "./usb/model.js";
import { parseMonBin } from "./urb/usbmonBinary.js";
import { parseUsbPcap } from "./urb/usbpcap.js";
import type { UrbEvent } from "./urb/urbEvent.js";

export interface ExportOptions {
  /** The filter, compiled with the facts of the first read; undefined: every record. */
  makeFilter?(facts: CaptureFacts): CompiledFilter | undefined;
  /** Keep whole transactions, control transfers and URBs (submission and completion) when a filter picks part of one (default true). */
  whole?: boolean;
  /** Where the pcapng bytes go, in large chunks; awaited between reads. */
  write(chunk: Uint8Array): void | Promise<void>;
  /** shb_userappl. */
  application?: string;
}

export interface ExportResult {
  format: CaptureInfo["format"];
  /** Records read, and how many were written (packets, URB records, custom blocks). */
  read: number;
  written: number;
  /** Findings written as comments, on the records written and on the section (findings of no record). */
  comments: number;
  /** The framing error the capture ends with, if any (what was before it is exported). */
  error?: CaptureInfo["error"];
  filter?: CompiledFilter;
}

/** Records with findings whose comments are kept (past it findings are counted, not written). */
export const MAX_COMMENTED_RECORDS = 1_000_000;
/** Findings of no record written as comments on the section. */
const MAX_SECTION_COMMENTS = 1000;
/** URBs whose submission and completion are paired for whole-URB export. */
const MAX_PAIRS = 4_000_000;

export class ExportError extends Error {}

const isUrbLinktype = (lt: number) =>
  lt === LinkType.USB_LINUX || lt === LinkType.USB_LINUX_MMAPPED || lt === LinkType.USBPCAP;

/** A finding as a pcapng comment: who said it, how bad, what, and where in the spec. */
export function findingComment(f: Finding): string {
  const text = `usbscope ${f.severity} ${f.rule}: ${f.message}${f.spec ? ` [${f.spec}]` : ""}`;
  return text.length > 16000 ? text.slice(0, 16000) + "…" : text;
}

/** A growable bit per record index. */
class RecordBits {
  private bits = new Uint8Array(1 << 16);
  set(i: number): void {
    const byte = i >>> 3;
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[byte]! |= 1 << (i & 7);
  }
  has(i: number): boolean {
    const byte = i >>> 3;
    return byte < this.bits.length && (this.bits[byte]! & (1 << (i & 7))) !== 0;
  }
}

export async function exportCapture(
  open: () => Promise<ByteSource>,
  name: string,
  options: ExportOptions,
): Promise<ExportResult> {
  const whole = options.whole !== false;
  // Read 1: the analysis. Findings become comments; facts feed the filter; URB pairs make whole URBs.
  const facts = new CaptureFacts();
  const comments = new Map<number, string[]>();
  const sectionComments: string[] = [];
  const partner = new Map<number, number>();
  let origin: Timestamp | undefined;
  const first = await open();
  let result;
  try {
    result = await analyzeSource(first, name, {
      maxFindingsPerRule: 0,
      keepControlTransfers: false,
      foldRepeats: false,
      onFirstTime: (t) => (origin = t),
      onFinding: (f) => {
        facts.addFinding(f);
        if (f.packet === undefined) {
          if (sectionComments.length < MAX_SECTION_COMMENTS) sectionComments.push(findingComment(f));
          return;
        }
        let list = comments.get(f.packet);
        if (!list && comments.size < MAX_COMMENTED_RECORDS) comments.set(f.packet, (list = []));
        list?.push(findingComment(f));
      },
      onControlTransfer: (ct) => facts.addControlTransfer(ct),
      onDevice: (_report, _diagnosis, device) => facts.addDevice(device),
      onTransfer: (t) => {
        const s = t.urb?.submitRecord,
          c = t.urb?.completeRecord;
        if (s !== undefined && c !== undefined && partner.size < MAX_PAIRS) {
          partner.set(s, c);
          partner.set(c, s);
        }
      },
    });
  } finally {
    await first.close();
  }
  for (const d of result.descriptors.tracked) facts.addDevice(d);
  const format = result.capture.format;
  if (format === "usbmon-text")
    throw new ExportError("usbmon text has no pcap records to copy: capture with tcpdump -i usbmonN -w FILE");
  if (format === "unknown")
    throw new ExportError(result.capture.error?.message ?? "not a pcap or pcapng capture");
  const filter = options.makeFilter?.(facts);
  if (filter) filter.env.origin = origin;

  const readAll = async (
    sink: (b: RecordBatch, littleEndian: boolean) => void,
    end: () => void,
    writer?: PcapngWriter,
  ) => {
    const src = await open();
    let littleEndian = true;
    // The writer's gathered bytes go out between reads: memory holds one chunk of output at most.
    const read = src.read.bind(src);
    const paced = writer
      ? Object.assign(src, {
          read: async (into: Uint8Array) => {
            if (writer.full) await writer.flush();
            return read(into);
          },
        })
      : src;
    try {
      return await readCapture(paced, [{ onBatch: (b) => sink(b, littleEndian), onEnd: end }], {
        onFormat: (_f, big) => (littleEndian = !big),
      });
    } finally {
      await src.close();
    }
  };
  const urbEvent = (b: RecordBatch, i: number, littleEndian: boolean): UrbEvent | undefined => {
    const lt = b.linktype[i]!;
    const index = b.firstIndex + i;
    return lt === LinkType.USBPCAP
      ? parseUsbPcap(b.bytes, b.dataOffset[i]!, b.dataLength[i]!, index, {
          origLength: b.origLength[i],
          time: { sec: b.tsSec[i]!, nsec: b.tsNsec[i]! },
        })
      : parseMonBin(b.bytes, b.dataOffset[i]!, b.dataLength[i]!, lt, littleEndian, index, {
          origLength: b.origLength[i],
        });
  };

  // Read 2 (a filter that keeps things whole): which records the filter picks, then what they belong to.
  let keepRaw: ((c: PacketCursor) => boolean) | undefined;
  let keepUrb: ((ev: UrbEvent | undefined, index: number) => boolean) | undefined;
  if (filter && whole) {
    const marked = new RecordBits();
    const controls = new Set<object>();
    const control = (c: PacketCursor) =>
      c.dev === c.dev && (c.epaddr & 0x0f) === 0 ? facts.controlAt(c.b.firstIndex + c.i, c.dev) : undefined;
    let le = true;
    const selector = new PacketSelector(
      (c) => {
        if (!filter.packet(c)) return false;
        marked.set(c.b.firstIndex + c.i);
        const t = control(c);
        if (t) controls.add(t);
        return true;
      },
      filter.env,
      (b, mask) => {
        for (let i = 0; i < b.count; i++) {
          if (!mask[i] || !isUrbLinktype(b.linktype[i]!) || b.status[i] === PacketStatus.OK) continue;
          const ev = urbEvent(b, i, le);
          const index = b.firstIndex + i;
          if (ev === undefined || !filter.urb(ev)) continue;
          marked.set(index);
          const p = partner.get(index);
          if (p !== undefined) marked.set(p);
        }
      },
    );
    await readAll(
      (b, littleEndian) => {
        le = littleEndian;
        selector.push(b);
      },
      () => selector.end(),
    );
    keepRaw = (c) => {
      const index = c.b.firstIndex + c.i;
      if (marked.has(index)) return true;
      const t = control(c);
      return t !== undefined && controls.has(t);
    };
    keepUrb = (_ev, index) => marked.has(index);
  } else if (filter) {
    keepRaw = filter.packet;
    keepUrb = (ev) => ev !== undefined && filter.urb(ev);
  }

  // Read 3: write what is kept.
  const writer = new PcapngWriter(options.write);
  // Findings of no record in particular go on the section.
  writer.section(options.application ?? "usbscope", sectionComments);
  const interfaces = new Map<number, number>();
  let commentCount = 0;
  const comment = (index: number) => {
    const list = comments.get(index);
    commentCount += list?.length ?? 0;
    return list ?? [];
  };
  const commentCountSection = sectionComments.length;
  let le3 = true;
  // URB events are parsed only when the filter judges them itself (--no-whole).
  const urbOrSkip = (b: RecordBatch, i: number) => (filter && !whole ? urbEvent(b, i, le3) : undefined);
  const write = (b: RecordBatch, mask?: Uint8Array) => {
    for (let i = 0; i < b.count; i++) {
      if (mask && !mask[i]) continue;
      const lt = b.linktype[i]!;
      const index = b.firstIndex + i;
      if (lt === LinkType.PCAPNG_CUSTOM_BLOCK) {
        const off = b.dataOffset[i]!,
          len = b.dataLength[i]!;
        // A custom block too large to have been read (the core skips it) is not copied.
        if (off < 4 || len === 0 || off + len > b.bytes.length) continue;
        const v = new DataView(b.bytes.buffer, b.bytes.byteOffset + off - 4, 4);
        writer.custom(v.getUint32(0, le3), b.bytes.slice(off, off + len));
        continue;
      }
      if (keepUrb && isUrbLinktype(lt) && b.status[i] !== PacketStatus.OK) {
        if (!keepUrb(urbOrSkip(b, i), index)) continue;
      }
      const src = b.interface?.[i] ?? 0;
      let out = interfaces.get(src);
      if (out === undefined) {
        out = interfaces.size;
        interfaces.set(src, out);
        writer.interface(lt, `usbscope export of interface ${src}`);
      }
      const off = b.dataOffset[i]!;
      writer.packet(
        out,
        b.tsSec[i]!,
        b.tsNsec[i]!,
        b.bytes.subarray(off, off + b.dataLength[i]!),
        b.origLength[i]!,
        comment(index),
      );
    }
  };
  const selector = keepRaw
    ? new PacketSelector(keepRaw, filter!.env, (b, mask) => write(b, mask), whole)
    : undefined;
  const info = await readAll(
    (b, littleEndian) => {
      le3 = littleEndian;
      if (selector) selector.push(b);
      else write(b);
    },
    () => selector?.end(),
    writer,
  );
  await writer.flush();
  return {
    format,
    read: info.records,
    written: writer.records,
    comments: commentCount + commentCountSection,
    error: info.error,
    filter,
  };
}
