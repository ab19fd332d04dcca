// Shared walks over a device's descriptors for the rules.
import type { ControlTransfer } from "../../usb/model.js";
import type { UsbDevice, Held } from "../../devices/device.js";
import type { ConfigurationDescriptor } from "../../descriptors/configuration.js";
import type { InterfaceDescriptor } from "../../descriptors/interface.js";
import type { EndpointDescriptor } from "../../descriptors/endpoint.js";
import type { HidField } from "../../descriptors/hidReport.js";
import { hex2 } from "../../usb/bytes.js";

export interface ConfigEntry {
  index: number;
  config: ConfigurationDescriptor;
  transfer: ControlTransfer;
}

/**
 * The lists below for one device, kept while its descriptors stay as they are (UsbDevice.revision): the
 * descriptor rules each walk them, one after the other, on every check of the device. Read-only for callers.
 */
const walks = new WeakMap<
  UsbDevice,
  { revision: number; configs?: ConfigEntry[]; endpoints?: EndpointEntry[] }
>();

function walksOf(d: UsbDevice): { revision: number; configs?: ConfigEntry[]; endpoints?: EndpointEntry[] } {
  let w = walks.get(d);
  if (!w || w.revision !== d.revision) {
    w = { revision: d.revision };
    walks.set(d, w);
  }
  return w;
}

/** Configuration sets that were read far enough to have sub-descriptors or a header (≥ 9 bytes). */
export function configs(d: UsbDevice): readonly ConfigEntry[] {
  const w = walksOf(d);
  if (w.configs) return w.configs;
  const out: ConfigEntry[] = [];
  for (const [index, h] of d.configurations)
    if (h.descriptor.length >= 9) out.push({ index, config: h.descriptor, transfer: h.transfer });
  return (w.configs = out);
}

export function cfgName(c: ConfigurationDescriptor): string {
  return `configuration ${c.bConfigurationValue}`;
}

export function ifName(i: InterfaceDescriptor): string {
  return `interface ${i.bInterfaceNumber} alt ${i.bAlternateSetting}`;
}

export function epName(e: EndpointDescriptor): string {
  return `endpoint 0x${hex2(e.bEndpointAddress)}`;
}

export interface EndpointEntry extends ConfigEntry {
  iface: InterfaceDescriptor;
  ep: EndpointDescriptor;
}

export function endpoints(d: UsbDevice): readonly EndpointEntry[] {
  const w = walksOf(d);
  if (w.endpoints) return w.endpoints;
  const out: EndpointEntry[] = [];
  for (const c of configs(d))
    for (const iface of c.config.interfaces)
      for (const ep of iface.endpoints) if (!ep.truncated) out.push({ ...c, iface, ep });
  return (w.endpoints = out);
}

/** A device descriptor with at least `n` bytes, or undefined. */
export function deviceDesc(
  d: UsbDevice,
  n: number,
): Held<import("../../descriptors/device.js").DeviceDescriptor> | undefined {
  const h = d.device;
  return h && h.descriptor.length >= n ? h : undefined;
}

export function failed(ct: ControlTransfer): boolean {
  return ct.status !== "ok";
}

/** "STALLed", "ended with an error (…)", "did not complete". */
export function statusText(ct: ControlTransfer): string {
  // A URB capture's stall carries the tool's status (-32 EPIPE, USBD_STATUS_STALL_PID): one finding says both.
  if (ct.status === "stall") return `was STALLed${ct.source === "urb" && ct.detail ? ` (${ct.detail})` : ""}`;
  if (ct.status === "error") return `ended with an error${ct.detail ? ` (${ct.detail})` : ""}`;
  if (ct.status === "incomplete") return `did not complete${ct.detail ? ` (${ct.detail})` : ""}`;
  return "succeeded";
}

/** Every nonzero string index the device's descriptors refer to, with where it was seen. */
export function stringIndexes(d: UsbDevice): { index: number; field: string }[] {
  const out: { index: number; field: string }[] = [];
  const dev = d.device?.descriptor;
  if (dev && dev.length >= 18) {
    if (dev.iManufacturer) out.push({ index: dev.iManufacturer, field: "iManufacturer" });
    if (dev.iProduct) out.push({ index: dev.iProduct, field: "iProduct" });
    if (dev.iSerialNumber) out.push({ index: dev.iSerialNumber, field: "iSerialNumber" });
  }
  for (const { config } of configs(d)) {
    if (config.iConfiguration)
      out.push({ index: config.iConfiguration, field: `${cfgName(config)} iConfiguration` });
    for (const i of config.interfaces)
      if (i.iInterface && !i.truncated) out.push({ index: i.iInterface, field: `${ifName(i)} iInterface` });
    for (const a of config.associations)
      if (a.iFunction && !a.truncated)
        out.push({ index: a.iFunction, field: `IAD ${a.bFirstInterface} iFunction` });
  }
  return out;
}

/** The data (not constant) fields of each HID report descriptor the capture holds whole, by interface. */
export function hidDataFields(
  d: UsbDevice,
): { iface: number; transfer: ControlTransfer; fields: HidField[] }[] {
  const out: { iface: number; transfer: ControlTransfer; fields: HidField[] }[] = [];
  for (const [iface, h] of d.hidReports) {
    if (h.transfer.dataTruncated || h.descriptor.truncated) continue;
    out.push({ iface, transfer: h.transfer, fields: h.descriptor.fields.filter((f) => (f.flags & 1) === 0) });
  }
  return out;
}
