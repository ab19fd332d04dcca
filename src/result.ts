// What one analysis of a capture produced: what the report layer renders (text, JSON, JUnit) and the
// library hands its users. The analysis (analyze.ts) fills it; the report reads it and nothing else.
import type { CaptureInfo } from "./capture/reader.js";
import type { DescriptorLayerResult } from "./devices/descriptorLayer.js";
import type { FindingCollector } from "./usb/findingCollector.js";
import type { ControlTransfer, Speed, Timestamp } from "./usb/model.js";

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
  /** Devices, their descriptors, rule hits and enumeration diagnoses. */
  descriptors: DescriptorLayerResult;
  /** What the sniffer recorded between packets (Cynthion/Packetry custom blocks): counts by event, and the events in order without keepalives. */
  busEvents: { counts: Map<string, number>; list: { index: number; time: Timestamp; event: string }[] };
}
