// The JSON document of DESIGN.md "The JSON contract".
import type { AnalysisResult } from "../result.js";
import { isoTime } from "../usb/time.js";
import { deviceJson } from "./deviceJson.js";
import { findingJson } from "./findingJson.js";

import { BUS_EVENT_NAMES, BusEvent, isQuietBusEvent } from "../packets/busEvents.js";

/** The bus events counted but never listed (keepalives, folded frames, chirp bits), by name. */
const QUIET = new Set(
  (Object.keys(BUS_EVENT_NAMES).map(Number) as BusEvent[])
    .filter((e) => isQuietBusEvent(e))
    .map((e) => BUS_EVENT_NAMES[e]),
);

export function analysisJson(r: AnalysisResult): Record<string, unknown> {
  const c = r.findings.countBySeverity;
  const doc: Record<string, unknown> = {
    file: r.file,
    format: r.capture.format,
    linktype: r.linktypes[0] ?? null,
    linktypes: r.linktypes,
    speed: r.speed,
    records: r.capture.format === "usbmon-text" ? r.urbEvents : r.capture.records,
    summary: {
      errors: c.error,
      warnings: c.warning,
      infos: c.info,
      packets: r.packets,
      transactions: r.transactions,
      controlTransfers: r.controlTransferCount,
      urbEvents: r.urbEvents,
      pids: Object.fromEntries(r.pidCounts),
      findingsByRule: Object.fromEntries([...r.findings.countByRule.entries()].sort()),
      recordAccounting: r.recordAccounting,
    },
    devices: r.descriptors.devices.map((d, i) => deviceJson(d, r.descriptors.tracked[i]!)),
    diagnoses: r.descriptors.diagnoses,
    controlTransfers: r.controlTransfers,
    findings: r.findings.sorted().map(findingJson),
  };
  if (r.busEvents.counts.size) {
    const listable = [...r.busEvents.counts].reduce((n, [e, c]) => n + (QUIET.has(e) ? 0 : c), 0);
    doc.busEvents = {
      counts: Object.fromEntries(r.busEvents.counts),
      events: r.busEvents.list.map((e) => ({ index: e.index, time: isoTime(e.time), event: e.event })),
      ...(listable > r.busEvents.list.length ? { eventsNotListed: listable - r.busEvents.list.length } : {}),
    };
  }
  // Every list is capped so the document stays small at any capture size: the count of the rest is stated.
  if (r.descriptors.notListed > 0) doc.devicesNotListed = r.descriptors.notListed;
  const transfersNotListed = r.controlTransferCount - r.controlTransfers.length;
  if (transfersNotListed > 0) doc.controlTransfersNotListed = transfersNotListed;
  if (r.massStorageCommandCount > 0) {
    doc.massStorageCommands = r.massStorageCommands.map(({ start, ...c }) =>
      start !== undefined ? { ...c, start: isoTime(start) } : c,
    );
    const notListed = r.massStorageCommandCount - r.massStorageCommands.length;
    if (notListed > 0) doc.massStorageCommandsNotListed = notListed;
  }
  if (r.hidReportCount > 0) {
    doc.hidReports = r.hidReports;
    const notListed = r.hidReportCount - r.hidReports.length;
    if (notListed > 0) doc.hidReportsNotListed = notListed;
  }
  if (r.dfuSessionCount > 0) {
    doc.dfuSessions = r.dfuSessions.map(({ start, ...s }) =>
      start !== undefined ? { ...s, start: isoTime(start) } : s,
    );
    const notListed = r.dfuSessionCount - r.dfuSessions.length;
    if (notListed > 0) doc.dfuSessionsNotListed = notListed;
  }
  if (r.capture.error) doc.framingError = r.capture.error;
  const dropped = [...r.findings.dropped.entries()];
  if (dropped.length) doc.findingsNotListed = Object.fromEntries(dropped);
  return doc;
}
