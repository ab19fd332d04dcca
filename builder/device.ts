// A simulated device and the request sequence Linux uses to enumerate it (hub.c hub_port_init,
// usb_new_device, usb_get_configuration, usb_cache_string; RULES.md B.2), shared by the raw-packet
// and URB builders.
import type { SetupPacket } from "../src/usb/model.js";
import { langIdDesc, stringDesc } from "./descriptors.js";
import type { ControlFaults } from "./faults.js";
import { setupBytes } from "./packets.js";

export type BusSpeed = "low" | "full" | "high";

/** A device as the builders see it. */
export interface DeviceModel {
  speed: BusSpeed;
  /** Address given by SET_ADDRESS (usbmon devnum). */
  address: number;
  deviceDescriptor: Uint8Array;
  /** Configuration 1: configuration descriptor and everything after it. */
  configDescriptor: Uint8Array;
  /** String descriptors by index, as text. */
  strings?: Record<number, string>;
  /** Raw string descriptors by index (overrides `strings`, for malformed ones). */
  stringDescriptors?: Record<number, Uint8Array>;
  /** LANGIDs of string 0; default [0x0409]. Empty: string 0 STALLs. */
  langIds?: number[];
  /** BOS descriptor; requested when bcdUSB >= 0x0201. Missing: BOS STALLs. */
  bos?: Uint8Array;
}

/** One control transfer of an enumeration. */
export interface EnumStep {
  /** "device64", "setAddress", "device18", "bos5", "bosAll", "config9", "configAll", "string0", "string<i>", "setConfiguration". */
  name: string;
  address: number;
  setup: SetupPacket;
  /** What the device would send for an IN request (before wLength clipping); undefined: the device STALLs. */
  response?: Uint8Array;
  /** The host's idea of wMaxPacketSize0 during this transfer (Linux: 64 before the first read, 8 at low speed). */
  hostMaxPacket0: number;
  /** Time to wait after the transfer, ns. */
  afterNs: number;
}

export interface EnumerateOptions {
  /** Faults per step name (see EnumStep.name). */
  faults?: Record<string, ControlFaults>;
  /** Wait after SET_ADDRESS; Linux waits 10 ms (hub.c, USB 2.0 §9.2.6.3 SET_ADDRESS recovery 2 ms). */
  setAddressDelayNs?: number;
  /** Gap between other requests; default 100 µs. */
  gapNs?: number;
  /** Stop after this step (e.g. "device64" for "stuck in enumeration"). */
  stopAfter?: string;
  /** Read string descriptors; default true. */
  strings?: boolean;
}

/** Build SetupPacket fields. */
export function setupPacket(
  bmRequestType: number,
  bRequest: number,
  wValue: number,
  wIndex: number,
  wLength: number,
): SetupPacket {
  return { bmRequestType, bRequest, wValue, wIndex, wLength };
}

/** The 8 bytes of a SetupPacket. */
export function encodeSetup(s: SetupPacket): Uint8Array {
  return setupBytes(s.bmRequestType, s.bRequest, s.wValue, s.wIndex, s.wLength);
}

/** bMaxPacketSize0 of a device (byte 7 of its device descriptor), 8 if missing. */
export function maxPacket0(dev: DeviceModel): number {
  return dev.deviceDescriptor[7] ?? 8;
}

/** The string descriptor a device returns for index i (0: LANGIDs), or undefined (STALL). */
export function stringResponse(dev: DeviceModel, i: number): Uint8Array | undefined {
  const raw = dev.stringDescriptors?.[i];
  if (raw !== undefined) return raw;
  if (i === 0) {
    const ids = dev.langIds ?? [0x0409];
    return ids.length === 0 ? undefined : langIdDesc(ids);
  }
  const text = dev.strings?.[i];
  return text === undefined ? undefined : stringDesc(text);
}

/**
 * The data a host receives for an IN data stage: the answer clipped to wLength (unless the device
 * ignores it), packetised by the device's wMaxPacketSize0; the host stops after a packet shorter
 * than its own idea of the max packet size (§5.5.3, §8.5.3.2).
 */
export function receivedData(
  answer: Uint8Array,
  wLength: number,
  devMaxPacket0: number,
  hostMaxPacket0: number,
  faults: ControlFaults = {},
): Uint8Array {
  let a =
    faults.truncateTo !== undefined ? answer.subarray(0, Math.min(answer.length, faults.truncateTo)) : answer;
  if (!faults.ignoreWLength) a = a.subarray(0, Math.min(a.length, wLength));
  let got = 0;
  while (got < a.length) {
    const n = Math.min(devMaxPacket0, a.length - got);
    got += n;
    if (n < hostMaxPacket0) break;
  }
  return a.subarray(0, got);
}

/** The enumeration Linux performs for `dev` (RULES.md B.2), as a list of control transfers. */
export function enumerationSteps(dev: DeviceModel, opts: EnumerateOptions = {}): EnumStep[] {
  const gap = opts.gapNs ?? 100_000;
  const mps0 = maxPacket0(dev);
  const hostFirst = dev.speed === "low" ? 8 : 64;
  const steps: EnumStep[] = [];
  const add = (
    name: string,
    address: number,
    setup: SetupPacket,
    response: Uint8Array | undefined,
    host = mps0,
    afterNs = gap,
  ) => steps.push({ name, address, setup, response, hostMaxPacket0: host, afterNs });
  const dd = dev.deviceDescriptor;
  const cfg = dev.configDescriptor;
  add("device64", 0, setupPacket(0x80, 6, 0x0100, 0, 64), dd, hostFirst);
  add(
    "setAddress",
    0,
    setupPacket(0x00, 5, dev.address, 0, 0),
    undefined,
    mps0,
    opts.setAddressDelayNs ?? 10_000_000,
  );
  add("device18", dev.address, setupPacket(0x80, 6, 0x0100, 0, 18), dd);
  const bcdUSB = (dd[2] ?? 0) | ((dd[3] ?? 0) << 8);
  if (bcdUSB >= 0x0201) {
    add("bos5", dev.address, setupPacket(0x80, 6, 0x0f00, 0, 5), dev.bos);
    if (dev.bos !== undefined)
      add("bosAll", dev.address, setupPacket(0x80, 6, 0x0f00, 0, dev.bos[2]! | (dev.bos[3]! << 8)), dev.bos);
  }
  add("config9", dev.address, setupPacket(0x80, 6, 0x0200, 0, 9), cfg);
  const total = (cfg[2] ?? 0) | ((cfg[3] ?? 0) << 8);
  add("configAll", dev.address, setupPacket(0x80, 6, 0x0200, 0, total), cfg);
  if (opts.strings ?? true) {
    const indices = [dd[15] ?? 0, dd[14] ?? 0, dd[16] ?? 0].filter((i) => i !== 0);
    if (indices.length > 0) {
      const s0 = stringResponse(dev, 0);
      add("string0", dev.address, setupPacket(0x80, 6, 0x0300, 0, 255), s0);
      const lang = s0 !== undefined && s0.length >= 4 ? s0[2]! | (s0[3]! << 8) : 0x0409;
      for (const i of indices)
        add(`string${i}`, dev.address, setupPacket(0x80, 6, 0x0300 | i, lang, 255), stringResponse(dev, i));
    }
  }
  add("setConfiguration", dev.address, setupPacket(0x00, 9, cfg[5] ?? 1, 0, 0), undefined);
  if (opts.stopAfter !== undefined) {
    const k = steps.findIndex((s) => s.name === opts.stopAfter);
    if (k >= 0) steps.length = k + 1;
  }
  return steps;
}
