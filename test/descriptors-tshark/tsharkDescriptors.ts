// What tshark decodes as descriptors, frame by frame: the PDML tree of every frame that holds a `usb.bLength` or a
// HID report item, cut into one group per descriptor (each descriptor Wireshark dissects starts with usb.bLength:
// packet-usb.c dissect_usb_*_descriptor, and the class dissectors usbhid, usbdfu, usbcom, usbaudio reuse
// hf_usb_bLength) and one per report item (each starts with usbhid.item.bSize, or bDataSize for a long item).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/** One field as tshark shows it: the filter name and the PDML `show` text ("0x02", "116", "HackRF One"). */
export interface TsharkField {
  name: string;
  show: string;
}

/** One descriptor tshark dissected: `pos` is the byte offset of its bLength in the frame's data source. */
export interface TsharkDescriptor {
  pos: number;
  fields: TsharkField[];
}

export interface TsharkFrame {
  /** usb.request_in: the frame of the request this response answers (URB submission, or the SETUP's DATA0 packet). */
  requestIn?: number;
  /** The descriptors tshark dissected in the frame, in tree order. */
  descriptors: TsharkDescriptor[];
  /** HID report descriptor items (packet-usb-hid.c), one per item from its usbhid.item.bSize (or bDataSize) on. */
  hidItems: TsharkDescriptor[];
}

/** Frame number (from 1) → what tshark dissected there. */
export type TsharkDescriptorFrames = Map<number, TsharkFrame>;

const FIELD = /<field name="([^"]*)"[^>]*? pos="(\d+)" show="([^"]*)"/;

function unescapeXml(s: string): string {
  return s.replace(/&(quot|amp|lt|gt|apos|#x[0-9a-fA-F]+|#\d+);/g, (_m, e: string) => {
    if (e === "quot") return '"';
    if (e === "amp") return "&";
    if (e === "lt") return "<";
    if (e === "gt") return ">";
    if (e === "apos") return "'";
    return String.fromCodePoint(e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

/** Parse tshark PDML: keep frame.number, usb.request_in and every named field from the first usb.bLength on. */
export function parsePdml(pdml: string): TsharkDescriptorFrames {
  const frames: TsharkDescriptorFrames = new Map();
  let current: TsharkFrame | undefined;
  for (const line of pdml.split("\n")) {
    if (line.startsWith("<packet>")) {
      current = { descriptors: [], hidItems: [] };
      continue;
    }
    const m = FIELD.exec(line);
    if (!m || !current) continue;
    const [, name, pos, show] = m;
    if (name === "frame.number") {
      frames.set(Number(show), current);
      continue;
    }
    if (name === "usb.request_in") {
      current.requestIn = Number(show);
      continue;
    }
    if (name === "usbhid.item.bSize" || name === "usbhid.item.bDataSize") {
      current.hidItems.push({ pos: Number(pos), fields: [{ name, show: show! }] });
      continue;
    }
    if (name!.startsWith("usbhid.item.")) {
      current.hidItems[current.hidItems.length - 1]?.fields.push({ name: name!, show: unescapeXml(show!) });
      continue;
    }
    if (name === "usb.bLength") {
      current.descriptors.push({ pos: Number(pos), fields: [{ name, show: show! }] });
      continue;
    }
    if (name === "" || name === "_ws.expert" || name!.startsWith("_ws.")) continue;
    // Fields before the first bLength belong to the URB/usbll headers (usb.src, usb.bDescriptorType of a setup).
    current.descriptors[current.descriptors.length - 1]?.fields.push({
      name: name!,
      show: unescapeXml(show!),
    });
  }
  for (const [n, d] of frames) if (d.descriptors.length === 0 && d.hidItems.length === 0) frames.delete(n);
  return frames;
}

/** Cached by file content: the packetry test captures and real/288-* are the same bytes under two names. */
const cache = new Map<string, TsharkDescriptorFrames>();

export function tsharkDescriptorFrames(file: string): TsharkDescriptorFrames {
  const hash = createHash("sha256").update(readFileSync(file)).digest("hex");
  let frames = cache.get(hash);
  if (!frames) {
    const r = spawnSync(
      "tshark",
      ["-r", file, "-n", "-Y", "usb.bLength || usbhid.item.bType", "-T", "pdml"],
      { encoding: "utf8", maxBuffer: 1 << 30 },
    );
    if (r.status !== 0) throw new Error(`tshark failed on ${file}: ${r.stderr}`);
    frames = parsePdml(r.stdout);
    cache.set(hash, frames);
  }
  return frames;
}
