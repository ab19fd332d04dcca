// usbscope's front door: what the CLI (cli/), the viewer (viewer/) and other programs use. Nothing
// outside src/ imports a module behind this file (npm run lint enforces it). The library loads in a
// browser too: Node's modules are imported on first use, inside the functions that need them.

// Analysis: a capture in, one result out (analyze.ts); its result type (result.ts).
export { analyzeFile, analyzeSource, type AnalyzeOptions } from "./analyze.js";
export type { AnalysisResult, ControlTransferSummary } from "./result.js";

// Reading captures: byte sources, the record reader, the WASM core (the viewer fetches the module itself).
export { bufferSource, fileSource, streamSource, type ByteSource } from "./capture/source.js";
export { readCapture, type CaptureInfo, type FramingError } from "./capture/reader.js";
export { createCore, setCoreModule, type Core } from "./core/core.js";

// The model: USB vocabulary, findings and the shapes the layers hand up.
export type {
  ControlStatus,
  ControlTransfer,
  EndpointType,
  RecordBatch,
  RecordSink,
  SetupPacket,
  Speed,
  Timestamp,
} from "./usb/model.js";
export type { DeviceAddr, EndpointAddr, EndpointNum } from "./usb/ids.js";
export type { Finding, RuleInfo, Severity } from "./usb/finding.js";
export type { ClassDecode, ClassFieldValue } from "./usb/classDecode.js";
export { FindingCollector } from "./usb/findingCollector.js";
export { isoTime, msBetween, secondsBetween } from "./usb/time.js";
export { hex, hex2, hex4, hexBytes } from "./usb/bytes.js";
export { linktypeName, READ_LINKTYPES } from "./usb/linkTypes.js";
export { PacketStatus, Pid } from "../as/shared/constants.js";
export type {
  IsoFrame,
  RepeatRun,
  TransferSummary,
  TransactionSummary,
  TransferKind,
  UrbTransferInfo,
} from "./transfers/transferSummary.js";
export type { UrbEvent } from "./urb/urbEvent.js";
export type { DescriptorLayerResult, DeviceReport } from "./devices/descriptorLayer.js";
export type { Diagnosis, Evidence } from "./devices/diagnosis.js";
export type { UsbDevice } from "./devices/device.js";

// The rules: every rule usbscope checks.
export { allRules, type RegisteredRule } from "./rules/registry.js";
export { SOURCE_TAGS, sourceTagOf, type SourceTag } from "./rules/sources.js";

// Expectations and verification: what a product looks like, a capture checked against it, two compared.
export {
  ExpectationError,
  expectationOf,
  expectationText,
  parseExpectation,
  SCHEMA_VERSION,
  type Expectation,
  type Tolerances,
} from "./verify/expectation.js";
export { CHECKS, verifyCapture, type CheckResult, type Verdict, type VerifyOptions } from "./verify/check.js";
export { compareProducts, differenceText, type Difference } from "./verify/compare.js";
export { productOf, type Product } from "./verify/product.js";
export { vidPidText, type DeviceChoice } from "./verify/select.js";
export { fnv1a, inShard, parseShard, type Shard } from "./verify/shard.js";
export { diffInputs, type DiffInput, type DiffResult } from "./verify/diff.js";

// Reports: text, JSON, JUnit, the descriptor tree, the transfer tree, packet lines; device strings made safe.
export { analysisText, findingLine, type TextOptions } from "./report/text.js";
export { dfuSessionsSection } from "./report/dfuSessionLines.js";
export { wrap, type TextLayout } from "./report/layout.js";
export { groupFindings, rankFindings, type FindingGroup } from "./report/findingGroups.js";
export { analysisJson } from "./report/json.js";
export { jsonText } from "./report/jsonText.js";
export { findingJson, type FindingJson } from "./report/findingJson.js";
export { junitXml, escapeXml, type JunitCase } from "./report/junit.js";
export { verdictDetails, verdictJson, verdictLine } from "./report/verdict.js";
export { diffJson, diffText } from "./report/diffText.js";
export { renderDevice, type RenderNote } from "./report/descriptorTree.js";
export { descriptorsDocument, descriptorsJson, deviceJson } from "./report/deviceJson.js";
export {
  busEventJson,
  busEventText,
  renderTransfer,
  renderTree,
  transferJson,
  type BusEventItem,
  type BytesOptions,
} from "./report/transferTree.js";
export { PacketLines, type PacketLinesOptions } from "./report/packetLines.js";
export { DEFAULT_MAX_BYTES, hexDump, hexString } from "./report/hexDump.js";
export { escapeHtml, sanitizeLines, sanitizeTerminal } from "./report/sanitize.js";
export { deviceDiagnosisLines, diagnosisLines } from "./report/diagnosis.js";

// The viewer's model: records and transfers in columns, the traffic tree, the timeline's buckets.
export { RecordColumns, NO_ENDPOINT, endpointKey, endpointKeyText } from "./report/recordColumns.js";
export { TransferColumns, TRANSFER_KINDS } from "./report/transferColumns.js";
export {
  ViewModel,
  findingBytes,
  TOP_TRANSFER,
  TOP_SOF_RUN,
  TOP_OTHER_RUN,
  TOP_BUS_EVENT,
  type RowDetails,
  type TreeRow,
} from "./report/viewModel.js";
export {
  busiestEndpoints,
  recordAt,
  trafficWindow,
  MAX_ENDPOINT_SERIES,
  type HistogramSeries,
  type TrafficWindow,
} from "./report/trafficHistogram.js";
export { UrbTimeline } from "./report/urbTimeline.js";
export { pidName } from "./usb/pid.js";

// Filters: one language for packets, URB events, transfers and findings (README "Filters").
export {
  checkFilter,
  compileExpression,
  compileFilterOptions,
  type CompiledFilter,
  type FilterOptions,
} from "./filter/filter.js";
export { FilterError } from "./filter/filterError.js";
export { FIELDS, filterHelp, type FieldSpec } from "./filter/fields.js";
export { CaptureFacts } from "./filter/facts.js";
export { PacketSelector, PacketCursor, type SelectedRecords } from "./filter/packetSelector.js";
export { filterWantsDevice, selectDevices } from "./filter/deviceSelection.js";
export { gatherFacts } from "./facts.js";

// Export: the records a filter selects as pcapng, findings as comments.
export {
  exportCapture,
  ExportError,
  findingComment,
  type ExportOptions,
  type ExportResult,
} from "./exportCapture.js";
export { PcapngWriter } from "./capture/pcapngWriter.js";

// Live: tailing usbmon (Linux).
export { LiveSession, type LiveOptions } from "./live/session.js";
export { UsbmonPcapngSaver } from "./live/usbmonSave.js";
export {
  liveFileSource,
  liveStreamSource,
  nodeOpen,
  type LiveSource,
  type OpenFile,
} from "./live/liveSource.js";
export {
  describeUsbmonError,
  hostLittleEndian,
  nodeUsbmonFs,
  textFallbackNote,
  USBMON_DEV_DIR,
  USBMON_DIR,
  usbmonDevice,
  usbmonDeviceProblem,
  usbmonFile,
  type UsbmonFs,
} from "./live/usbmon.js";
