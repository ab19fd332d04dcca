// What `usbscope live` prints: one event per device enumeration and per finding as they happen, and a summary
// at the end; as text lines for a terminal or as NDJSON (one JSON object per line, "type" first).
import type { DeviceReport } from "../devices/descriptorLayer.js";
import type { Diagnosis } from "../devices/diagnosis.js";
import type { UsbDevice } from "../devices/device.js";
import { hex4 } from "../usb/bytes.js";
import { msBetween } from "../usb/time.js";
import { sanitizeTerminal } from "./sanitize.js";
import type { Timestamp } from "../usb/model.js";
import type { Finding } from "../usb/finding.js";
import { findingJson } from "./findingJson.js";
import { findingLine } from "./text.js";
import { jsonText } from "./jsonText.js";
import type { TextLayout } from "./layout.js";

/** One enumeration as live prints it. */
export interface DeviceEvent {
  type: "device";
  bus?: number;
  address: number;
  /** Every address the device used (0 first when its enumeration was seen). */
  addresses: number[];
  idVendor?: number;
  idProduct?: number;
  /** iProduct's string, as the device sent it (JSON escapes it; text output sanitizes it). */
  product?: string;
  speed: string;
  reached: Diagnosis["reached"];
  /** The step the enumeration stopped at, or "configured". */
  stage: string;
  /** Standard requests seen and the time from the first to the last (capture clock). */
  requests: number;
  ms?: number;
  ok: boolean;
  verdict: string;
  /** Whether the enumeration itself was captured (false: the device was already there). */
  enumerationSeen: boolean;
  /** Reported because the session stopped while the device was still short of configured. */
  atStop?: true;
}

export function deviceEvent(
  report: DeviceReport,
  diagnosis: Diagnosis,
  device: UsbDevice,
  atStop = false,
): DeviceEvent {
  const dd = device.device?.descriptor;
  const steps = report.timeline;
  const ev: DeviceEvent = {
    type: "device",
    bus: report.bus,
    address: report.address,
    addresses: report.addresses,
  } as DeviceEvent;
  if (ev.bus === undefined) delete ev.bus;
  if (dd && dd.length >= 12) {
    ev.idVendor = dd.idVendor;
    ev.idProduct = dd.idProduct;
  }
  if (dd && dd.length >= 16 && dd.iProduct) {
    const text = device.strings.get(dd.iProduct)?.descriptor.text;
    if (text !== undefined) ev.product = text;
  }
  ev.speed = report.speed;
  ev.reached = diagnosis.reached;
  ev.stage = diagnosis.stage;
  ev.requests = steps.length;
  if (steps.length > 1)
    ev.ms = Math.round(msBetween(steps[0]!.time, steps[steps.length - 1]!.time) * 1000) / 1000;
  ev.ok = diagnosis.ok;
  ev.verdict = diagnosis.verdict;
  ev.enumerationSeen = device.enumerationSeen;
  if (atStop && diagnosis.reached !== "configured") ev.atStop = true;
  return ev;
}

/** `device  bus 1 dev 5  1d50:6018 "Black Magic Probe"  full speed  configured in 23.4 ms (12 requests)`, then the verdict when not ok. */
export function deviceText(ev: DeviceEvent): string {
  const where = `${ev.bus !== undefined ? `bus ${ev.bus} ` : ""}dev ${ev.address}`;
  const id = ev.idVendor !== undefined ? `  ${hex4(ev.idVendor)}:${hex4(ev.idProduct!)}` : "  ????:????";
  const product = ev.product !== undefined ? ` "${sanitizeTerminal(ev.product)}"` : "";
  const took = ev.ms !== undefined ? ` in ${ev.ms.toFixed(1)} ms` : "";
  const head = `  ${ev.ok ? "device " : "FAIL   "} ${where}${id}${product}  ${ev.speed === "unknown" ? "speed unknown" : `${ev.speed} speed`}  ${ev.reached}${ev.atStop ? " when stopped" : ""}${took} (${ev.requests} request${ev.requests === 1 ? "" : "s"})`;
  return ev.ok ? head : `${head}\n           ${sanitizeTerminal(ev.verdict)}`;
}

/** Totals at the end of a live session. */
export interface LiveSummary {
  type: "summary";
  /** Why it ended: a signal name, or "end of input". */
  reason: string;
  durationMs: number;
  format: string;
  bytes: number;
  /** pcap/pcapng records (0 for usbmon text). */
  records: number;
  urbEvents: number;
  controlTransfers: number;
  /** Enumerations reported (device events), and how many of them were ok. */
  devices: number;
  devicesOk: number;
  devicesFailed: number;
  errors: number;
  warnings: number;
  infos: number;
  findingsByRule: Record<string, number>;
  exitCode: number;
}

export function summaryText(s: LiveSummary): string {
  const rules = Object.entries(s.findingsByRule);
  const out = [
    `usbscope live: stopped (${s.reason}) after ${(s.durationMs / 1000).toFixed(1)} s`,
    `  format        ${s.format}, ${s.bytes} bytes`,
    `  URB events    ${s.urbEvents}`,
  ];
  if (s.records > 0) out.push(`  records       ${s.records}`);
  out.push(
    `  control       ${s.controlTransfers} transfers`,
    `  devices       ${s.devices} seen, ${s.devicesOk} ok, ${s.devicesFailed} failed`,
    `  findings      ${s.errors} error${s.errors === 1 ? "" : "s"}, ${s.warnings} warning${s.warnings === 1 ? "" : "s"}, ${s.infos} info`,
  );
  if (rules.length) out.push(`  by rule       ${rules.map(([r, n]) => `${r} ${n}`).join(", ")}`);
  return out.join("\n") + "\n";
}

/** Where live events go: text lines or NDJSON. */
export class LivePrinter {
  /** Time origin for "+s" offsets: the first time the capture shows. */
  origin: Timestamp | undefined;

  constructor(
    private readonly out: (text: string) => void,
    private readonly json: boolean,
    private readonly layout: TextLayout = {},
  ) {}

  seeTime(t: Timestamp | undefined): void {
    if (!this.origin && t) this.origin = t;
  }

  device(ev: DeviceEvent): void {
    this.out(this.json ? jsonText(ev) + "\n" : deviceText(ev) + "\n");
  }

  finding(f: Finding): void {
    this.seeTime(f.time);
    this.out(
      this.json
        ? jsonText({ type: "finding", ...findingJson(f) }) + "\n"
        : findingLine(f, { firstTime: this.origin }, this.layout) + "\n",
    );
  }

  summary(s: LiveSummary): void {
    this.out(this.json ? jsonText(s) + "\n" : summaryText(s));
  }
}
