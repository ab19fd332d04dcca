// The usbmon 'u' text format (/sys/kernel/debug/usb/usbmon/Nu; drivers/usb/mon/mon_text.c
// mon_text_read_u; RULES.md D.1), one line per URB event.
import { XferType, type UrbEvent, type UrbSink } from "./urb.js";
import { hex2 } from "../src/usb/bytes.js";

/** usbmon text prints at most this many data bytes (mon_text.c DATA_MAX). */
export const TEXT_DATA_MAX = 32;
/** At most this many iso descriptors are printed (ISODESC_MAX). */
export const TEXT_ISODESC_MAX = 5;

const TYPE_CHAR = ["Z", "I", "C", "B"] as const;

/** The usbmon text line for one event (without the newline). */
export function usbmonTextLine(e: UrbEvent): string {
  const isIn = (e.epnum & 0x80) !== 0;
  // Timestamp: (tv_sec & 0xFFF) * 10^6 + µs, so it wraps every 4096 s (mon_get_timestamp).
  const ts = (e.sec & 0xfff) * 1_000_000 + Math.floor(e.nsec / 1000);
  const addr = `${TYPE_CHAR[e.xferType]}${isIn ? "i" : "o"}:${e.busnum}:${String(e.devnum).padStart(3, "0")}:${e.epnum & 0x0f}`;
  let s = `${e.id.toString(16)} ${ts} ${e.type} ${addr}`;
  if (e.type === "E") s += ` ${e.status}`;
  else if (e.xferType === XferType.ISOCHRONOUS) {
    s +=
      e.type === "S"
        ? ` ${e.status}:${e.interval ?? 0}:${e.startFrame ?? 0}`
        : ` ${e.status}:${e.interval ?? 0}:${e.startFrame ?? 0}:${e.errorCount ?? 0}`;
    const descs = e.iso ?? [];
    s += ` ${descs.length}`;
    for (const d of descs.slice(0, TEXT_ISODESC_MAX)) s += ` ${d.status}:${d.offset}:${d.length}`;
  } else if (e.xferType === XferType.INTERRUPT) s += ` ${e.status}:${e.interval ?? 0}`;
  else if (e.setup !== undefined && e.type === "S") {
    const b = e.setup;
    const w = (i: number) => (b[i]! | (b[i + 1]! << 8)).toString(16).padStart(4, "0");
    s += ` s ${hex2(b[0]!)} ${hex2(b[1]!)} ${w(2)} ${w(4)} ${w(6)}`;
  } else s += ` ${e.status}`;
  s += ` ${e.type === "E" ? 0 : e.length}`;
  if (e.type === "E" || e.length === 0) return s;
  if (isIn && e.type === "S") return `${s} <`;
  if (!isIn && e.type === "C") return `${s} >`;
  if (e.data.length === 0) return s;
  s += " =";
  const n = Math.min(e.data.length, TEXT_DATA_MAX);
  for (let i = 0; i < n; i++) s += (i % 4 === 0 ? " " : "") + hex2(e.data[i]!);
  return s;
}

/** Collects usbmon text lines; `text()` joins them with newlines. */
export class UsbmonTextWriter implements UrbSink {
  readonly lines: string[] = [];
  constructor(private readonly sink?: (line: string) => void) {}
  event(e: UrbEvent): void {
    const line = usbmonTextLine(e);
    if (this.sink) this.sink(line + "\n");
    else this.lines.push(line);
  }
  text(): string {
    return this.lines.map((l) => l + "\n").join("");
  }
}
