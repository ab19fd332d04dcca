// What one analysis of a capture produced: what the report layer renders (text, JSON, JUnit) and the
// library hands its users. The analysis (analyze.ts) fills it; the report reads it and nothing else.
import type { CaptureInfo } from "./capture/reader.js";
import type { DescriptorLayerResult } from "./devices/descriptorLayer.js";
import type { FindingCollector } from "./usb/findingCollector.js";
import type { ControlTransfer, Speed, Timestamp } from "./usb/model.js";
import type { ClassDecode } from "./usb/classDecode.js";
import type { MscCommand } from "./classes/bot.js";
import type { HidReportRecord } from "./classes/hidFunction.js";
import type { DfuSession } from "./classes/dfuSession.js";

/** A control transfer as the result lists it: the transfer without its data bytes (their count is kept). */
export interface ControlTransferSummary {
  index: number;
  bus?: number;
  address: number;
  setup: ControlTransfer["setup"];
  request: string;
  dataLength: number;
  status: ControlTransfer["status"];
  firstPacket: number;
  lastPacket: number;
  urbStatus?: number;
  detail?: string;
  /** The class request decoded (src/classes/). */
  class?: ClassDecode;
}

/** The records of one interface (pcap: the file's; pcapng: one IDB, in file order across sections). */
export interface InterfaceAccounting {
  interface: number;
  section: number;
  linktype: number;
  /** read = analysed + otherLinkTypes + framingErrors. */
  read: number;
  analysed: number;
  otherLinkTypes: number;
  /** 1 when framing stopped in a record of this interface, else 0. */
  framingErrors: number;
}

/**
 * Every record read and what became of it (README "Reliability"): read = analysed + otherLinkTypes +
 * framingErrors, in total and per interface. Records are pcap records and pcapng packet and custom blocks;
 * for usbmon text, the lines that are not blank or comments.
 */
export interface RecordAccounting {
  read: number;
  /** Records a layer read: raw packets, URB records (urbRecords), custom blocks (customBlocks), text events. */
  analysed: number;
  /** Records of link types usbscope does not analyse (a sniffer's log interface...), counted and skipped. */
  otherLinkTypes: number;
  /** The record framing stopped in (0 or 1), or for usbmon text the lines that do not parse (FMT_TEXT_MALFORMED). */
  framingErrors: number;
  /** Per interface, the first 1024; `moreInterfaces` sums the others. Empty for usbmon text. */
  interfaces: InterfaceAccounting[];
  moreInterfaces?: { analysed: number; otherLinkTypes: number };
  /** A record in error that names no interface the file describes. */
  framingErrorsWithoutInterface: number;
  /** pcapng Custom Blocks: records on no interface, read for the sniffer's bus events. */
  customBlocks: number;
  /** What became of the records of URB link types: events + filler + unparsed = their number (each unparsed one has a finding). */
  urbRecords: { events: number; filler: number; unparsed: number };
}

export interface AnalysisResult {
  file: string;
  capture: CaptureInfo;
  /** The link types seen, most records first. */
  linktypes: number[];
  speed: Speed;
  pidCounts: Map<string, number>;
  packets: number;
  transactions: number;
  controlTransfers: ControlTransferSummary[];
  controlTransferCount: number;
  findings: FindingCollector;
  urbEvents: number;
  firstTime?: Timestamp;
  lastTime?: Timestamp;
  /** Mass storage (Bulk-Only) commands, CBW to CSW, the first 10,000 (src/classes/bot.ts); all counted. */
  massStorageCommands: MscCommand[];
  massStorageCommandCount: number;
  /** HID reports decoded against their report descriptors, the first 10,000 (src/classes/hidFunction.ts); all counted. */
  hidReports: HidReportRecord[];
  hidReportCount: number;
  /** DFU downloads and uploads, first block to final state, the first 1000 (src/classes/dfuSession.ts); all counted. */
  dfuSessions: DfuSession[];
  dfuSessionCount: number;
  /** Devices, their descriptors, rule hits and enumeration diagnoses. */
  descriptors: DescriptorLayerResult;
  /** Every record read and what became of it. */
  recordAccounting: RecordAccounting;
  /** What the sniffer recorded between packets (Cynthion/Packetry custom blocks): counts by event, and the events in order without keepalives. */
  busEvents: { counts: Map<string, number>; list: { index: number; time: Timestamp; event: string }[] };
}
