// A Cynthion bus event as Packetry stores it: the payload of a pcapng Custom Block under Great Scott
// Gadgets' Private Enterprise Number (what src/packets/busEvents.ts reads, written here on its own).
import type { Timestamp } from "../src/usb/model.js";

/** IANA Private Enterprise Number of Great Scott Gadgets. */
export const PACKETRY_PEN = 62392;

/**
 * The custom block payload after the PEN: u16 0x3343, u16 event code (Packetry's src/event.rs),
 * u32 interface id, u64 time in nanoseconds as two u32 halves, in the section's byte order.
 */
export function packetryEvent(
  code: number,
  time: Timestamp,
  byteOrder: "le" | "be" = "le",
  interfaceId = 0,
): Uint8Array {
  const bytes = new Uint8Array(16);
  const v = new DataView(bytes.buffer);
  const le = byteOrder === "le";
  const ns = BigInt(time.sec) * 1_000_000_000n + BigInt(time.nsec);
  v.setUint16(0, 0x3343, le);
  v.setUint16(2, code, le);
  v.setUint32(4, interfaceId, le);
  v.setUint32(8, Number(ns >> 32n), le);
  v.setUint32(12, Number(ns & 0xffffffffn), le);
  return bytes;
}

/**
 * One line of ataradov's usb-sniffer log interface (LINKTYPE_WIRESHARK_UPPER_PDU, 252): an exported PDU for
 * Wireshark's syslog dissector (tag 12 "syslog", end tag 0, big-endian u16 tag and length), then the text.
 */
export function usbSnifferLog(text: string): Uint8Array {
  const name = new TextEncoder().encode("syslog");
  const body = new TextEncoder().encode(text);
  const out = new Uint8Array(4 + name.length + 4 + body.length);
  out.set([0, 12, 0, name.length], 0);
  out.set(name, 4);
  out.set([0, 0, 0, 0], 4 + name.length);
  out.set(body, 8 + name.length);
  return out;
}
