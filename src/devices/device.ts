// Per-device descriptor state rebuilt from control transfers (USB 2.0 §9.1 device states, §9.4 requests).
import type { ControlTransfer, Speed } from "../usb/model.js";
import type { DeviceAddr } from "../usb/ids.js";
import type { DeviceDescriptor, DeviceQualifierDescriptor } from "../descriptors/device.js";
import type { ConfigurationDescriptor } from "../descriptors/configuration.js";
import type { StringDescriptor } from "../descriptors/string.js";
import type { BosDescriptor } from "../descriptors/bos.js";
import type { HidReportDescriptor } from "../descriptors/hidReport.js";

/** USB 2.0 §9.1.1: the visible device states a capture can show. */
export type DeviceState = "default" | "addressed" | "configured";

/** One GET_DESCRIPTOR transfer and what it returned. */
export interface DescriptorRead {
  /** bDescriptorType requested (wValue high byte). */
  type: number;
  /** Descriptor index (wValue low byte). */
  index: number;
  transfer: ControlTransfer;
}

/** A parsed descriptor together with the transfer that carried the bytes it was parsed from. */
export interface Held<T> {
  descriptor: T;
  transfer: ControlTransfer;
}

export interface UsbDevice {
  /** Order in which the tracker first saw the device, from 0. */
  id: number;
  bus?: number;
  /** Current (last) address. */
  address: DeviceAddr;
  /** Every address the device used, in order (0 first when the enumeration was captured). */
  addresses: DeviceAddr[];
  /** The capture shows the enumeration from address 0 (not a device already addressed when the capture began). */
  enumerationSeen: boolean;
  state: DeviceState;
  /** Current bConfigurationValue (0: not configured). */
  configuration: number;
  /** bInterfaceNumber → bAlternateSetting from SET_INTERFACE. */
  altSettings: Map<number, number>;
  /** The best device descriptor read (the latest complete one, else the longest). */
  device?: Held<DeviceDescriptor>;
  /** Every device descriptor read that returned bytes, in order (ENUM_EP0_MPS_CHANGED compares them). */
  deviceReads: Held<DeviceDescriptor>[];
  /** Configuration index → the longest read of that configuration set. */
  configurations: Map<number, Held<ConfigurationDescriptor>>;
  otherSpeed: Map<number, Held<ConfigurationDescriptor>>;
  /** String index → the longest read (first LANGID seen). */
  strings: Map<number, Held<StringDescriptor>>;
  qualifier?: Held<DeviceQualifierDescriptor>;
  bos?: Held<BosDescriptor>;
  /** Interface number → HID report descriptor. */
  hidReports: Map<number, Held<HidReportDescriptor>>;
  /** Every standard GET_DESCRIPTOR (device-to-host) transfer, in order, whatever its status. */
  reads: DescriptorRead[];
  /** Every control transfer addressed to the device, in order (capped, see MAX_TRANSFERS). */
  transfers: ControlTransfer[];
  /** Bumped whenever a descriptor changes, so layers can tell when to re-check. */
  revision: number;
  /** Bytes the device holds in its lists and descriptors, estimated (tracker.ts transferWeight): bounds memory. */
  weight: number;
  /** The part of `weight` in transfers, reads and deviceReads. */
  listWeight: number;
  /** The device's own speed when its transfers show it (SPLIT S bit behind a hub's TT). */
  ownSpeed?: Speed;
}

export function newDevice(
  id: number,
  address: DeviceAddr,
  bus: number | undefined,
  enumerationSeen: boolean,
): UsbDevice {
  return {
    id,
    bus,
    address,
    addresses: [address],
    enumerationSeen,
    state: address === 0 ? "default" : "addressed",
    configuration: 0,
    altSettings: new Map(),
    deviceReads: [],
    configurations: new Map(),
    otherSpeed: new Map(),
    strings: new Map(),
    hidReports: new Map(),
    reads: [],
    transfers: [],
    revision: 0,
    weight: 0,
    listWeight: 0,
  };
}

/** The configuration set whose bConfigurationValue is `value`. */
export function configurationByValue(d: UsbDevice, value: number): Held<ConfigurationDescriptor> | undefined {
  for (const c of d.configurations.values()) if (c.descriptor.bConfigurationValue === value) return c;
  return undefined;
}

/** The configuration in use, else (before SET_CONFIGURATION is seen) the first one read. */
export function activeConfiguration(d: UsbDevice): Held<ConfigurationDescriptor> | undefined {
  return (
    (d.configuration ? configurationByValue(d, d.configuration) : undefined) ??
    d.configurations.values().next().value
  );
}

/** A speed guess with the reason, for "unknown" link types. */
export interface SpeedGuess {
  speed: Speed;
  reason: string;
}
