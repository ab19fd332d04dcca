// The whole analysis: bytes → core → packet checks, transactions and transfers (raw captures) or
// URBs (host captures) → control transfers → descriptors, rules and diagnosis → one result.
// Every layer streams: memory depends on open transfers and kept findings, not on the file size.
import type { AnalysisResult, ControlTransferSummary, RecordAccounting } from "./result.js";
import { fileSource, type ByteSource } from "./capture/source.js";
import { readCapture, type CaptureInfo } from "./capture/reader.js";
import type { Core } from "./core/core.js";
import { FindingCollector } from "./usb/findingCollector.js";
import { CaptureNotes } from "./usb/captureNotes.js";
import { allRules } from "./rules/registry.js";
import type {
  AnalysisContext,
  ControlTransfer,
  EndpointType,
  EndpointTypeLookup,
  RecordBatch,
  RecordSink,
  Timestamp,
} from "./usb/model.js";
import { PacketChecks } from "./packets/packetChecks.js";
import { isAnalysedLinktype, isUsbLinktype, linktypeName } from "./usb/linkTypes.js";
import { LinkType } from "../as/shared/constants.js";
import { TimeFix, TimeFixLog } from "./usb/time.js";
import { pidName } from "./usb/pid.js";
import { BUS_EVENT_NAMES, speedOfBusEvent } from "./packets/busEvents.js";
import { FMT_FRAMING, FMT_LINKTYPE_OTHER, FMT_TIMESTAMP } from "./packets/rules.js";
import { descriptorRules } from "./rules/descriptor/index.js";
import { finding, type Finding } from "./usb/finding.js";
import { DescriptorLayer, type DeviceReport } from "./devices/descriptorLayer.js";
import type { Diagnosis } from "./devices/diagnosis.js";
import type { UsbDevice } from "./devices/device.js";
import { UrbLayer } from "./urb/urbLayer.js";
import type { UrbEvent } from "./urb/urbEvent.js";
import { PacketLayer } from "./transfers/packetLayer.js";
import type { TransferSummary } from "./transfers/transferSummary.js";
import { UsbmonTextParser } from "./urb/usbmonText.js";
import { MonBinStream } from "./urb/monBinStream.js";
import { ClassDecoder } from "./classes/classDecoder.js";

export interface AnalyzeOptions {
  /** Bytes per read (default 4 MiB). */
  chunkSize?: number;
  core?: Core;
  /** Findings kept per rule (all are counted). Default 1000. */
  maxFindingsPerRule?: number;
  /** Live use: called for every finding as it is made. */
  onFinding?(finding: Finding): void;
  /** Live use: called for every control transfer as it completes. */
  onControlTransfer?(transfer: ControlTransfer): void;
  /** Keep the control transfer list for the report (default true; live mode turns it off). */
  keepControlTransfers?: boolean;
  /**
   * How much of each list the result keeps, so memory and the report stay bounded on any capture (all are
   * counted): control transfers (default 10000), devices with their descriptors and diagnosis (default 1000).
   */
  maxListed?: {
    controlTransfers?: number;
    devices?: number;
    massStorageCommands?: number;
    hidReports?: number;
  };
  /** More layers to feed with the same record batches (the viewer's traffic chart), in one pass. */
  sinks?: RecordSink[];
  /**
   * Called once per transfer as it ends: raw captures' control, bulk, interrupt, iso transfers and polling
   * runs; URB captures' URBs of every type (urbTransfers.ts), runs of repeats folded.
   */
  onTransfer?(transfer: TransferSummary): void;
  /** URB captures: called with every URB event (usbmon, USBPcap, usbmon text) as it is read, in capture order. */
  onUrbEvent?(event: UrbEvent): void;
  /** Raw captures: put the payload bytes on transfers and their transactions (`data`), for hex dumps. */
  transferData?: boolean;
  /** URB captures: fold runs of repeated completions into one transfer with a count (default true). */
  foldRepeats?: boolean;
  /**
   * The source is the kernel's binary usbmon device (/dev/usbmonN, live): mon_bin events with no container,
   * in the host's byte order (monBinStream.ts), instead of a file whose format is sniffed.
   */
  usbmonDevice?: { littleEndian: boolean };
  /** Raw captures: called for every bus event the sniffer recorded (Cynthion: bus reset, suspend…; keepalives are only counted), in capture order. */
  onBusEvent?(event: { index: number; time: Timestamp; event: string }): void;
  /**
   * Live use: called once per device as soon as its enumeration is over (SET_CONFIGURATION succeeded, or another
   * device took its address), else at the end; the descriptor rules on it run then (DescriptorLayerOptions).
   */
  onDevice?(report: DeviceReport, diagnosis: Diagnosis, device: UsbDevice): void;
  /** Live use over hours: drop a replaced device once reported (the result then lists only the devices still in place). */
  forgetReplacedDevices?: boolean;
  /**
   * Live use: asked when the input ends; true when the user stopped watching (a signal), so the URBs still in
   * flight are left out instead of being reported as unpaired submissions and failed control transfers.
   */
  stopped?(): boolean;
  /**
   * Keep only the findings this accepts (--filter, --min-severity, --rule): the others are not kept, listed,
   * passed to onFinding or counted by severity (so not in the exit status), only in `findings.filteredOut`.
   */
  findingFilter?(finding: Finding): boolean;
  /** Called once with the time of the first record (before any layer sees it): what relative times count from. */
  onFirstTime?(time: Timestamp): void;
}

/** Endpoint types and sizes: descriptors first, then what a URB capture tool reported. */
class EndpointTypes implements EndpointTypeLookup {
  lookups: EndpointTypeLookup[] = [];
  endpointType(address: number, ep: number, bus?: number): EndpointType | undefined {
    for (const l of this.lookups) {
      const t = l.endpointType(address, ep, bus);
      if (t) return t;
    }
    return undefined;
  }
  maxPacketSize(address: number, ep: number, bus?: number): number | undefined {
    for (const l of this.lookups) {
      const m = l.maxPacketSize?.(address, ep, bus);
      if (m !== undefined) return m;
    }
    return undefined;
  }
  interfaceEndpoints(
    address: number,
    interfaceNumber: number,
    alternateSetting: number,
    bus?: number,
  ): number[] | undefined {
    for (const l of this.lookups) {
      const e = l.interfaceEndpoints?.(address, interfaceNumber, alternateSetting, bus);
      if (e !== undefined) return e;
    }
    return undefined;
  }
}

/** Record time span, kept from the batches without an object per packet. */
class TimeSpan implements RecordSink {
  first?: Timestamp;
  last?: Timestamp;
  constructor(private readonly onFirst?: (t: Timestamp) => void) {}
  onBatch(b: RecordBatch): void {
    if (b.count === 0) return;
    if (!this.first) {
      this.first = { sec: b.tsSec[0]!, nsec: b.tsNsec[0]! };
      this.onFirst?.(this.first);
    }
    this.last = { sec: b.tsSec[b.count - 1]!, nsec: b.tsNsec[b.count - 1]! };
  }
  /** An event outside the batches (usbmon text lines). */
  onEvent(time: Timestamp): void {
    this.first ??= time;
    this.last = time;
  }
  onEnd(): void {}
}

/** Control transfers the result lists by default (AnalyzeOptions.maxListed); `transfers --json` streams them all. */
export const MAX_LISTED_CONTROL_TRANSFERS = 10_000;

export async function analyzeSource(
  source: ByteSource,
  name: string,
  options: AnalyzeOptions = {},
): Promise<AnalysisResult> {
  const findings = new FindingCollector(
    options.maxFindingsPerRule ?? 1000,
    options.onFinding,
    options.findingFilter,
  );
  // The layers write through the capture notes: what the capture tool could not record is said once, at the end.
  const sink = new CaptureNotes(findings, allRules());
  const transfers: ControlTransferSummary[] = [];
  const maxTransfers = options.maxListed?.controlTransfers ?? MAX_LISTED_CONTROL_TRANSFERS;
  let controlTransferCount = 0;
  const endpoints = new EndpointTypes();
  const ctx: AnalysisContext = {
    findings: sink,
    endpoints,
    speed: "unknown",
    nameRequest: (setup, address, bus) => classes.nameRequest(setup, address, bus),
    // A failed transfer's own finding waits for the descriptor rules: one cause, one finding.
    deferControlFailures: true,
    onControlTransfer(ct) {
      controlTransferCount++;
      descriptorLayer.onControlTransfer(ct);
      classes.controlTransfer(ct);
      if (options.keepControlTransfers !== false && transfers.length < maxTransfers)
        transfers.push(toJson(ct));
      options.onControlTransfer?.(ct);
    },
  };
  const packetChecks = new PacketChecks(sink, (s) => (ctx.speed = s));
  const timeFixes = new TimeFixLog();
  // Endpoint types: what descriptors said first, then what the capture tool reported (usbmon).
  const descriptorLayer = new DescriptorLayer(() => ctx.speed, descriptorRules, {
    onDevice: options.onDevice,
    findings: sink,
    forgetReplaced: options.forgetReplacedDevices,
    maxListedDevices: options.maxListed?.devices,
  });
  endpoints.lookups.push(descriptorLayer);
  const classes = new ClassDecoder(descriptorLayer.tracker, {
    findings: sink,
    maxCommands: options.maxListed?.massStorageCommands,
    maxHidReports: options.maxListed?.hidReports,
  });
  const urbOptions = {
    onTransfer: options.onTransfer,
    onUrbEvent: options.onUrbEvent,
    classTransfers: classes,
    foldRepeats: options.foldRepeats,
    descriptors: descriptorLayer,
    timeFixes,
  };
  let urb = new UrbLayer(ctx, { ...urbOptions, littleEndian: true });
  endpoints.lookups.push(urb);
  let firstSeen = false;
  const onFirstTime = (t: Timestamp) => {
    if (!firstSeen) options.onFirstTime?.(t);
    firstSeen = true;
  };
  const span = new TimeSpan(onFirstTime);
  const packetLayer = new PacketLayer(ctx, {
    onTransfer: options.onTransfer,
    classTransfers: classes,
    transferData: options.transferData,
    // LINKTYPE_USB_2_0 does not say the speed; a Cynthion capture's start and speed events do.
    onBusEvent: (event, index, time) => {
      const speed = speedOfBusEvent(event);
      if (speed) packetChecks.sniffedSpeed(speed);
      options.onBusEvent?.({ index, time, event: BUS_EVENT_NAMES[event] });
    },
  });
  const endUrbs = () => {
    if (!options.stopped?.()) urb.onEnd();
  };
  // Through a forwarder, so the layer can be rebuilt for the byte order and its end skipped on a stop.
  // PacketChecks runs first and counts the batch's non-raw records: a batch of raw packets only is not the URB layer's.
  const urbSink: RecordSink = {
    onBatch: (b) => void (packetChecks.batchOtherRecords > 0 && urb.onBatch(b)),
    onEnd: endUrbs,
  };
  const sinks: RecordSink[] = [span, packetChecks, packetLayer, urbSink, ...(options.sinks ?? [])];
  let textParser: UsbmonTextParser | undefined;
  const device = options.usbmonDevice;
  const monBin = device
    ? new MonBinStream((ev) => (onFirstTime(ev.time), urb.onUrbEvent(ev)), {
        findings: sink,
        littleEndian: device.littleEndian,
        keepAllData: urb.keepAllData,
        keepData: urb.keepData,
        timeFixes,
      })
    : undefined;
  const info = await readCapture(source, sinks, {
    usbmonBinary: monBin && {
      push: (chunk) => monBin.push(chunk),
      end() {
        monBin.end();
        endUrbs();
      },
    },
    chunkSize: options.chunkSize,
    core: options.core,
    onFormat(_format, bigEndian) {
      // usbmon headers are in the capturing host's byte order, the file's: rebuild the layer before the first record.
      if (bigEndian) {
        endpoints.lookups = endpoints.lookups.filter((l) => l !== urb);
        urb = new UrbLayer(ctx, { ...urbOptions, littleEndian: false });
        endpoints.lookups.push(urb);
      }
    },
    text: {
      push(chunk) {
        // usbmon text has no record batches: the time span comes from its events.
        textParser ??= new UsbmonTextParser(
          (ev) => {
            onFirstTime(ev.time);
            span.onEvent(ev.time);
            urb.onUrbEvent(ev);
          },
          {
            findings: sink,
            keepAllData: urb.keepAllData,
            keepData: urb.keepData,
            timeFixes,
          },
        );
        textParser.push(chunk);
      },
      end() {
        textParser?.end();
        endUrbs();
      },
    },
  });
  classes.end();
  const descriptors = descriptorLayer.finish(sink);
  if (info.error) {
    findings.add(
      finding(
        FMT_FRAMING,
        `${info.error.message} at byte offset ${info.error.offset}; the ${info.records} records before it were analyzed`,
        { offset: info.error.offset, packet: info.records },
      ),
    );
  }
  // Records of a link type no layer reads beside ones it does: said once per link type, with the count.
  // (A capture of nothing but such records is an input error: the CLI's inputProblem.)
  if (packetChecks.rawPackets + urb.recordCounts.records > 0)
    for (const [lt, n] of packetChecks.linktypeCounts)
      if (!isAnalysedLinktype(lt))
        findings.add(
          finding(
            FMT_LINKTYPE_OTHER,
            `${n} record${n === 1 ? "" : "s"} of link type ${lt} (${linktypeName(lt)}) not analysed: usbscope does not read that link type`,
          ),
        );
  if (info.timeFixes) timeFixes.merge(info.timeFixes);
  if (timeFixes.count > 0) findings.add(timeFixFinding(timeFixes));
  sink.flush();
  const pidCounts = new Map<string, number>();
  for (let p = 0; p < 256; p++) {
    if (packetChecks.pidCounts[p]! === 0) continue;
    // §8.3.1: a byte whose check nibble is not the PID's complement is no PID at all.
    const valid = p >> 4 === (~p & 0x0f);
    pidCounts.set(
      valid ? pidName(p) : `0x${p.toString(16).padStart(2, "0")} (bad PID check)`,
      packetChecks.pidCounts[p]!,
    );
  }
  // USB link types first (a sniffer's log interface can hold more records), then by record count.
  const linktypes = [...packetChecks.linktypeCounts.entries()]
    .sort((a, b) => Number(isUsbLinktype(b[0])) - Number(isUsbLinktype(a[0])) || b[1] - a[1])
    .map(([lt]) => lt);
  return {
    file: name,
    capture: info,
    linktypes,
    speed: packetChecks.speed,
    pidCounts,
    packets: packetChecks.rawPackets,
    transactions: packetLayer.transactionCount,
    controlTransfers: transfers,
    controlTransferCount,
    findings,
    urbEvents: urb.events,
    firstTime: span.first,
    lastTime: span.last,
    descriptors,
    massStorageCommands: classes.commands,
    massStorageCommandCount: classes.commandCount,
    hidReports: classes.hidReports,
    hidReportCount: classes.hidReportCount,
    dfuSessions: classes.dfuSessions,
    dfuSessionCount: classes.dfuSessionCount,
    recordAccounting: accountRecords(info, packetChecks, urb, textParser, monBin),
    busEvents: {
      counts: new Map([...packetLayer.busEventCounts].map(([e, n]) => [BUS_EVENT_NAMES[e], n])),
      list: packetLayer.busEvents.map((e) => ({
        index: e.index,
        time: e.time,
        event: BUS_EVENT_NAMES[e.event],
      })),
    },
  };
}

export async function analyzeFile(path: string, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  const source = await fileSource(path);
  try {
    return await analyzeSource(source, path, options);
  } finally {
    await source.close();
  }
}

/** One finding for all the timestamps a capture's parsers repaired (src/usb/time.ts normalTime, as/framer.ts). */
function timeFixFinding(log: TimeFixLog): Finding {
  const what = [
    log.kinds & TimeFix.CARRIED
      ? "a sub-second field of a second or more (or below zero), carried into the seconds"
      : "",
    log.kinds & TimeFix.CLAMPED ? "a time before year 0000 or after 9999, clamped to that range" : "",
  ]
    .filter(Boolean)
    .join("; ");
  const where = log.offset !== undefined ? ` (byte offset ${log.offset})` : "";
  return finding(
    FMT_TIMESTAMP,
    `${log.count} timestamp${log.count === 1 ? "" : "s"} out of range, the first at record #${log.record}${where}: ${what}`,
    { packet: log.record, offset: log.offset },
  );
}

/**
 * Every record read and what became of it: the core's records per interface, set against what the layers
 * counted (raw packets, URB records, custom blocks), so a record lost on the way shows as a difference.
 */
function accountRecords(
  info: CaptureInfo,
  packets: PacketChecks,
  urb: UrbLayer,
  text: UsbmonTextParser | undefined,
  stream: MonBinStream | undefined,
): RecordAccounting {
  const urbRecords = {
    events: urb.recordCounts.events,
    filler: urb.recordCounts.filler,
    unparsed: urb.recordCounts.unparsed,
  };
  if (info.format === "usbmon-binary" && stream) {
    // /dev/usbmonN: events with no container; a stream out of step is one framing error.
    const broken = stream.broken ? 1 : 0;
    return {
      read: stream.events + broken,
      analysed: stream.events,
      otherLinkTypes: 0,
      framingErrors: broken,
      interfaces: [],
      framingErrorsWithoutInterface: 0,
      customBlocks: 0,
      urbRecords: {
        events: stream.events - stream.filler - stream.unparsed,
        filler: stream.filler,
        unparsed: stream.unparsed,
      },
    };
  }
  if (info.format === "usbmon-text") {
    const events = text?.events ?? 0;
    const malformed = text?.malformed ?? 0;
    return {
      read: events + malformed,
      analysed: urb.events,
      otherLinkTypes: 0,
      framingErrors: malformed,
      interfaces: [],
      framingErrorsWithoutInterface: 0,
      customBlocks: 0,
      urbRecords,
    };
  }
  const errorRecord = info.errorRecord;
  const interfaces = info.interfaceRecords.map((f) => {
    const analysed = isAnalysedLinktype(f.linktype);
    const framingErrors = errorRecord?.interface === f.interface ? 1 : 0;
    return {
      interface: f.interface,
      section: f.section,
      linktype: f.linktype,
      read: f.records + framingErrors,
      analysed: analysed ? f.records : 0,
      otherLinkTypes: analysed ? 0 : f.records,
      framingErrors,
    };
  });
  const customBlocks = packets.linktypeCounts.get(LinkType.PCAPNG_CUSTOM_BLOCK) ?? 0;
  // A sniffer's log lines (usb-sniffer's LINKTYPE 252 interface), read for its bus events.
  const snifferLog = packets.linktypeCounts.get(LinkType.WIRESHARK_UPPER_PDU) ?? 0;
  // What the layers took: every raw packet, every URB record, every custom block and log line.
  const analysed = packets.rawPackets + urb.recordCounts.records + customBlocks + snifferLog;
  let otherLinkTypes = 0;
  for (const [lt, n] of packets.linktypeCounts) if (!isAnalysedLinktype(lt)) otherLinkTypes += n;
  const framingErrors = errorRecord ? 1 : 0;
  return {
    read: info.records + framingErrors,
    analysed,
    otherLinkTypes,
    framingErrors,
    interfaces,
    ...(info.moreInterfaces
      ? {
          moreInterfaces: {
            analysed: info.moreInterfaces.analysed,
            otherLinkTypes: info.moreInterfaces.other,
          },
        }
      : {}),
    framingErrorsWithoutInterface: errorRecord && errorRecord.interface === undefined ? 1 : 0,
    customBlocks,
    urbRecords,
  };
}

function toJson(ct: ControlTransfer): ControlTransferSummary {
  const out: ControlTransferSummary = {
    index: ct.index,
    address: ct.address,
    setup: ct.setup,
    request: ct.request,
    dataLength: ct.data.length,
    status: ct.status,
    firstPacket: ct.firstPacket,
    lastPacket: ct.lastPacket,
  };
  if (ct.bus !== undefined) out.bus = ct.bus;
  if (ct.urbStatus !== undefined) out.urbStatus = ct.urbStatus;
  if (ct.detail !== undefined) out.detail = ct.detail;
  if (ct.class !== undefined) out.class = ct.class;
  return out;
}
