// Bus events a hardware sniffer records between packets: Cynthion captures saved by Packetry carry
// them as pcapng Custom Blocks (pcapng §4.8) under Great Scott Gadgets' Private Enterprise Number.
// They show what packets cannot: bus resets (§7.1.7.5), suspend and resume (§7.1.7.6, §7.1.7.7),
// attach, the high-speed chirp handshake (§7.1.7.5) and VBUS.
//
// The payload, as Packetry 0.4 writes it (seen in its test captures; the event codes are those of its
// src/event.rs): u16 0x3343, u16 event code, u32 interface id, u32 timestamp high, u32 low, in the
// section's byte order.
import { u16At, u32At } from "../usb/bytes.js";

/** IANA Private Enterprise Number of Great Scott Gadgets, the PEN of Packetry's custom blocks. */
export const GSG_PEN = 62392;
const EVENT_MAGIC = 0x3343;

export enum BusEvent {
  CAPTURE_STOP_REQUESTED = 1,
  CAPTURE_STOP_BUFFER_FULL = 2,
  CAPTURE_STOP_ERROR = 3,
  CAPTURE_START_HIGH = 4,
  CAPTURE_START_FULL = 5,
  CAPTURE_START_LOW = 6,
  CAPTURE_START_AUTO = 7,
  SPEED_HIGH = 8,
  SPEED_FULL = 9,
  SPEED_LOW = 10,
  SPEED_AUTO = 11,
  LINE_SE0 = 12,
  LINE_CHIRP_J = 13,
  LINE_CHIRP_K = 14,
  LINE_CHIRP_SE1 = 15,
  LINE_LS_J = 16,
  LINE_LS_K = 17,
  LINE_FS_J = 18,
  LINE_FS_K = 19,
  LINE_SE1 = 20,
  VBUS_INVALID = 21,
  VBUS_VALID = 22,
  LS_ATTACH = 23,
  FS_ATTACH = 24,
  BUS_RESET = 25,
  DEVICE_CHIRP_VALID = 26,
  HOST_CHIRP_VALID = 27,
  SUSPEND = 28,
  RESUME = 29,
  LS_KEEPALIVE = 30,
  /** usbscope's own, for ataradov's usb-sniffer log (snifferLog.ts): idle frames it folded, so no SOF is recorded for them. */
  FRAMES_FOLDED = 100,
}

/** Events counted but never listed: they come every frame or every chirp bit. */
export function isQuietBusEvent(event: BusEvent): boolean {
  return (
    event === BusEvent.LS_KEEPALIVE ||
    event === BusEvent.FRAMES_FOLDED ||
    event === BusEvent.LINE_CHIRP_J ||
    event === BusEvent.LINE_CHIRP_K
  );
}

/** What each event means, for reports. */
export const BUS_EVENT_NAMES: Record<BusEvent, string> = {
  [BusEvent.CAPTURE_STOP_REQUESTED]: "capture stopped",
  [BusEvent.CAPTURE_STOP_BUFFER_FULL]: "capture stopped: sniffer buffer full",
  [BusEvent.CAPTURE_STOP_ERROR]: "capture stopped: sniffer error",
  [BusEvent.CAPTURE_START_HIGH]: "capture started at high speed",
  [BusEvent.CAPTURE_START_FULL]: "capture started at full speed",
  [BusEvent.CAPTURE_START_LOW]: "capture started at low speed",
  [BusEvent.CAPTURE_START_AUTO]: "capture started, speed automatic",
  [BusEvent.SPEED_HIGH]: "speed changed to high",
  [BusEvent.SPEED_FULL]: "speed changed to full",
  [BusEvent.SPEED_LOW]: "speed changed to low",
  [BusEvent.SPEED_AUTO]: "speed changed to automatic",
  [BusEvent.LINE_SE0]: "SE0 line state",
  [BusEvent.LINE_CHIRP_J]: "chirp J line state",
  [BusEvent.LINE_CHIRP_K]: "chirp K line state",
  [BusEvent.LINE_CHIRP_SE1]: "chirp SE1 line state",
  [BusEvent.LINE_LS_J]: "low-speed idle (J) line state",
  [BusEvent.LINE_LS_K]: "low-speed resume (K) line state",
  [BusEvent.LINE_FS_J]: "full-speed idle (J) line state",
  [BusEvent.LINE_FS_K]: "full-speed resume (K) line state",
  [BusEvent.LINE_SE1]: "invalid SE1 line state",
  [BusEvent.VBUS_INVALID]: "VBUS invalid",
  [BusEvent.VBUS_VALID]: "VBUS valid",
  [BusEvent.LS_ATTACH]: "device attached at low speed",
  [BusEvent.FS_ATTACH]: "device attached at full speed",
  [BusEvent.BUS_RESET]: "bus reset",
  [BusEvent.DEVICE_CHIRP_VALID]: "device high-speed chirp",
  [BusEvent.HOST_CHIRP_VALID]: "host high-speed chirp",
  [BusEvent.SUSPEND]: "suspend",
  [BusEvent.RESUME]: "resume",
  [BusEvent.LS_KEEPALIVE]: "low-speed keepalive",
  [BusEvent.FRAMES_FOLDED]: "empty frames folded by the sniffer",
};

/** The bus speed a capture-start or speed-change event states; undefined for every other event (and "automatic"). */
export function speedOfBusEvent(event: BusEvent): "low" | "full" | "high" | undefined {
  switch (event) {
    case BusEvent.CAPTURE_START_HIGH:
    case BusEvent.SPEED_HIGH:
      return "high";
    case BusEvent.CAPTURE_START_FULL:
    case BusEvent.SPEED_FULL:
      return "full";
    case BusEvent.CAPTURE_START_LOW:
    case BusEvent.SPEED_LOW:
      return "low";
    default:
      return undefined;
  }
}

/** One decoded bus event: what happened, and when (the block's own timestamp). */
export interface BusEventRecord {
  event: BusEvent;
  sec: number;
  nsec: number;
}

/**
 * The event in the custom block whose data (after the PEN) is `bytes[dataOffset, dataOffset + dataLength)`,
 * or null when it is not a Packetry bus event. The PEN, four bytes before the data, also tells the byte
 * order. pcapng gives custom blocks no time of their own; Packetry's carry one in its interface's units,
 * which it always writes as nanoseconds (if_tsresol 9, no if_tsoffset): the time of its packets too.
 */
export function decodeBusEvent(
  bytes: Uint8Array,
  dataOffset: number,
  dataLength: number,
): BusEventRecord | null {
  if (dataLength < 16 || dataOffset < 4 || dataOffset + dataLength > bytes.length) return null;
  const p = dataOffset - 4;
  const big = u32At(bytes, p, false) === GSG_PEN;
  if (!big && u32At(bytes, p, true) !== GSG_PEN) return null;
  const magic = u16At(bytes, dataOffset, !big);
  const code = u16At(bytes, dataOffset + 2, !big);
  if (magic !== EVENT_MAGIC || code < BusEvent.CAPTURE_STOP_REQUESTED || code > BusEvent.LS_KEEPALIVE)
    return null;
  // A u64 of nanoseconds since the epoch passes 2^53: split it exactly, in BigInt.
  const ns =
    (BigInt(u32At(bytes, dataOffset + 8, !big)) << 32n) | BigInt(u32At(bytes, dataOffset + 12, !big));
  return { event: code as BusEvent, sec: Number(ns / 1_000_000_000n), nsec: Number(ns % 1_000_000_000n) };
}
