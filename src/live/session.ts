// A live session: the whole analysis (analyzeSource) on a stream that never ends by itself, with the
// settings that keep memory flat over hours (no control transfer list, no kept findings, replaced devices
// dropped) and every device and finding printed as it is made.
import { analyzeSource } from "../analyze.js";
import { LIVE_READ_SIZE, type LiveSource } from "./liveSource.js";
import { deviceEvent, LivePrinter, type LiveSummary } from "../report/liveEvents.js";
import type { CompiledFilter } from "../filter/filter.js";
import { filterWantsDevice } from "../filter/deviceSelection.js";
import type { TextLayout } from "../report/layout.js";
import type { Finding } from "../usb/finding.js";

export interface LiveOptions {
  out(text: string): void;
  json?: boolean;
  /** Width and colour of the text lines (default: no wrap, no colour). */
  layout?: TextLayout;
  /** Only the findings this accepts are made, printed and counted (`--min-severity`, `--rule`). */
  findingFilter?(finding: Finding): boolean;
  /** Wall clock in ms (tests inject one). */
  now?: () => number;
  /**
   * Only the findings it selects, and the devices it names (dev==N, vidpid, --device; all when none). Its
   * facts are learnt as the session goes: a device's VID:PID once its enumeration is reported.
   */
  filter?: CompiledFilter;
}

/** A finding passes when both predicates (each optional) accept it. */
function both(
  a: ((f: Finding) => boolean) | undefined,
  b: ((f: Finding) => boolean) | undefined,
): ((f: Finding) => boolean) | undefined {
  return a && b ? (f) => a(f) && b(f) : (a ?? b);
}

export class LiveSession {
  private reason = "end of input";
  private source: LiveSource | undefined;
  private stopRequested = false;

  constructor(private readonly options: LiveOptions) {}

  /** End the session (SIGINT, SIGTERM): the pending read returns end-of-input and run() resolves with the summary. */
  stop(reason: string): void {
    if (this.stopRequested) return;
    this.stopRequested = true;
    this.reason = reason;
    this.source?.stop();
  }

  /** Watch `source` until it ends or stop() is called; `usbmonDevice` when it is /dev/usbmonN (monBinStream.ts). */
  async run(
    source: LiveSource,
    name: string,
    usbmonDevice?: { littleEndian: boolean },
  ): Promise<LiveSummary> {
    const now = this.options.now ?? Date.now;
    const started = now();
    this.source = source;
    if (this.stopRequested) source.stop();
    const printer = new LivePrinter(this.options.out, this.options.json ?? false, this.options.layout);
    let devices = 0;
    let devicesOk = 0;
    const filter = this.options.filter;
    const r = await analyzeSource(source, name, {
      findingFilter: both(filter?.finding, this.options.findingFilter),
      onFirstTime: (t) => {
        if (filter) filter.env.origin = t;
      },
      chunkSize: LIVE_READ_SIZE,
      usbmonDevice,
      keepControlTransfers: false,
      // Every finding is printed when made (and counted by the collector); none needs keeping.
      maxFindingsPerRule: 0,
      forgetReplacedDevices: true,
      // URBs in flight when a signal stops the session did not fail: the user stopped watching.
      stopped: () => this.stopRequested,
      onFinding: (f) => printer.finding(f),
      onControlTransfer: (ct) => printer.seeTime(ct.start),
      onDevice: (report, diagnosis, device) => {
        filter?.env.facts?.addDevice(device);
        if (filter && !filterWantsDevice(filter, device)) return;
        // A device never enumerated in view and with nothing wrong (a hub polled since before the start) is no news.
        if (!device.enumerationSeen && diagnosis.ok) return;
        devices++;
        if (diagnosis.ok) devicesOk++;
        printer.device(deviceEvent(report, diagnosis, device, this.stopRequested));
      },
    });
    await source.close();
    const c = r.findings.countBySeverity;
    const summary: LiveSummary = {
      type: "summary",
      reason: this.reason,
      durationMs: Math.max(0, now() - started),
      format: r.capture.format,
      bytes: r.capture.bytes,
      records: r.capture.records,
      urbEvents: r.urbEvents,
      controlTransfers: r.controlTransferCount,
      devices,
      devicesOk,
      devicesFailed: devices - devicesOk,
      errors: c.error,
      warnings: c.warning,
      infos: c.info,
      findingsByRule: Object.fromEntries([...r.findings.countByRule.entries()].sort()),
      // DESIGN.md exit codes: 1 when any error finding was made, else 0.
      exitCode: c.error > 0 ? 1 : 0,
    };
    printer.summary(summary);
    return summary;
  }
}
