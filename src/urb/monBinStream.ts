// The kernel's binary usbmon device, /dev/usbmonN, read with plain read(2): each event is the first 48
// bytes of `struct mon_bin_hdr` (PKT_SZ_API0, the LINKTYPE_USB_LINUX layout) followed by len_cap bytes
// (iso descriptors, then data), with no container around them (drivers/usb/mon/mon_bin.c mon_bin_read;
// Documentation/usb/usbmon.rst "Raw binary format and API"). A read returns at most one event, and a
// short read buffer may return part of one; the stream is framed here from the header's len_cap,
// whatever the cuts between the chunks pushed. Fields are in the host's byte order.
import { finding, type FindingSink } from "../usb/finding.js";
import { LinkType } from "../../as/shared/constants.js";
import { URB_BAD_LENGTH } from "./rules.js";
import type { UrbEvent } from "./urbEvent.js";
import {
  ISODESC_MAX,
  MON_BIN_HDR_48,
  MON_BIN_ISODESC_SIZE,
  isMonBinFiller,
  parseMonBin,
} from "./usbmonBinary.js";
import type { TimeFixLog } from "../usb/time.js";

/** Offset of len_cap in mon_bin_hdr. */
const LEN_CAP = 36;

/**
 * The largest len_cap mon_bin makes: data is capped at b_size/5 of the largest ring (BUFF_MAX, 1200 KiB
 * rounded to chunks), plus ISODESC_MAX descriptors. A larger one means the stream is out of step.
 */
export const MON_BIN_MAX_LEN_CAP = Math.ceil((1200 * 1024) / 5) + 4096 + ISODESC_MAX * MON_BIN_ISODESC_SIZE;

export interface MonBinStreamOptions {
  findings?: FindingSink;
  /** The host's byte order (mon_bin writes native integers). Default true. */
  littleEndian?: boolean;
  /** Keep the payload of every transfer type, not only control. */
  keepAllData?: boolean;
  /** Keep the payload of the bulk and interrupt URBs of these endpoints (the class decoder's) besides control. */
  keepData?: (bus: number, device: number, endpoint: number) => boolean;
  /** Where repaired timestamps are counted (one FMT_TIMESTAMP finding per capture). */
  timeFixes?: TimeFixLog;
}

/**
 * Incremental framer: push chunks in order, then end(). Each event becomes a UrbEvent for `onEvent`;
 * `record` is the event's index in the stream, `offset` its byte offset.
 */
export class MonBinStream {
  /** Events framed so far: each became a URB event, or is mmap filler, or did not parse (with a finding). */
  events = 0;
  filler = 0;
  unparsed = 0;
  /** Bytes pushed so far. */
  bytes = 0;
  /** Set when the stream could not be framed further (a len_cap no kernel writes): the rest is dropped. */
  broken = false;
  private buf = new Uint8Array(64 * 1024);
  private have = 0;
  /** Stream offset of buf[0]. */
  private base = 0;

  constructor(
    private readonly onEvent: (ev: UrbEvent) => void,
    private readonly options: MonBinStreamOptions = {},
  ) {}

  push(chunk: Uint8Array): void {
    const chunkStart = this.bytes;
    this.bytes += chunk.length;
    if (this.broken) return;
    let at = 0;
    if (this.have === 0) {
      // Nothing pending (the common case: one read, one event): frame straight from the chunk.
      this.base = chunkStart;
      at = this.frame(chunk, 0, chunk.length);
      if (this.broken) return;
      this.base = chunkStart + at;
    }
    if (at === chunk.length) return;
    // The rest waits for the bytes that complete its event (at most one event and one chunk are held).
    this.append(chunk.subarray(at));
    const used = this.frame(this.buf, 0, this.have);
    if (this.broken || used === 0) return;
    this.buf.copyWithin(0, used, this.have);
    this.have -= used;
    this.base += used;
  }

  /** The end of the input: an event cut short is reported. */
  end(): void {
    if (this.have > 0 && !this.broken) {
      this.options.findings?.add(
        finding(
          URB_BAD_LENGTH,
          `the usbmon stream ends inside an event: ${this.have} of its ${this.need() || MON_BIN_HDR_48} bytes were read`,
          { packet: this.events, offset: this.base },
        ),
      );
    }
    this.have = 0;
  }

  /** Bytes the pending event needs in all (header + len_cap), 0 while its header is incomplete. */
  private need(): number {
    if (this.have < MON_BIN_HDR_48) return 0;
    return MON_BIN_HDR_48 + this.lenCap(this.buf, 0);
  }

  private lenCap(b: Uint8Array, o: number): number {
    const p = o + LEN_CAP;
    return this.options.littleEndian === false
      ? ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0
      : (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  /** Frame whole events from b[o .. o+n); returns the bytes used (0 when the first is incomplete). */
  private frame(b: Uint8Array, o: number, n: number): number {
    let used = 0;
    while (n - used >= MON_BIN_HDR_48) {
      const lenCap = this.lenCap(b, o + used);
      if (lenCap > MON_BIN_MAX_LEN_CAP) {
        this.broken = true;
        this.options.findings?.add(
          finding(
            URB_BAD_LENGTH,
            `usbmon event header claims len_cap ${lenCap}, more than mon_bin ever writes (${MON_BIN_MAX_LEN_CAP}): the stream is out of step and cannot be framed further`,
            { packet: this.events, offset: this.base + used },
          ),
        );
        return used;
      }
      const size = MON_BIN_HDR_48 + lenCap;
      if (n - used < size) break;
      const ev = parseMonBin(
        b,
        o + used,
        size,
        LinkType.USB_LINUX,
        this.options.littleEndian ?? true,
        this.events,
        {
          findings: this.options.findings,
          fileOffset: this.base + used,
          keepAllData: this.options.keepAllData,
          keepData: this.options.keepData,
          timeFixes: this.options.timeFixes,
        },
      );
      this.events++;
      if (ev !== undefined) this.onEvent(ev);
      else if (isMonBinFiller(b, o + used, size)) this.filler++;
      else this.unparsed++;
      used += size;
    }
    return used;
  }

  private append(piece: Uint8Array): void {
    if (this.have + piece.length > this.buf.length) {
      const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.have + piece.length));
      bigger.set(this.buf.subarray(0, this.have));
      this.buf = bigger;
    }
    this.buf.set(piece, this.have);
    this.have += piece.length;
  }
}
