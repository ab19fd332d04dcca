// Fault injection. Packet faults change one emitted raw packet (one-shot, matched by PID);
// control faults change what a device or host does during one control transfer.
import { Pid } from "../as/shared/constants.js";

/** How to damage one packet. */
export type PacketFaultKind =
  /** Flip one bit of the CRC after it was computed (CRC5 on tokens/SOF/SPLIT, CRC16 on data). */
  | "crc"
  /** Flip a bit of the PID check nibble (§8.3.1), so it no longer complements the PID. */
  | "pidCheck"
  /** Replace the PID byte with the reserved PID 0x0 (byte 0xF0). */
  | "reservedPid"
  /** Drop the last byte (wrong length for the PID). */
  | "truncate"
  /** Append a zero byte (wrong length for the PID). */
  | "extraByte"
  /** Do not emit the packet at all (a lost handshake, a skipped SOF). Time still passes. */
  | "drop";

/** A one-shot fault on the next emitted packet whose PID matches. */
export interface PacketFault {
  /** PID to match (the PID before damage); undefined matches any packet. */
  pid?: Pid | number;
  /** Let this many matching packets pass first. */
  skip?: number;
  /** Damage to apply, or `{ pid }` to replace the PID byte (e.g. DATA0 for DATA1: a wrong toggle, CRC16 stays good). */
  kind: PacketFaultKind | { pid: Pid | number };
}

/** Apply a fault to a packet: returns the damaged copy, or null for "drop". */
export function applyPacketFault(bytes: Uint8Array, kind: PacketFault["kind"]): Uint8Array | null {
  if (typeof kind === "object") {
    const out = bytes.slice();
    out[0] = kind.pid;
    return out;
  }
  switch (kind) {
    case "drop":
      return null;
    case "crc": {
      if (bytes.length < 3) throw new Error("crc fault on a packet without a CRC");
      const out = bytes.slice();
      // Tokens, SOF, SPLIT: bit 7 of the last byte is a CRC5 bit; data: the CRC16 high byte.
      out[out.length - 1]! ^= (bytes[0]! & 0x03) === 0x03 ? 0x01 : 0x80;
      return out;
    }
    case "pidCheck": {
      const out = bytes.slice();
      out[0]! ^= 0x80;
      return out;
    }
    case "reservedPid": {
      const out = bytes.slice();
      out[0] = Pid.RESERVED;
      return out;
    }
    case "truncate":
      return bytes.slice(0, bytes.length - 1);
    case "extraByte": {
      const out = new Uint8Array(bytes.length + 1);
      out.set(bytes);
      return out;
    }
  }
}

/** Misbehaviour during one control transfer (§8.5.3), used by raw and URB builders alike. */
export interface ControlFaults {
  /** Device NAKs each data-stage and status-stage transaction this many times first. */
  naks?: number;
  /** Device STALLs the SETUP handshake (not allowed, §8.5.3), the data stage, or the status stage. */
  stall?: "setup" | "data" | "status";
  /** Device NAKs the SETUP (not allowed: SETUP must be ACKed, §8.5.3). */
  nakSetup?: boolean;
  /**
   * Device does not answer at all (no pull-up, no 48 MHz clock, PHY off): no handshake to the SETUP on the wire;
   * the URB fails with -71 EPROTO (USBPcap: USBD_STATUS_DEV_NOT_RESPONDING).
   */
  noAnswer?: boolean;
  /** Device returns only this many bytes (a truncated descriptor). */
  truncateTo?: number;
  /** Device sends its whole answer even past wLength. */
  ignoreWLength?: boolean;
  /** Device omits the zero-length packet that ends a short reply that is a multiple of wMaxPacketSize0 (§5.5.3). */
  omitZlp?: boolean;
  /** Device NAKs the data stage this many times and the host gives up: no status stage. */
  nakForever?: number;
  /** Host never runs the status stage (transfer left incomplete). */
  noStatus?: boolean;
  /** Time gap before the data stage, in ns. */
  delayBeforeDataNs?: number;
  /** Time gap before the status stage, in ns. */
  delayBeforeStatusNs?: number;
  /** Device answers the data stage with DATA0 first instead of DATA1 (wrong toggle, §8.5.3). */
  firstDataPid?: Pid;
  /** PID of the status-stage zero-length packet (DATA1 by the spec). */
  statusDataPid?: Pid;
}
