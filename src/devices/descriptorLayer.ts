// The descriptor layer: owns a DeviceTracker, takes control transfers in order, and at the end runs the
// descriptor rules once per device and the enumeration diagnosis.
import type { ControlTransfer, EndpointType, EndpointTypeLookup, FindingSink, Speed } from "../model.js";
import { DeviceTracker } from "./tracker.js";
import type { UsbDevice } from "./device.js";
import { guessSpeed } from "./speed.js";
import { enumerationTimeline, type EnumerationStep } from "./timeline.js";
import { diagnose, type Diagnosis } from "./diagnosis.js";
import { descriptorRules, type DescriptorRule, type RuleHit } from "../rules/descriptor/index.js";
import { descriptorsJson, type Json } from "../descriptors/json.js";

export interface DeviceReport {
  address: number;
  addresses: number[];
  bus?: number;
  speed: Speed;
  speedReason: string;
  state: UsbDevice["state"];
  configuration: number;
  descriptors: { [k: string]: Json };
  timeline: EnumerationStep[];
}

export interface DescriptorLayerResult {
  /** One report per device, in order of first appearance (DESIGN.md devices[]). */
  devices: DeviceReport[];
  /** One diagnosis per device, same order. */
  diagnoses: Diagnosis[];
  /** Every finding with where it points in the descriptor tree, all devices together. */
  hits: RuleHit[];
  /** The tracked devices, same order, for rendering. */
  tracked: UsbDevice[];
  /** The hits of each tracked device (same order as `tracked`): pass these to renderDevice. */
  hitsByDevice: RuleHit[][];
}

export class DescriptorLayer implements EndpointTypeLookup {
  readonly tracker = new DeviceTracker();
  private result: DescriptorLayerResult | undefined;
  /**
   * Record indices of transfers whose data the capture cut (usbmon text keeps 32 bytes): a
   * descriptor rule would read the cut as a firmware fault, so hits pointing there are dropped.
   */
  private readonly cutTransfers = new Set<number>();

  constructor(
    /** Speed from the link type; "unknown" makes the rules use each device's own clues. */
    /** Speed from the link type, or a function reading it when the link type is learnt while streaming. */
    private readonly linkSpeed: Speed | (() => Speed) = "unknown",
    private readonly rules: readonly DescriptorRule[] = descriptorRules,
  ) {}

  onControlTransfer(ct: ControlTransfer): void {
    if (ct.dataTruncated) this.cutTransfers.add(ct.firstPacket);
    this.tracker.onControlTransfer(ct);
  }

  endpointType(address: number, endpointAddress: number, bus?: number): EndpointType | undefined {
    return this.tracker.endpointType(address, endpointAddress, bus);
  }

  maxPacketSize(address: number, endpointAddress: number, bus?: number): number | undefined {
    return this.tracker.maxPacketSize(address, endpointAddress, bus);
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
    const speed = typeof this.linkSpeed === "function" ? this.linkSpeed() : this.linkSpeed;
    for (const d of this.tracker.devices) {
      const mine: RuleHit[] = [];
      hitsByDevice.push(mine);
      const guess = guessSpeed(d, speed);
      const ctx = { device: d, speed: guess.speed, linkSpeed: speed };
      for (const rule of this.rules) {
        for (const h of rule.check(ctx)) {
          if (h.finding.packet !== undefined && this.cutTransfers.has(h.finding.packet)) continue;
          hits.push(h);
          mine.push(h);
          sink?.add(h.finding);
        }
      }
      devices.push({ address: d.address, addresses: [...d.addresses], bus: d.bus, speed: guess.speed, speedReason: guess.reason, state: d.state, configuration: d.configuration, descriptors: descriptorsJson(d), timeline: enumerationTimeline(d) });
      diagnoses.push(diagnose(d, guess.speed));
    }
    this.result = { devices, diagnoses, hits, tracked: this.tracker.devices, hitsByDevice };
    return this.result;
  }
}
