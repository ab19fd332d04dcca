// The class decoding hook of the analysis: names class and vendor requests as the SETUP is seen
// (AnalysisContext.nameRequest, so findings name them too), decodes each control transfer once it
// completes (ControlTransfer.class), and decodes the bulk and interrupt transfers of the class interfaces
// (ClassTransferHook: mass storage commands, CDC notifications and serial data), for raw and URB captures
// alike, from the device state the descriptor layer keeps.
import type { ControlTransfer, SetupPacket } from "../usb/model.js";
import type { FindingSink } from "../usb/finding.js";
import { requestTypeOf } from "../usb/requests.js";
import { activeConfiguration, type UsbDevice } from "../devices/device.js";
import type { InterfaceDescriptor } from "../descriptors/interface.js";
import { UsbClass } from "../descriptors/classes.js";
import type { ClassTransferHook, TransferSummary } from "../transfers/transferSummary.js";
import { decodeClassRequest, interfaceOf, interfaceOfEndpoint } from "./classRequests.js";
import { BotFunction, type MscCommand } from "./bot.js";
import { cdcNotification, printableText } from "./cdc.js";
import { CdcNotifyLimit } from "./cdcNotifyLimit.js";
import { HidFunctions, type HidReportRecord } from "./hidFunction.js";
import { DfuFunction, type DfuAttributes, type DfuSession } from "./dfuSession.js";

/** Where the decoder finds a device by address (the descriptor layer's tracker). */
export interface DeviceLookup {
  deviceAt(address: number, bus?: number): UsbDevice | undefined;
}

/** Mass storage commands listed in the result (all are counted). */
export const MAX_LISTED_COMMANDS = 10_000;

/** DFU sessions listed in the result (all are counted). */
export const MAX_LISTED_DFU_SESSIONS = 1000;

/** Bulk-Only Transport: interface class 8, protocol 0x50 (MSC Overview 1.4 Table 2). */
const BOT_PROTOCOL = 0x50;

export interface ClassDecoderOptions {
  findings: FindingSink;
  /** Mass storage commands listed at most (default MAX_LISTED_COMMANDS). */
  maxCommands?: number;
  /** HID reports listed at most (default MAX_LISTED_REPORTS). */
  maxHidReports?: number;
}

export class ClassDecoder implements ClassTransferHook {
  /** Mass storage commands in the order they ended, the first `maxCommands`. */
  readonly commands: MscCommand[] = [];
  commandCount = 0;
  /** DFU downloads and uploads in the order they ended, the first MAX_LISTED_DFU_SESSIONS. */
  readonly dfuSessions: DfuSession[] = [];
  dfuSessionCount = 0;
  /** DFU interfaces by device id, interface number and protocol (run-time 1, DFU mode 2). */
  private readonly dfu = new Map<string, DfuFunction>();
  /** Bulk-Only functions by device id and interface number. */
  private readonly bot = new Map<string, BotFunction>();
  /** The class interface of each endpoint, per device, rebuilt when the device's descriptors change. */
  private readonly endpointCache = new WeakMap<
    UsbDevice,
    { revision: number; byEndpoint: Map<number, InterfaceDescriptor | undefined> }
  >();
  private readonly maxCommands: number;
  /** HID interfaces: reports decoded against their report descriptors (hidFunction.ts). */
  private readonly hid: HidFunctions;
  /** CDC notifications against their endpoint's packet size (cdcNotifyLimit.ts). */
  private readonly cdcNotify: CdcNotifyLimit;

  constructor(
    private readonly devices: DeviceLookup,
    private readonly options: ClassDecoderOptions,
  ) {
    this.maxCommands = options.maxCommands ?? MAX_LISTED_COMMANDS;
    this.hid = new HidFunctions(options.findings, options.maxHidReports);
    this.cdcNotify = new CdcNotifyLimit(options.findings);
  }

  /** The label of a class or vendor request, or undefined for the standard naming. */
  nameRequest(setup: SetupPacket, address: number, bus?: number): string | undefined {
    if (requestTypeOf(setup) === 0) return undefined;
    return decodeClassRequest(setup, undefined, this.devices.deviceAt(address, bus))?.label;
  }

  /** Decode a completed control transfer into `ct.class`. */
  controlTransfer(ct: ControlTransfer): void {
    if (requestTypeOf(ct.setup) === 0) {
      // USB 2.0 §9.4.7: SET_CONFIGURATION puts HID interfaces back in report protocol (HID 1.11 §7.2.6).
      if (ct.setup.bRequest === 0x09 && ct.setup.bmRequestType === 0x00 && ct.status === "ok") {
        const device = this.devices.deviceAt(ct.address, ct.bus);
        if (device) this.hid.reset(device);
      }
      return;
    }
    const device = this.devices.deviceAt(ct.address, ct.bus);
    const d = decodeClassRequest(ct.setup, ct.data, device);
    if (d === undefined) return;
    ct.class = d.decode;
    if (device && d.decode.class === "HID")
      this.hid.control(ct, device, hidInterface(device, ct.setup.wIndex & 0xff));
    // BOT 1.0 §3.1: the reset ends whatever command was open on the interface.
    if (device && d.decode.class === "mass storage" && ct.setup.bRequest === 0xff && ct.status === "ok")
      this.bot.get(`${device.id}:${ct.setup.wIndex & 0xff}`)?.reset(ct.firstPacket);
    if (device && d.decode.class === "DFU") this.dfuFunction(device, ct).request(ct);
  }

  /** The DFU interface a request goes to (DFU 1.1 §4: run-time and DFU mode are two functions). */
  private dfuFunction(device: UsbDevice, ct: ControlTransfer): DfuFunction {
    const number = ct.setup.wIndex & 0xff;
    const i = interfaceOf(device, number);
    const key = `${device.id}:${number}:${i?.bInterfaceProtocol ?? 0}`;
    let f = this.dfu.get(key);
    if (!f) {
      f = new DfuFunction(
        { bus: ct.bus, device: ct.address, interface: number },
        this.options.findings,
        (s) => {
          this.dfuSessionCount++;
          if (this.dfuSessions.length < MAX_LISTED_DFU_SESSIONS) this.dfuSessions.push(s);
        },
        () => dfuAttributes(interfaceOf(device, number)),
      );
      this.dfu.set(key, f);
    }
    return f;
  }

  /** The class interface endpoint `endpointAddress` of the device belongs to, when it is one the decoder reads. */
  private classInterface(
    address: number,
    endpointAddress: number,
    bus?: number,
  ): { d: UsbDevice; i: InterfaceDescriptor } | undefined {
    const d = this.devices.deviceAt(address, bus);
    if (!d) return undefined;
    let c = this.endpointCache.get(d);
    if (!c || c.revision !== d.revision) {
      c = { revision: d.revision, byEndpoint: new Map() };
      this.endpointCache.set(d, c);
    }
    let i = c.byEndpoint.get(endpointAddress);
    if (!c.byEndpoint.has(endpointAddress)) {
      const found = interfaceOfEndpoint(d, endpointAddress);
      i = found && readsInterface(found) ? found : undefined;
      c.byEndpoint.set(endpointAddress, i);
    }
    return i ? { d, i } : undefined;
  }

  /** ClassTransferHook: the endpoints of mass storage (Bulk-Only) and CDC interfaces. */
  wants(address: number, endpointAddress: number, bus?: number): boolean {
    return this.classInterface(address, endpointAddress, bus) !== undefined;
  }

  /** ClassTransferHook: decode a bulk or interrupt transfer into `t.class`. */
  transfer(t: TransferSummary): void {
    const epAddr = t.endpoint | (t.direction === "in" ? 0x80 : 0);
    const found = this.classInterface(t.device, epAddr, t.bus);
    if (!found || t.repeat) return;
    const { d, i } = found;
    switch (i.bInterfaceClass) {
      case UsbClass.MASS_STORAGE: {
        const key = `${d.id}:${i.bInterfaceNumber}`;
        let f = this.bot.get(key);
        if (!f) {
          f = new BotFunction(
            { bus: t.bus, device: t.device, interface: i.bInterfaceNumber },
            this.options.findings,
            (c) => this.command(c),
          );
          this.bot.set(key, f);
        }
        const decoded = f.transfer(t);
        if (decoded) t.class = decoded;
        return;
      }
      case UsbClass.COMM: {
        // CDC 1.2 §6.3: notifications on the communication interface's interrupt IN endpoint.
        const n = t.direction === "in" && t.data ? cdcNotification(t.data) : undefined;
        if (!n) return;
        t.class = n.decode;
        if (t.outcome === "ok") this.cdcNotify.check(t, d, i, n.decode);
        return;
      }
      case UsbClass.HID: {
        const decoded = this.hid.transfer(t, d, i);
        if (decoded) t.class = decoded;
        return;
      }
      case UsbClass.CDC_DATA: {
        const text = t.data ? printableText(t.data) : undefined;
        if (text !== undefined)
          t.class = { class: "CDC", name: "data", fields: { interface: i.bInterfaceNumber }, summary: text };
        return;
      }
    }
  }

  /** ClassTransferHook: a mass storage data phase ends at dCBWDataTransferLength (raw captures group by it). */
  transferLength(address: number, endpointAddress: number, bus?: number): number | undefined {
    const found = this.classInterface(address, endpointAddress, bus);
    if (found?.i.bInterfaceClass === UsbClass.HID)
      return this.hid.transferLength(found.d, found.i, endpointAddress);
    if (!found || found.i.bInterfaceClass !== UsbClass.MASS_STORAGE) return undefined;
    return this.bot
      .get(`${found.d.id}:${found.i.bInterfaceNumber}`)
      ?.remaining((endpointAddress & 0x80) !== 0);
  }

  /** HID reports decoded, in capture order (the first MAX_LISTED_REPORTS). */
  get hidReports(): HidReportRecord[] {
    return this.hid.reports;
  }

  get hidReportCount(): number {
    return this.hid.reportCount;
  }

  private command(c: MscCommand): void {
    this.commandCount++;
    if (this.commands.length < this.maxCommands) this.commands.push(c);
  }

  /** End of the capture: the commands still open are listed as open. */
  end(): void {
    for (const f of this.bot.values()) f.end();
    for (const f of this.dfu.values()) f.end();
  }
}

/** The interfaces whose bulk and interrupt data the decoder reads. */
function readsInterface(i: InterfaceDescriptor): boolean {
  return (
    (i.bInterfaceClass === UsbClass.MASS_STORAGE && i.bInterfaceProtocol === BOT_PROTOCOL) ||
    i.bInterfaceClass === UsbClass.COMM ||
    i.bInterfaceClass === UsbClass.CDC_DATA ||
    i.bInterfaceClass === UsbClass.HID
  );
}

/** The HID interface numbered `number` in the device's active configuration (its current alternate setting). */
function hidInterface(d: UsbDevice, number: number): InterfaceDescriptor | undefined {
  const config = activeConfiguration(d)?.descriptor;
  if (!config) return undefined;
  const alt = d.altSettings.get(number) ?? 0;
  let any: InterfaceDescriptor | undefined;
  for (const i of config.interfaces) {
    if (i.bInterfaceNumber !== number || i.bInterfaceClass !== UsbClass.HID) continue;
    if (i.bAlternateSetting === alt) return i;
    any ??= i;
  }
  return any;
}

/** DFU 1.1 §4.1.3 Table 4.2: bitCanDnload (bit 0), bitManifestationTolerant (bit 2). */
function dfuAttributes(i: InterfaceDescriptor | undefined): DfuAttributes {
  const f = i?.extra.find((x) => x.kind === "dfu-functional") as { bmAttributes?: number } | undefined;
  if (f?.bmAttributes === undefined) return {};
  return { canDnload: (f.bmAttributes & 1) !== 0, manifestationTolerant: (f.bmAttributes & 4) !== 0 };
}
