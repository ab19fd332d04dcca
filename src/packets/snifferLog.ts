// The log interface of ataradov's usb-sniffer: next to its packets (LINKTYPE 293/294/295) it writes a second
// pcapng interface of LINKTYPE_WIRESHARK_UPPER_PDU (252) records, each an exported PDU for Wireshark's
// "syslog" dissector holding one line of text: "--- Bus Reset ---", "VBUS ON", "Detected speed: High-Speed",
// "Line state: SE0 (568.60 us)", the high-speed chirp's "Line state: K [single]" / "J [both]",
// "Folded 76 empty frames", "Keep-alive". These are the same bus events a Cynthion's custom blocks carry
// (busEvents.ts): a reset (§7.1.7.5), the chirp that sets the speed, and idle frames whose SOFs it did not record.
//
// A record: exported-PDU tags (u16 tag, u16 length, big-endian, wireshark epan/exported_pdu.h), tag 12
// EXP_PDU_TAG_DISSECTOR_NAME "syslog", ended by tag 0; then the text.
import { BusEvent } from "./busEvents.js";

const TAG_END = 0;
const TAG_DISSECTOR_NAME = 12;
/** Tags walked at most before the text (a record is a handful). */
const MAX_TAGS = 16;
const ascii = new TextDecoder("latin1");

/** The text of an exported-PDU record for the syslog dissector, or null when it is not one. */
export function snifferLogText(bytes: Uint8Array, offset: number, length: number): string | null {
  const end = offset + length;
  let o = offset;
  let syslog = false;
  for (let n = 0; n < MAX_TAGS && o + 4 <= end; n++) {
    const tag = (bytes[o]! << 8) | bytes[o + 1]!;
    const len = (bytes[o + 2]! << 8) | bytes[o + 3]!;
    o += 4;
    if (tag === TAG_END) return syslog ? ascii.decode(bytes.subarray(o, end)) : null;
    if (o + len > end) return null;
    if (tag === TAG_DISSECTOR_NAME) syslog = ascii.decode(bytes.subarray(o, o + len)) === "syslog";
    o += len;
  }
  return null;
}

/** The bus event a usb-sniffer log line states, or undefined (capture start, trigger, periodic updates...). */
export function snifferLogEvent(text: string): BusEvent | undefined {
  if (text.startsWith("--- Bus Reset")) return BusEvent.BUS_RESET;
  if (text === "VBUS ON") return BusEvent.VBUS_VALID;
  if (text === "VBUS OFF") return BusEvent.VBUS_INVALID;
  if (text.startsWith("Keep-alive")) return BusEvent.LS_KEEPALIVE;
  if (text.startsWith("Folded ")) return BusEvent.FRAMES_FOLDED;
  const speed = /^Detected speed: (Low|Full|High)-Speed/.exec(text);
  if (speed)
    return { Low: BusEvent.SPEED_LOW, Full: BusEvent.SPEED_FULL, High: BusEvent.SPEED_HIGH }[speed[1]!];
  const line = /^Line state: (SE0|SE1|J|K|Undefined)( \[(single|both)\])?/.exec(text);
  if (!line) return undefined;
  // "[single]" / "[both]": a chirp (§7.1.7.5), the device's K alone, then the host's alternating K and J.
  if (line[3] !== undefined) return line[1] === "K" ? BusEvent.LINE_CHIRP_K : BusEvent.LINE_CHIRP_J;
  switch (line[1]) {
    case "SE0":
      return BusEvent.LINE_SE0;
    case "J":
      return BusEvent.LINE_FS_J;
    case "K":
      return BusEvent.LINE_FS_K;
    default:
      return BusEvent.LINE_SE1;
  }
}
