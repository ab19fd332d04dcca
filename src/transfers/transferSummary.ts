// The transfer → transaction → packet tree handed to `onTransfer` listeners (one object per transfer,
// built only when a listener is attached). Raw captures fill the tree from packets; URB captures
// (usbmon, USBPcap) fill one TransferSummary per URB, with the URB's own facts in `urb` and no
// transactions (a host capture has none).
import type { Timestamp } from "../usb/model.js";
import type { ClassDecode } from "../usb/classDecode.js";

export type TransferKind =
  "control" | "bulk" | "interrupt" | "isochronous" | "unknown" | "polling" | "invalid";

export interface TransactionSummary {
  /** File-wide transaction index. */
  index: number;
  firstPacket: number;
  /** Record indices of the packets (SPLIT, token, data, handshake). */
  packets: number[];
  /** Spec names of those packets' PIDs, e.g. ["SETUP", "DATA0", "ACK"]. */
  pids: string[];
  /** "ACK", "NAK", "STALL", "NYET", "ERR", "no handshake" or "invalid". */
  outcome: string;
  /** Payload bytes of the data packet, -1 when none. */
  dataLength: number;
  split?: "start" | "complete";
  /** The same data again after a lost handshake: counted once. */
  retransmission?: boolean;
  /** The data packet's payload (PID and CRC16 excluded), when the listener asked for bytes. */
  data?: Uint8Array;
}

/** One isochronous packet of a URB (usbmon `mon_bin_isodesc`, USBPcap `USBPCAP_BUFFER_ISO_PACKET`). */
export interface IsoFrame {
  /** Offset of the packet's data in the URB's buffer. */
  offset: number;
  /** Submission: the length asked for; completion: the actual length. */
  length: number;
  /** usbmon: 0 or a negative errno; USBPcap: USBD_STATUS. */
  status: number;
}

/** What a URB capture knows about one transfer: its submission, its completion and what lies between. */
export interface UrbTransferInfo {
  /** usbmon URB tag or USBPcap IRP pointer, lower-case hex. */
  id: string;
  /** Who wrote the capture: the status numbers are errno values (usbmon) or USBD_STATUS (USBPcap). */
  source: "usbmon" | "usbpcap";
  /** The completion's status (undefined when no completion is in the capture). */
  status?: number;
  /** That status in words: "0 success", "-32 EPIPE (endpoint stalled)", "USBD_STATUS_STALL_PID (0xc0000004)". */
  statusText?: string;
  /** Bytes the submission asked to move (transfer_buffer_length; wLength for control), when the capture says. */
  requestedLength?: number;
  /** Bytes the completion says were moved (actual_length), when the capture says. */
  actualLength?: number;
  /** Bytes of payload the capture holds (`TransferSummary.data` when bytes were asked for). */
  capturedLength: number;
  /** The capture holds fewer payload bytes than were moved (usbmon text keeps 32; a snap length may cut more). */
  truncated: boolean;
  /** Record index of the submission ('S', USBPcap FDO→PDO) and of the completion ('C'/'E', PDO→FDO). */
  submitRecord?: number;
  completeRecord?: number;
  submitted?: Timestamp;
  completed?: Timestamp;
  /** Completion time minus submission time, in microseconds. */
  latencyUs?: number;
  /** Interrupt and isochronous URBs: the polling interval the host used (usbmon), in frames or microframes. */
  interval?: number;
  startFrame?: number;
  errorCount?: number;
  /** Isochronous URBs: the number of packets and each packet's offset, length and status. */
  isoPackets?: number;
  iso?: IsoFrame[];
  /** Why a transfer has no completion, or what else is worth saying in words. */
  detail?: string;
}

/** A run of repeated URB completions folded into one entry (`UrbTransfers`). */
export interface RepeatRun {
  /** Transfers folded: each the same as the one listed before the run. */
  count: number;
  firstPacket: number;
  lastPacket: number;
  start: Timestamp;
  end: Timestamp;
}

export interface TransferSummary {
  kind: TransferKind;
  /** Device address (for an invalid group, the address of its token if any, else -1). */
  device: number;
  /** Endpoint number 0..15. */
  endpoint: number;
  direction: "in" | "out";
  firstPacket: number;
  lastPacket: number;
  transactions: TransactionSummary[];
  /** Transactions not listed because the list hit its cap. */
  transactionsOmitted: number;
  /** Data bytes transferred (each retransmission counted once; URBs: the actual length). */
  dataLength: number;
  /** "ok", "stall", "incomplete", "error", for polling "nak", for URBs also "cancelled". */
  outcome: string;
  /** NAKed transactions folded into this transfer (a polling entry is only NAKs). */
  nakCount: number;
  /** Control transfers: the request name and the ControlTransfer index. */
  request?: string;
  controlIndex?: number;
  /** URB captures: the bus the device is on. */
  bus?: number;
  /** URB captures: the URB's own facts. */
  urb?: UrbTransferInfo;
  /**
   * The payload bytes the capture holds, when the listener asked for bytes: a URB's data, or the data
   * a raw transfer's counted transactions carried (at most MAX_TRANSFER_DATA of them, `dataTruncated` then set).
   */
  data?: Uint8Array;
  /** `data` holds fewer bytes than the transfer moved (the capture, or the cap, cut them). */
  dataTruncated?: boolean;
  /** URB captures: this entry stands for a run of transfers like the one listed before it. */
  repeat?: RepeatRun;
  /** The class decoding of the transfer (src/classes/): a class request, a notification, a command. */
  class?: ClassDecode;
}

export type TransferListener = (t: TransferSummary) => void;

/**
 * The class decoder's view of bulk and interrupt transfers (src/classes/, wired by the analysis): the layers
 * group and keep the bytes of the transfers on the endpoints it wants, listener or not, and hand it each one
 * as it ends, before any listener sees it.
 */
export interface ClassTransferHook {
  /** Transfers on this endpoint are decoded: group them and keep their bytes. */
  wants(address: number, endpointAddress: number, bus?: number): boolean;
  /** A bulk or interrupt transfer on a wanted endpoint ended; the hook may set `t.class`. */
  transfer(t: TransferSummary): void;
  /**
   * Raw captures: the bytes the class protocol says the endpoint's next transfer moves, when it says (a mass
   * storage data phase: dCBWDataTransferLength); a transfer that reaches it has ended, short packet or not.
   */
  transferLength?(address: number, endpointAddress: number, bus?: number): number | undefined;
}

/** Transactions kept per transfer before counting the rest (bounds memory on endless iso streams). */
export const MAX_LISTED_TRANSACTIONS = 4096;

/** Payload bytes kept per raw transfer for display (an iso stream is one transfer, bounded here). */
export const MAX_TRANSFER_DATA = 1 << 20;
