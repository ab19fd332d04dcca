// A product for the expect/verify/diff tests: a full-speed CDC ACM device (communications interface with a CDC
// header and an interrupt endpoint, data interface with bulk 0x83 IN and 0x04 OUT), three strings and a BOS,
// built by the capture builder in any format, with one thing changed at a time.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { rawCapture, urbCapture, type UrbFormat } from "../../builder/capture.js";
import {
  bosDesc,
  configuration,
  deviceDescriptor,
  endpointDesc,
  interfaceDesc,
  usb2ExtensionCap,
  type DeviceDescriptorFields,
  type EndpointFields,
} from "../../builder/descriptors.js";
import type { DeviceModel, EnumerateOptions } from "../../builder/device.js";
import type { UrbHost } from "../../builder/urb.js";
import type { BusSim } from "../../builder/bus.js";

export type Format = "pcap" | "pcapng" | UrbFormat;
export const FORMATS: readonly Format[] = ["pcap", "pcapng", "usbmon48", "usbmon64", "usbpcap", "text"];

export interface Variant {
  device?: Partial<DeviceDescriptorFields>;
  /** Fields of the data interface's bulk IN endpoint 0x83. */
  bulkIn?: Partial<EndpointFields>;
  /** Leave the data interface out. */
  noDataInterface?: boolean;
  strings?: Record<number, string>;
  bos?: Uint8Array;
  enumerate?: EnumerateOptions;
  /** URB formats only: traffic after the enumeration. */
  after?: (h: UrbHost) => void;
  /** Raw formats only: traffic after the enumeration. */
  afterRaw?: (sim: BusSim) => void;
  address?: number;
}

/** CDC header functional descriptor (CDC 1.2 §5.2.3.1), bcdCDC 1.10. */
const CDC_HEADER = Uint8Array.of(5, 0x24, 0x00, 0x10, 0x01);

export function productModel(v: Variant = {}): DeviceModel {
  const data = interfaceDesc({ bInterfaceNumber: 1, bInterfaceClass: 0x0a }, [
    endpointDesc({ bEndpointAddress: 0x83, wMaxPacketSize: 64, ...v.bulkIn }),
    endpointDesc({ bEndpointAddress: 0x04, wMaxPacketSize: 64 }),
  ]);
  return {
    speed: "full",
    address: v.address ?? 5,
    deviceDescriptor: deviceDescriptor({
      bcdUSB: 0x0201,
      idVendor: 0x1209,
      idProduct: 0x0c0c,
      iManufacturer: 1,
      iProduct: 2,
      iSerialNumber: 3,
      ...v.device,
    }),
    configDescriptor: configuration({}, [
      interfaceDesc(
        { bInterfaceNumber: 0, bInterfaceClass: 2, bInterfaceSubClass: 2, bInterfaceProtocol: 1 },
        [
          CDC_HEADER,
          endpointDesc({ bEndpointAddress: 0x82, bmAttributes: 3, wMaxPacketSize: 16, bInterval: 10 }),
        ],
      ),
      ...(v.noDataInterface ? [] : [data]),
    ]),
    strings: v.strings ?? { 1: "usbscope", 2: "Serial", 3: "SN0001" },
    bos: v.bos ?? bosDesc([usb2ExtensionCap(0)]),
  };
}

/** The capture of `models` enumerating, in `format`. */
export function buildCapture(format: Format, v: Variant = {}, models = [productModel(v)]): Uint8Array {
  if (format === "pcap" || format === "pcapng")
    return rawCapture({ speed: "full", format }, (sim) => {
      for (const m of models) sim.enumerate(m, v.enumerate);
      v.afterRaw?.(sim);
    }).bytes;
  return urbCapture({ format }, (h) => {
    for (const m of models) h.enumerate(m, v.enumerate);
    v.after?.(h);
  }).bytes;
}

/** A fresh temporary directory. */
export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), "usbscope-verify-"));
}

/** Write `bytes` as `name` under `dir`; returns the path. */
export function writeCapture(dir: string, name: string, bytes: Uint8Array | string): string {
  const p = path.join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** The file name extension a format's capture gets. */
export function extension(format: Format): string {
  return format === "pcapng" ? "pcapng" : format === "text" ? "mon" : "pcap";
}
