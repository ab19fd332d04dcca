// The descriptor layer: owns a DeviceTracker, takes control transfers in order, and at the end runs the
// descriptor rules once per device and the enumeration diagnosis. Live use (an onDevice listener) also runs
// them as soon as a device's enumeration is over; finish() then adds only the findings not made before.
//
// Memory is bounded by the devices open, not by the capture: at most MAX_OPEN_DEVICES devices (and
// OPEN_DEVICE_BYTES of their kept transfers and descriptors) are held; past either, the least recently active
// device is settled early (its rules and diagnosis run then, as they would at the end) and dropped. The first
// `maxListedDevices` devices are listed in the result (a settled one kept without its transfer lists); the
// others are checked and counted.
import type { ControlTransfer, EndpointType, EndpointTypeLookup, Speed } from "../usb/model.js";
import type { Finding, FindingSink } from "../usb/finding.js";
import { DeviceTracker } from "./tracker.js";
import type { UsbDevice } from "./device.js";
import { guessSpeed } from "./speed.js";
import { enumerationTimeline, type EnumerationStep } from "./timeline.js";
import { diagnose, type Diagnosis } from "./diagnosis.js";
import type { DescriptorRule, RuleHit } from "./descriptorRule.js";
import { Request, STANDARD_DEVICE_OUT } from "../usb/requests.js";

export interface DeviceReport {
  address: number;
  addresses: number[];
  bus?: number;
  speed: Speed;
  speedReason: string;
  state: UsbDevice["state"];
  configuration: number;
  timeline: EnumerationStep[];
}

export interface DescriptorLayerResult {
  /** One report per listed device, in order of first appearance (the JSON contract's devices[], with `tracked[i]`'s descriptors). */
  devices: DeviceReport[];
  /** Devices seen past the listed ones (DescriptorLayerOptions.maxListedDevices): checked, counted, not listed. */
  notListed: number;
  /** One diagnosis per device, same order. */
  diagnoses: Diagnosis[];
  /** Every finding with where it points in the descriptor tree, all devices together. */
  hits: RuleHit[];
  /** The tracked devices, same order, for rendering. */
  tracked: UsbDevice[];
  /** The hits of each tracked device (same order as `tracked`): pass these to renderDevice. */
  hitsByDevice: RuleHit[][];
}

export interface DescriptorLayerOptions {
  /**
   * Live use: called once per device, as soon as its enumeration is over (a successful SET_CONFIGURATION
   * with a non-zero value, USB 2.0 §9.4.7; another device taking its bus and address; or, not configured,
   * another enumeration starting on its bus), else at finish().
   * The rules run then, their findings going to `findings`.
   */
  onDevice?(report: DeviceReport, diagnosis: Diagnosis, device: UsbDevice): void;
  /** Where findings of the rules run before finish() go. */
  findings?: FindingSink;
  /**
   * Live use over hours: once a replaced device is reported, drop it, so memory follows the devices
   * attached, not the enumerations seen. finish() then lists only the devices still in place.
   */
  forgetReplaced?: boolean;
  /** Devices listed in the result, in order of first appearance (default 1000); later ones are checked and counted. */
  maxListedDevices?: number;
}

/** Devices held at once; past it the least recently active is settled and dropped (no real bus has this many). */
export const MAX_OPEN_DEVICES = 512;
/** Bytes (tracker.ts transferWeight) the open devices may hold together; past it, the same. */
export const OPEN_DEVICE_BYTES = 32 << 20;
/** Failed transfers held per device until its rules run (holdFailure); past it they are reported at once. */
export const MAX_HELD_FAILURES = 4096;
/** Default of DescriptorLayerOptions.maxListedDevices. */
export const MAX_LISTED_DEVICES = 1000;

/** A listed device settled before finish(): what the result shows of it. */
interface Settled {
  device: UsbDevice;
  report: DeviceReport;
  diagnosis: Diagnosis;
  hits: RuleHit[];
}

/**
 * Record indices of `d`'s transfers whose data the capture cut (usbmon text keeps 32 bytes): a descriptor
 * rule would read the cut as a firmware fault, so hits pointing there are dropped. Rules see only what the
 * device keeps, so these are the only transfers a hit can point at.
 */
function cutTransfers(d: UsbDevice): Set<number> {
  const cut = new Set<number>();
  const note = (ct: ControlTransfer) => void (ct.dataTruncated && cut.add(ct.firstPacket));
  for (const ct of d.transfers) note(ct);
  for (const r of d.reads) note(r.transfer);
  for (const h of d.deviceReads) note(h.transfer);
  for (const held of [d.device, d.qualifier, d.bos]) if (held) note(held.transfer);
  for (const m of [d.configurations, d.otherSpeed, d.strings, d.hidReports])
    for (const h of m.values()) note(h.transfer);
  return cut;
}

/** The control transfers (ControlTransfer.index) `hits` explain: those they point at and those they list. */
function explainedBy(hits: readonly RuleHit[]): Set<number> {
  const out = new Set<number>();
  for (const h of hits) {
    if (h.finding.transfer !== undefined) out.add(h.finding.transfer);
    for (const i of h.explains ?? []) out.add(i);
  }
  return out;
}

function hitKey(f: Finding): string {
  return `${f.rule}|${f.packet ?? ""}|${f.offset ?? ""}|${f.message}`;
}

export class DescriptorLayer implements EndpointTypeLookup {
  readonly tracker = new DeviceTracker();
  private result: DescriptorLayerResult | undefined;
  /** Devices not settled yet, least recently active first (Map keeps insertion order; activity re-inserts). */
  private readonly open = new Map<UsbDevice, true>();
  private lastActive: UsbDevice | undefined;
  /** Listed devices settled early (evicted), by id. */
  private readonly settledListed = new Map<number, Settled>();
  private notListed = 0;
  private readonly maxListed: number;

  constructor(
    /** Speed from the link type ("unknown" makes the rules use each device's own clues), or a function reading it when the link type is learnt while streaming. */
    private readonly linkSpeed: Speed | (() => Speed) = "unknown",
    /** The descriptor rules to run on each device (the analysis hands in src/rules/descriptor). */
    private readonly rules: readonly DescriptorRule[],
    private readonly options: DescriptorLayerOptions = {},
  ) {
    this.maxListed = options.maxListedDevices ?? MAX_LISTED_DEVICES;
  }

  /** Live use: the keys of the hits already sent to a sink, per device checked before finish(). */
  private readonly emitted = new Map<UsbDevice, Set<string>>();
  private readonly announced = new Set<UsbDevice>();
  /** Live use: devices whose enumeration was seen and that are not reported yet. */
  private readonly enumerating = new Set<UsbDevice>();
  /** Failed transfers whose own finding (ControlTransfer.failure) waits for the device's rules, per device. */
  private readonly failures = new Map<UsbDevice, ControlTransfer[]>();

  onControlTransfer(ct: ControlTransfer): void {
    if (this.result) {
      if (ct.failure) this.options.findings?.add(ct.failure);
      return;
    }
    if (!this.options.onDevice) {
      const d = this.tracker.onControlTransfer(ct);
      this.holdFailure(d, ct);
      this.active(d);
      return;
    }
    // Devices at the request's address and, for SET_ADDRESS, at the new address: one may be replaced.
    const s = ct.setup;
    const at = this.tracker.deviceAt(ct.address, ct.bus);
    const target =
      s.bmRequestType === STANDARD_DEVICE_OUT && s.bRequest === Request.SET_ADDRESS
        ? this.tracker.deviceAt(s.wValue & 0x7f, ct.bus)
        : undefined;
    const known = this.tracker.created;
    const d = this.tracker.onControlTransfer(ct);
    this.holdFailure(d, ct);
    this.active(d);
    if (this.tracker.created > known && d.enumerationSeen) {
      // Linux enumerates one device at a time per bus (hub.c hub_port_init holds hcd->address0_mutex): a new
      // enumeration means every earlier one on the bus is over, configured or not (a failed attempt keeps its
      // address, so nothing replaces it).
      for (const e of this.enumerating)
        if (e.bus === d.bus && e.state !== "configured") this.settle(e, false);
      this.enumerating.add(d);
    }
    for (const old of [at, target]) {
      if (old && old !== d && this.tracker.deviceAt(old.address, old.bus) !== old) this.settle(old, true);
    }
    if (
      s.bmRequestType === STANDARD_DEVICE_OUT &&
      s.bRequest === Request.SET_CONFIGURATION &&
      ct.status === "ok" &&
      (s.wValue & 0xff) !== 0
    )
      this.settle(d, false);
  }

  /**
   * One cause, one finding: a failed transfer's own finding (CTRL_STALL, CTRL_INCOMPLETE, URB_ERROR) waits for
   * `d`'s rules; when one of their findings explains the transfer (a failed enumeration request), that finding
   * alone reports it, with the status. A device already reported (live) has its later failures reported at once,
   * as does one holding MAX_HELD_FAILURES of them (bounded memory).
   */
  private holdFailure(d: UsbDevice, ct: ControlTransfer): void {
    if (!ct.failure) return;
    const held = this.failures.get(d) ?? [];
    if (this.announced.has(d) || held.length >= MAX_HELD_FAILURES) {
      this.options.findings?.add(ct.failure);
      return;
    }
    held.push(ct);
    this.failures.set(d, held);
  }

  /** Report `d`'s held failures that none of `hits` explains; the others are told by the hits. */
  private flushFailures(d: UsbDevice, hits: RuleHit[], sink: FindingSink | undefined): void {
    const held = this.failures.get(d);
    if (!held) return;
    this.failures.delete(d);
    const explained = explainedBy(hits);
    for (const ct of held) if (!explained.has(ct.index)) sink?.add(ct.failure!);
  }

  /** `d` just took a transfer: it is the most recently active; then keep the open devices within their bounds. */
  private active(d: UsbDevice): void {
    if (this.lastActive !== d) {
      this.open.delete(d);
      this.open.set(d, true);
      this.lastActive = d;
    }
    while (this.open.size > MAX_OPEN_DEVICES || this.tracker.weight > OPEN_DEVICE_BYTES) {
      const oldest = this.open.keys().next().value as UsbDevice;
      if (oldest === d) break;
      this.evict(oldest);
    }
  }

  /** Settle `d` before the end (too many devices open): as settle(), and always dropped; listed ones are kept slim. */
  private evict(d: UsbDevice): void {
    if (this.options.onDevice) {
      this.settle(d, true, true);
      return;
    }
    const speed = this.speedNow();
    const hits = this.check(d, speed, this.options.findings);
    if (d.id < this.maxListed) {
      const report = this.reportOf(d, speed);
      const diagnosis = diagnose(d, report.speed, hits);
      this.tracker.slim(d);
      this.settledListed.set(d.id, { device: d, report, diagnosis, hits });
    } else this.notListed++;
    this.drop(d);
  }

  /** Forget `d`: the tracker and this layer drop it. */
  private drop(d: UsbDevice): void {
    if (!this.tracker.holds(d)) return;
    this.tracker.forget(d);
    this.open.delete(d);
    if (this.lastActive === d) this.lastActive = undefined;
    this.emitted.delete(d);
    this.announced.delete(d);
    this.enumerating.delete(d);
    this.failures.delete(d);
  }

  /** Run the rules on `d` now (new findings only), announce it once, and drop it if it was replaced (or `evicted`). */
  private settle(d: UsbDevice, replaced: boolean, evicted = false): void {
    if (this.result || !this.tracker.holds(d)) return;
    const speed = this.speedNow();
    const hits = this.check(d, speed, this.options.findings);
    if (!this.announced.has(d)) {
      this.announced.add(d);
      this.enumerating.delete(d);
      this.options.onDevice?.(this.reportOf(d, speed), diagnose(d, guessSpeed(d, speed).speed, hits), d);
    }
    if (evicted || (replaced && this.options.forgetReplaced)) this.drop(d);
  }

  /**
   * All hits of the rules on `d` now; those not sent before go to `sink`. Without earlier checks of `d` this is
   * exactly one pass of the rules (what finish() always did).
   */
  private check(d: UsbDevice, speed: Speed, sink: FindingSink | undefined): RuleHit[] {
    const guess = guessSpeed(d, speed);
    const ctx = { device: d, speed: guess.speed, linkSpeed: speed };
    const before = this.emitted.get(d);
    const all: RuleHit[] = [];
    const cut = cutTransfers(d);
    const outcomes: RuleHit[] = [];
    for (const rule of this.rules) {
      for (const h of rule.check(ctx)) {
        if (h.finding.packet !== undefined && cut.has(h.finding.packet)) continue;
        (rule.outcome ? outcomes : all).push(h);
      }
    }
    // One cause, one finding: what became of the enumeration is said only when no other rule explains the
    // failed requests it rests on.
    const told = explainedBy(all);
    for (const h of outcomes) if ([...explainedBy([h])].some((i) => !told.has(i))) all.push(h);
    for (const h of all) if (!before?.has(hitKey(h.finding))) sink?.add(h.finding);
    this.flushFailures(d, all, sink ?? this.options.findings);
    if (this.options.onDevice) {
      const keys = before ?? new Set<string>();
      for (const h of all) keys.add(hitKey(h.finding));
      this.emitted.set(d, keys);
    }
    return all;
  }

  private speedNow(): Speed {
    return typeof this.linkSpeed === "function" ? this.linkSpeed() : this.linkSpeed;
  }

  private reportOf(d: UsbDevice, speed: Speed): DeviceReport {
    const guess = guessSpeed(d, speed);
    return {
      address: d.address,
      addresses: [...d.addresses],
      bus: d.bus,
      speed: guess.speed,
      speedReason: guess.reason,
      state: d.state,
      configuration: d.configuration,
      timeline: enumerationTimeline(d),
    };
  }

  endpointType(address: number, endpointAddress: number, bus?: number): EndpointType | undefined {
    return this.tracker.endpointType(address, endpointAddress, bus);
  }

  maxPacketSize(address: number, endpointAddress: number, bus?: number): number | undefined {
    return this.tracker.maxPacketSize(address, endpointAddress, bus);
  }

  interfaceEndpoints(
    address: number,
    interfaceNumber: number,
    alternateSetting: number,
    bus?: number,
  ): number[] | undefined {
    return this.tracker.interfaceEndpoints(address, interfaceNumber, alternateSetting, bus);
  }

  /**
   * Run the rules and the diagnosis once; findings go to `sink` the first time only, so calling finish() again
   * returns the same result without duplicating findings.
   */
  finish(sink?: FindingSink): DescriptorLayerResult {
    if (this.result) return this.result;
    const devices: DeviceReport[] = [];
    const diagnoses: Diagnosis[] = [];
    const hits: RuleHit[] = [];
    const hitsByDevice: RuleHit[][] = [];
    const speed = this.speedNow();
    const tracked: UsbDevice[] = [];
    let notListed = this.notListed;
    const list = (d: UsbDevice, report: DeviceReport, diagnosis: Diagnosis, mine: RuleHit[]) => {
      tracked.push(d);
      hitsByDevice.push(mine);
      for (const h of mine) hits.push(h);
      devices.push(report);
      diagnoses.push(diagnosis);
    };
    // Held devices and listed ones settled early, in order of first appearance (ids).
    const held = this.tracker.devices;
    const settled = [...this.settledListed.values()].sort((a, b) => a.device.id - b.device.id);
    let k = 0;
    for (const d of held) {
      for (; k < settled.length && settled[k]!.device.id < d.id; k++) {
        const e = settled[k]!;
        list(e.device, e.report, e.diagnosis, e.hits);
      }
      const mine = this.check(d, speed, sink);
      const listed = d.id < this.maxListed;
      if (!listed) notListed++;
      if (!listed && !(this.options.onDevice && !this.announced.has(d))) continue;
      const report = this.reportOf(d, speed);
      const diagnosis = diagnose(d, report.speed, mine);
      if (listed) list(d, report, diagnosis, mine);
      if (this.options.onDevice && !this.announced.has(d)) {
        this.announced.add(d);
        this.options.onDevice(report, diagnosis, d);
      }
    }
    for (; k < settled.length; k++) {
      const e = settled[k]!;
      list(e.device, e.report, e.diagnosis, e.hits);
    }
    this.settledListed.clear();
    this.result = { devices, notListed, diagnoses, hits, tracked, hitsByDevice };
    return this.result;
  }
}
