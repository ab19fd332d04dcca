// DeviceTracker: follows control transfers in order and keeps per-device descriptor state.
// SET_ADDRESS moves a device from address 0 (USB 2.0 §9.4.6, §9.1.1.4); GET_DESCRIPTOR results are merged
// (§9.4.3: a host reads the 9-byte configuration header, then wTotalLength bytes); SET_CONFIGURATION and
// SET_INTERFACE (§9.4.7, §9.4.10) update the state used by the endpoint-type lookup.
import { DIR_IN, deviceAddr } from "../usb/ids.js";
import type { ControlTransfer, EndpointType, EndpointTypeLookup } from "../usb/model.js";
import { DescriptorType } from "../usb/descriptorTypes.js";
import {
  Request,
  RequestType,
  STANDARD_DEVICE_OUT,
  STANDARD_DEVICE_IN,
  STANDARD_INTERFACE_OUT,
  requestTypeBits,
} from "../usb/requests.js";
import { parseDeviceDescriptor, parseDeviceQualifier } from "../descriptors/device.js";
import { parseConfiguration } from "../descriptors/configuration.js";
import { parseStringDescriptor } from "../descriptors/string.js";
import { parseBos } from "../descriptors/bos.js";
import { parseHidReportDescriptor } from "../descriptors/hidReport.js";
import { activeConfiguration, newDevice, type Held, type UsbDevice } from "./device.js";

/** Control transfers (and, separately, descriptor reads) kept per device for the rules: bounds memory on long captures. */
export const MAX_TRANSFERS = 4096;
/**
 * Bytes (estimated by transferWeight) a device's transfer and read lists may hold: past it, like past
 * MAX_TRANSFERS, later transfers still update its state and descriptors but are not kept in the lists.
 */
export const DEVICE_LIST_BYTES = 4 << 20;
/**
 * Bytes a device's held descriptors may take: a real device's whole set is a few KiB (a configuration set is
 * at most wTotalLength 65535 bytes, §9.6.3); one past it is not kept, so its rules stay silent.
 */
export const DEVICE_DESCRIPTOR_BYTES = 256 << 10;
/** Estimated bytes of one kept transfer beyond its data: the object, its setup, request text and times. */
const TRANSFER_COST = 512;

/** What keeping `ct` costs, estimated: its data and a fixed cost (memory is bounded by these sums). */
export function transferWeight(ct: ControlTransfer): number {
  return TRANSFER_COST + ct.data.length;
}

const ENDPOINT_TYPE_CODES: readonly EndpointType[] = ["control", "isochronous", "bulk", "interrupt"];

/** A numeric map key (no string per lookup: the packet layers ask for endpoint types per transaction). */
function key(bus: number | undefined, address: number): number {
  return (bus === undefined ? 0 : bus + 1) * 128 + (address & 0x7f);
}

export class DeviceTracker implements EndpointTypeLookup {
  /** The devices held (not forgotten), by id: ids count up from 0 in order of first appearance. */
  private readonly byId = new Map<number, UsbDevice>();
  /** Devices seen so far (the next id). */
  created = 0;
  private readonly byAddress = new Map<number, UsbDevice>();
  /** Per device id: endpoint address → type code + 1 (0 unknown), rebuilt when descriptors or state change. */
  private readonly epCache = new Map<number, { revision: number; types: Uint8Array }>();
  /** Sum of the weights of the devices not forgotten. */
  weight = 0;

  onControlTransfer(ct: ControlTransfer): UsbDevice {
    const d = this.deviceFor(ct);
    if (d.transfers.length < MAX_TRANSFERS && this.keepInLists(d, ct)) d.transfers.push(ct);
    if (ct.speed) d.ownSpeed = ct.speed;
    const s = ct.setup;
    const standard = requestTypeBits(s.bmRequestType) === RequestType.STANDARD;
    if (standard && s.bRequest === Request.GET_DESCRIPTOR && s.bmRequestType & DIR_IN)
      this.onGetDescriptor(d, ct);
    else if (standard && s.bmRequestType === STANDARD_DEVICE_OUT && s.bRequest === Request.SET_ADDRESS)
      this.onSetAddress(d, ct);
    else if (
      standard &&
      s.bmRequestType === STANDARD_DEVICE_OUT &&
      s.bRequest === Request.SET_CONFIGURATION &&
      ct.status === "ok"
    ) {
      d.configuration = s.wValue & 0xff;
      d.state = d.configuration === 0 ? "addressed" : "configured";
      d.altSettings.clear();
      d.revision++;
    } else if (
      standard &&
      s.bmRequestType === STANDARD_INTERFACE_OUT &&
      s.bRequest === Request.SET_INTERFACE &&
      ct.status === "ok"
    ) {
      d.altSettings.set(s.wIndex & 0xff, s.wValue & 0xff);
      d.revision++;
    }
    return d;
  }

  /** Every device held, in order of first appearance. */
  get devices(): UsbDevice[] {
    return [...this.byId.values()];
  }

  /** `d` is held (not forgotten). */
  holds(d: UsbDevice): boolean {
    return this.byId.get(d.id) === d;
  }

  /** Drop a device that is gone (live mode forgets replaced devices; eviction settles old ones). */
  forget(d: UsbDevice): void {
    if (!this.holds(d)) return;
    this.byId.delete(d.id);
    this.epCache.delete(d.id);
    if (this.byAddress.get(key(d.bus, d.address)) === d) this.byAddress.delete(key(d.bus, d.address));
    this.weight -= d.weight;
  }

  /**
   * Drop `d`'s transfer and read lists (the rules and the diagnosis have run on it): what stays is its state
   * and descriptors, for the report. Returns the bytes freed.
   */
  slim(d: UsbDevice): void {
    let freed = 0;
    for (const ct of d.transfers) freed += transferWeight(ct);
    for (const r of d.reads) freed += transferWeight(r.transfer);
    for (const h of d.deviceReads) freed += transferWeight(h.transfer);
    d.transfers = [];
    d.reads = [];
    d.deviceReads = [];
    d.weight -= freed;
    d.listWeight = 0;
    this.weight -= freed;
  }

  /** Whether `d`'s lists have room for `ct`; if so, its weight is added. */
  private keepInLists(d: UsbDevice, ct: ControlTransfer): boolean {
    if (d.listWeight >= DEVICE_LIST_BYTES) return false;
    const w = transferWeight(ct);
    d.weight += w;
    d.listWeight += w;
    this.weight += w;
    return true;
  }

  /** Whether `d` may hold `held` in place of `old` (its descriptor budget); if so, the weights are moved. */
  private hold(
    d: UsbDevice,
    old: { transfer: ControlTransfer } | undefined,
    held: { transfer: ControlTransfer },
  ): boolean {
    const delta = transferWeight(held.transfer) - (old ? transferWeight(old.transfer) : 0);
    if (delta > 0 && d.weight - d.listWeight + delta > DEVICE_DESCRIPTOR_BYTES) return false;
    d.weight += delta;
    this.weight += delta;
    return true;
  }

  /** The device currently at (bus, address), if any. */
  deviceAt(address: number, bus?: number): UsbDevice | undefined {
    return this.byAddress.get(key(bus, address));
  }

  endpointType(address: number, endpointAddress: number, bus?: number): EndpointType | undefined {
    if ((endpointAddress & 0x0f) === 0) return "control";
    const d = this.byAddress.get(key(bus, address));
    if (!d) return undefined;
    const t = this.endpointTables(d)[endpointAddress & 0x8f]!;
    return t === 0 ? undefined : ENDPOINT_TYPE_CODES[t - 1];
  }

  /** wMaxPacketSize bits 10..0 of an endpoint (§9.6.6), from the configuration in use; EP0 from bMaxPacketSize0. */
  maxPacketSize(address: number, endpointAddress: number, bus?: number): number | undefined {
    const d = this.byAddress.get(key(bus, address));
    if (!d) return undefined;
    if ((endpointAddress & 0x0f) === 0) {
      const dev = d.device?.descriptor;
      return dev && dev.length >= 8 && dev.bMaxPacketSize0 > 0 ? dev.bMaxPacketSize0 : undefined;
    }
    const types = this.endpointTables(d);
    const m = types[256 + (endpointAddress & 0x8f)]! | (types[512 + (endpointAddress & 0x8f)]! << 8);
    return m === 0 ? undefined : m;
  }

  /** Endpoint addresses of interface `interfaceNumber` alternate setting `alternateSetting` (§9.6.5), in the configuration in use. */
  interfaceEndpoints(
    address: number,
    interfaceNumber: number,
    alternateSetting: number,
    bus?: number,
  ): number[] | undefined {
    const d = this.byAddress.get(key(bus, address));
    if (!d) return undefined;
    const i = activeConfiguration(d)?.descriptor.interfaces.find(
      (x) => x.bInterfaceNumber === interfaceNumber && x.bAlternateSetting === alternateSetting,
    );
    return i ? i.endpoints.map((e) => e.bEndpointAddress) : undefined;
  }

  /** buildEndpointTypes(d), rebuilt when the device's descriptors or state changed (its revision). */
  private endpointTables(d: UsbDevice): Uint8Array {
    let c = this.epCache.get(d.id);
    if (!c || c.revision !== d.revision) {
      c = { revision: d.revision, types: this.buildEndpointTypes(d) };
      this.epCache.set(d.id, c);
    }
    return c.types;
  }

  /** 0..255: type code + 1 per endpoint address; 256..767: wMaxPacketSize[10:0], low then high byte. */
  private buildEndpointTypes(d: UsbDevice): Uint8Array {
    const types = new Uint8Array(768);
    const held = activeConfiguration(d);
    if (!held) return types;
    for (const i of held.descriptor.interfaces) {
      for (const e of i.endpoints) {
        const slot = e.bEndpointAddress & 0x8f;
        if (types[slot] === 0) {
          types[slot] = 1 + (e.bmAttributes & 3);
          const mps = e.wMaxPacketSize & 0x7ff;
          types[256 + slot] = mps & 0xff;
          types[512 + slot] = mps >> 8;
        }
      }
    }
    return types;
  }

  private deviceFor(ct: ControlTransfer): UsbDevice {
    const k = key(ct.bus, ct.address);
    let d = this.byAddress.get(k);
    // Two devices can take turns at address 0 (one fails to enumerate, another is plugged in): a device
    // descriptor with another idVendor/idProduct there starts a new device.
    if (
      d &&
      ct.address === 0 &&
      isDeviceRead(ct) &&
      ct.data.length >= 12 &&
      d.device &&
      d.device.descriptor.length >= 12
    ) {
      const held = d.device.descriptor;
      const vid = ct.data[8]! | (ct.data[9]! << 8);
      const pid = ct.data[10]! | (ct.data[11]! << 8);
      if (vid !== held.idVendor || pid !== held.idProduct) d = undefined;
    }
    if (!d && ct.address !== 0 && ct.source === "urb" && isDeviceRead(ct)) d = this.adoptFromAddressZero(ct);
    if (!d) {
      // Enumeration is in the capture when the device starts at address 0, or (URB captures, where the host
      // controller may do SET_ADDRESS out of sight) when its first request is GET_DESCRIPTOR(DEVICE).
      d = newDevice(this.created++, ct.address, ct.bus, ct.address === 0 || isDeviceRead(ct));
      this.byId.set(d.id, d);
      this.byAddress.set(k, d);
    }
    return d;
  }

  /**
   * xHCI assigns addresses itself (xHCI §4.3.4 Address Device), so a URB capture shows the first read at
   * address 0 and the next at the new address with no SET_ADDRESS between: the device at 0 whose descriptor
   * matches moves to the new address.
   */
  private adoptFromAddressZero(ct: ControlTransfer): UsbDevice | undefined {
    const z = this.byAddress.get(key(ct.bus, 0));
    if (!z || !z.device || z.device.descriptor.length < 12 || ct.data.length < 12) return undefined;
    const held = z.device.descriptor;
    if (
      (ct.data[8]! | (ct.data[9]! << 8)) !== held.idVendor ||
      (ct.data[10]! | (ct.data[11]! << 8)) !== held.idProduct
    )
      return undefined;
    this.byAddress.delete(key(ct.bus, 0));
    this.byAddress.set(key(ct.bus, ct.address), z);
    z.address = ct.address;
    z.addresses.push(ct.address);
    z.state = "addressed";
    z.revision++;
    return z;
  }

  /** A later read replaces an earlier one unless it is shorter (the 9-byte header read, then the full set). */
  private keepLongest<T>(
    d: UsbDevice,
    m: Map<number, Held<T>>,
    index: number,
    ct: ControlTransfer,
    parse: (b: Uint8Array) => T,
  ): void {
    const cur = m.get(index);
    if ((!cur || ct.data.length >= cur.transfer.data.length) && this.hold(d, cur, { transfer: ct }))
      m.set(index, { descriptor: parse(ct.data), transfer: ct });
  }

  private onSetAddress(d: UsbDevice, ct: ControlTransfer): void {
    if (ct.status !== "ok") return;
    const to = deviceAddr(ct.setup.wValue & 0x7f);
    if (to === d.address) return;
    this.byAddress.delete(key(d.bus, d.address));
    // An address reused after a new enumeration belongs to the new device (the old one was detached or reset).
    this.byAddress.set(key(d.bus, to), d);
    d.address = to;
    d.addresses.push(to);
    d.state = to === 0 ? "default" : "addressed";
    d.configuration = 0;
    d.revision++;
  }

  private onGetDescriptor(d: UsbDevice, ct: ControlTransfer): void {
    const type = ct.setup.wValue >> 8;
    const index = ct.setup.wValue & 0xff;
    if (d.reads.length < MAX_TRANSFERS && this.keepInLists(d, ct))
      d.reads.push({ type, index, transfer: ct });
    const b = ct.data;
    if (b.length === 0) return;
    const recipient = ct.setup.bmRequestType & 0x1f;
    if (recipient === 1) {
      // Interface-recipient GET_DESCRIPTOR: class descriptors (HID 1.11 §7.1.1).
      if (type === DescriptorType.HID_REPORT) {
        const held = d.hidReports.get(ct.setup.wIndex & 0xff);
        if ((!held || b.length >= held.transfer.data.length) && this.hold(d, held, { transfer: ct }))
          d.hidReports.set(ct.setup.wIndex & 0xff, { descriptor: parseHidReportDescriptor(b), transfer: ct });
        d.revision++;
      }
      return;
    }
    if (recipient !== 0) return;
    switch (type) {
      case DescriptorType.DEVICE: {
        const held = { descriptor: parseDeviceDescriptor(b), transfer: ct };
        if (d.deviceReads.length < MAX_TRANSFERS && this.keepInLists(d, ct)) d.deviceReads.push(held);
        const cur = d.device;
        if (
          (!cur || !held.descriptor.truncated || cur.descriptor.length <= held.descriptor.length) &&
          this.hold(d, cur, held)
        )
          d.device = held;
        break;
      }
      case DescriptorType.CONFIGURATION:
        this.keepLongest(d, d.configurations, index, ct, parseConfiguration);
        break;
      case DescriptorType.OTHER_SPEED_CONFIGURATION:
        this.keepLongest(d, d.otherSpeed, index, ct, parseConfiguration);
        break;
      case DescriptorType.STRING: {
        // The latest complete read wins; a partial read (Linux reads 2 bytes, then bLength) never replaces a longer one.
        const held = d.strings.get(index);
        const s = parseStringDescriptor(b, index);
        if (
          (!held || !s.truncated || b.length > held.transfer.data.length) &&
          this.hold(d, held, { transfer: ct })
        )
          d.strings.set(index, { descriptor: s, transfer: ct });
        break;
      }
      case DescriptorType.DEVICE_QUALIFIER:
        if (
          (!d.qualifier || b.length >= d.qualifier.transfer.data.length) &&
          this.hold(d, d.qualifier, { transfer: ct })
        )
          d.qualifier = { descriptor: parseDeviceQualifier(b), transfer: ct };
        break;
      case DescriptorType.BOS:
        if ((!d.bos || b.length >= d.bos.transfer.data.length) && this.hold(d, d.bos, { transfer: ct }))
          d.bos = { descriptor: parseBos(b), transfer: ct };
        break;
      default:
        return;
    }
    d.revision++;
  }
}

function isDeviceRead(ct: ControlTransfer): boolean {
  return (
    ct.setup.bmRequestType === STANDARD_DEVICE_IN &&
    ct.setup.bRequest === Request.GET_DESCRIPTOR &&
    ct.setup.wValue >> 8 === DescriptorType.DEVICE
  );
}
