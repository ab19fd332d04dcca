// The data model shared by the layers above the core (DESIGN.md "Data flows one way").
// Objects exist only from transactions upward; packets stay in columns (STYLE convention 4).
import type { ClassDecode } from "./classDecode.js";
import type { Finding, FindingSink } from "./finding.js";
import type { DeviceAddr } from "./ids.js";

export type Speed = "low" | "full" | "high" | "unknown";

/** Absolute capture time: whole seconds since the Unix epoch and nanoseconds within the second. */
export interface Timestamp {
  sec: number;
  nsec: number;
}

/** USB 2.0 §9.3: the 8-byte SETUP data. */
export interface SetupPacket {
  bmRequestType: number;
  bRequest: number;
  wValue: number;
  wIndex: number;
  wLength: number;
}

export type ControlStatus = "ok" | "stall" | "incomplete" | "error";

/**
 * One control transfer (§8.5.3), reconstructed from raw packets or from URBs.
 * The descriptor layer takes these and does not care which source made them.
 */
export interface ControlTransfer {
  /** Order of the SETUP in the capture, from 0. */
  index: number;
  source: "packets" | "urb";
  /** USB bus number (URB captures); undefined for raw wire captures. */
  bus?: number;
  /** Device address the SETUP was sent to. */
  address: DeviceAddr;
  setup: SetupPacket;
  /** Human name, e.g. "GET_DESCRIPTOR DEVICE", "SET_ADDRESS 5", "class IN 0x01". */
  request: string;
  /** Data stage bytes as seen (IN: what the device returned; OUT: what the host sent). */
  data: Uint8Array;
  status: ControlStatus;
  /** Record index of the SETUP (raw) or of the submission URB. */
  firstPacket: number;
  /** Record index of the last record that belongs to the transfer. */
  lastPacket: number;
  start: Timestamp;
  end: Timestamp;
  /** Time the status stage completed (raw captures), when seen. */
  statusTime?: Timestamp;
  /** URB completion status (negative errno for usbmon, USBD_STATUS for USBPcap). */
  urbStatus?: number;
  /** Free-text reason for status "error" or "incomplete". */
  detail?: string;
  /**
   * The device sent nothing back at all: no handshake to any try of the SETUP (raw), or a URB status that
   * means no response (-71 EPROTO, -84 EILSEQ, -62 ETIME, -110 ETIMEDOUT; USBD_STATUS_DEV_NOT_RESPONDING).
   */
  unanswered?: boolean;
  /**
   * The capture holds fewer data bytes than the transfer moved (usbmon text prints at most 32;
   * a snap length can cut binary records). Length-based descriptor checks must skip it.
   */
  dataTruncated?: boolean;
  /**
   * The device's own speed when the transfer shows it: a low- or full-speed device behind a
   * high-speed hub is reached through SPLIT transactions whose S bit says which (§8.4.2.2).
   */
  speed?: Speed;
  /** The class request decoded (src/classes/), when the device's descriptors say which function it goes to. */
  class?: ClassDecode;
  /**
   * The finding the transfer's failure makes on its own (CTRL_STALL, URB_ERROR), when the analysis holds it
   * back (AnalysisContext.deferControlFailures): the descriptor layer reports it unless one of its rules'
   * findings already explains this transfer (one cause, one finding).
   */
  failure?: Finding;
}

/** Endpoint transfer types (§9.6.6 bmAttributes bits 1..0). */
export type EndpointType = "control" | "isochronous" | "bulk" | "interrupt";

/**
 * One batch of records from the core. The typed arrays are views onto WASM memory and are valid
 * only during the call that receives the batch: copy what must outlive it.
 */
export interface RecordBatch {
  /** File-wide index of record 0 of this batch. */
  firstIndex: number;
  count: number;
  /** The core's input region: record i's captured bytes are bytes[dataOffset[i] .. + dataLength[i]]. */
  bytes: Uint8Array;
  /** File offset of the record's header (pcap record header or pcapng block). */
  offset: Float64Array;
  tsSec: Float64Array;
  tsNsec: Uint32Array;
  linktype: Uint16Array;
  /** The PID byte (for a bad PID check, the byte as received). */
  pid: Uint8Array;
  /** PacketStatus. */
  status: Uint8Array;
  /** Token: device address; SPLIT: hub address. */
  address: Uint8Array;
  /** Token: endpoint number; SPLIT: hub port. */
  endpoint: Uint8Array;
  /** SOF: frame number; SPLIT: SplitBits; DATA0/1/2/MDATA: the CRC16 field as received (§8.3.5.2). */
  frame: Uint16Array;
  dataOffset: Uint32Array;
  dataLength: Uint32Array;
  origLength: Uint32Array;
  /**
   * The record's interface: pcapng interfaces numbered in file order across sections, pcap 0, a custom
   * block NO_INTERFACE (0xffffffff). Absent in batches built by hand (tests): read it as 0.
   */
  interface?: Uint32Array;
}

/** A layer that consumes record batches in file order. */
export interface RecordSink {
  onBatch(batch: RecordBatch): void;
  /** End of the capture (or of a live stream): flush what is open. */
  onEnd(): void;
}

/** What the raw-packet and URB layers know about endpoint types, from descriptors seen so far. */
export interface EndpointTypeLookup {
  /** The type of endpoint `endpointAddress` (with direction bit 7) of the device at `address`; undefined when no descriptor said. */
  endpointType(address: number, endpointAddress: number, bus?: number): EndpointType | undefined;
  /** wMaxPacketSize[10:0] (or bMaxPacketSize0 for endpoint 0) from descriptors; undefined when unknown. */
  maxPacketSize?(address: number, endpointAddress: number, bus?: number): number | undefined;
  /** Endpoint addresses of an alternate setting of an interface, from the configuration in use; undefined when unknown. */
  interfaceEndpoints?(
    address: number,
    interfaceNumber: number,
    alternateSetting: number,
    bus?: number,
  ): number[] | undefined;
}

/** Where a layer sends what it reconstructs. */
export interface AnalysisContext {
  findings: FindingSink;
  /** Called once per control transfer, in order of completion. */
  onControlTransfer(transfer: ControlTransfer): void;
  endpoints: EndpointTypeLookup;
  /** Speed from the link type (293/294/295), or "unknown" for 288 and URB captures. */
  speed: Speed;
  /**
   * The name of a class or vendor request from what the device's descriptors say it targets (src/classes/),
   * or undefined to use the standard naming (requests.ts requestName).
   */
  nameRequest?(setup: SetupPacket, address: number, bus?: number): string | undefined;
  /**
   * Hold a control transfer's own failure finding on the transfer (ControlTransfer.failure) instead of adding
   * it: whoever takes the transfers reports it, or the finding that explains the failure instead.
   */
  deferControlFailures?: boolean;
}
