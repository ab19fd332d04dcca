// Public API of the capture builder: write realistic USB captures and inject faults, for tests and
// the benchmark. Each export is documented where it is defined; the one-liners here say which is which.

/** Reference USB CRC5 (§8.3.5.1) and CRC16 (§8.3.5.2). */
export { crc5, crc16, crc16Fast } from "./crc.js";

/** Raw packet encoders (PID to CRC, as LINKTYPE_USB_2_0 stores them) and the SPLIT field layout. */
export {
  Pid,
  SplitEt,
  data,
  handshake,
  ping,
  setupBytes,
  sof,
  split,
  splitField,
  token,
  type SplitFields,
} from "./packets.js";

/** Output plumbing: chunked buffering in front of a sink, in-memory and file sinks, time inputs. */
export {
  ChunkedOutput,
  DEFAULT_CHUNK_SIZE,
  MemorySink,
  fileSink,
  splitTime,
  type ChunkSink,
  type TimeInput,
} from "./sink.js";

/** Streaming libpcap writer (µs or ns, either byte order, any link type, snaplen). */
export { PCAP_MAGIC_NS, PCAP_MAGIC_US, PcapWriter, type PcapOptions } from "./pcap.js";

/** Streaming pcapng writer: sections in either byte order, IDB with if_tsresol, EPB, SPB, PB, ISB, custom and unknown blocks. */
export {
  BYTE_ORDER_MAGIC,
  BlockType,
  OptionCode,
  PcapngWriter,
  stringOption,
  type InterfaceOptions,
  type PcapngOption,
  type PcapngWriterOptions,
  type SectionOptions,
  type TsResol,
} from "./pcapng.js";

/** A Cynthion bus event (bus reset, suspend, keepalive...) as Packetry stores it in a pcapng custom block. */
export { PACKETRY_PEN, packetryEvent, usbSnifferLog } from "./busEvent.js";

/** Standard descriptor builders (§9.6) with computed lengths and counts. */
export {
  DescriptorType,
  bosDesc,
  concat,
  configuration,
  deviceDescriptor,
  deviceQualifier,
  endpointDesc,
  iadDesc,
  interfaceDesc,
  langIdDesc,
  stringDesc,
  usb2ExtensionCap,
  type ConfigurationFields,
  type DeviceDescriptorFields,
  type EndpointFields,
  type InterfaceFields,
} from "./descriptors.js";

/** The device model and the Linux enumeration sequence shared by the raw and URB builders. */
export {
  encodeSetup,
  enumerationSteps,
  maxPacket0,
  receivedData,
  setupPacket,
  stringResponse,
  type BusSpeed,
  type DeviceModel,
  type EnumStep,
  type EnumerateOptions,
} from "./device.js";

/** Fault injection: one-shot packet faults and per-transfer control faults. */
export { applyPacketFault, type ControlFaults, type PacketFault, type PacketFaultKind } from "./faults.js";

/** Raw bus simulator: clock, SOF schedule, transactions, splits, control/bulk helpers, enumeration. */
export {
  BusSim,
  linktypeForSpeed,
  pcapngInterface,
  splitPackets,
  type BusOptions,
  type HubRoute,
  type RecordWriter,
  type Span,
} from "./bus.js";

/** URB-level host and event model shared by the usbmon, USBPcap and usbmon-text writers. */
export {
  UrbErrno,
  UrbHost,
  XferType,
  usbdStatus,
  type IsoDesc,
  type UrbEvent,
  type UrbHostOptions,
  type UrbSink,
  type UrbSpan,
} from "./urb.js";

/** usbmon binary records in pcap (LINKTYPE 189 / 220). */
export { UsbmonPcapWriter, encodeUsbmon, type UsbmonOptions } from "./usbmon.js";

/** USBPcap records (LINKTYPE 249). */
export { ControlStage, UrbFunction, UsbpcapWriter, encodeUsbpcap, type UsbpcapRecord } from "./usbpcap.js";

/** usbmon 'u' text lines. */
export { TEXT_DATA_MAX, TEXT_ISODESC_MAX, UsbmonTextWriter, usbmonTextLine } from "./usbmonText.js";

/** One-call builders: a scenario in, capture file bytes out. */
export { rawCapture, urbCapture, type RawCaptureOptions, type UrbFormat } from "./capture.js";

/** Container damage for framer tests: find records/blocks and patch their lengths. */
export {
  pcapRecords,
  pcapngBlocks,
  truncate,
  withBlockLength,
  withPcapCaplen,
  withoutBlock,
  type Located,
} from "./malform.js";
