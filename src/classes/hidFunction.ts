// HID interfaces' report traffic (HID 1.11 §5.6, §7.2, §8.4, Appendix B): input and output reports on the
// interrupt endpoints and the data of GET_REPORT and SET_REPORT, decoded against the interface's report
// descriptor when the capture read it; in boot protocol (SET_PROTOCOL 0) against the boot layouts of
// Appendix B instead. Checks each report's ID and size, the interrupt IN packet limit and the boot layout.
import type { ControlTransfer } from "../usb/model.js";
import type { ClassDecode, ClassFieldValue } from "../usb/classDecode.js";
import {
  finding,
  type FindingPlace,
  type FindingSink,
  type RuleInfo,
  type Severity,
} from "../usb/finding.js";
import { deviceAddr, endpointAddr } from "../usb/ids.js";
import type { UsbDevice } from "../devices/device.js";
import type { InterfaceDescriptor } from "../descriptors/interface.js";
import { bytesPerInterval } from "../descriptors/endpoint.js";
import { parseHidReportDescriptor, type HidReportDescriptor } from "../descriptors/hidReport.js";
import type { TransferSummary } from "../transfers/transferSummary.js";
import { decodeHidReport, type DecodedReport, type HidReportType } from "./hidReportData.js";
import { REPORT_TYPES } from "./hid.js";
import * as R from "./hidRules.js";

/** HID 1.11 §4.2: bInterfaceSubClass 1 is a boot interface; bInterfaceProtocol 1 keyboard, 2 mouse. */
const BOOT_SUBCLASS = 1;
const BOOT_KEYBOARD = 1;
const BOOT_MOUSE = 2;

/** HID 1.11 Appendix B.1: the boot keyboard's report (modifiers, reserved byte, six key codes; LEDs out). */
const BOOT_KEYBOARD_DESCRIPTOR = parseHidReportDescriptor(
  Uint8Array.of(
    0x05,
    0x01,
    0x09,
    0x06,
    0xa1,
    0x01,
    0x05,
    0x07,
    0x19,
    0xe0,
    0x29,
    0xe7,
    0x15,
    0x00,
    0x25,
    0x01,
    0x75,
    0x01,
    0x95,
    0x08,
    0x81,
    0x02,
    0x95,
    0x01,
    0x75,
    0x08,
    0x81,
    0x01,
    0x95,
    0x05,
    0x75,
    0x01,
    0x05,
    0x08,
    0x19,
    0x01,
    0x29,
    0x05,
    0x91,
    0x02,
    0x95,
    0x01,
    0x75,
    0x03,
    0x91,
    0x01,
    0x95,
    0x06,
    0x75,
    0x08,
    0x15,
    0x00,
    0x25,
    0x65,
    0x05,
    0x07,
    0x19,
    0x00,
    0x29,
    0x65,
    0x81,
    0x00,
    0xc0,
  ),
);
/** HID 1.11 Appendix B.2: the boot mouse's report (three buttons, X, Y; bytes after the third are the device's). */
const BOOT_MOUSE_DESCRIPTOR = parseHidReportDescriptor(
  Uint8Array.of(
    0x05,
    0x01,
    0x09,
    0x02,
    0xa1,
    0x01,
    0x09,
    0x01,
    0xa1,
    0x00,
    0x05,
    0x09,
    0x19,
    0x01,
    0x29,
    0x03,
    0x15,
    0x00,
    0x25,
    0x01,
    0x95,
    0x03,
    0x75,
    0x01,
    0x81,
    0x02,
    0x95,
    0x01,
    0x75,
    0x05,
    0x81,
    0x01,
    0x05,
    0x01,
    0x09,
    0x30,
    0x09,
    0x31,
    0x15,
    0x81,
    0x25,
    0x7f,
    0x75,
    0x08,
    0x95,
    0x02,
    0x81,
    0x06,
    0xc0,
    0xc0,
  ),
);

/** Findings of one kind said once per interface, report and length (a device repeats its mistake every poll). */
const MAX_SAID = 4096;

/** Reports listed in the result (all are counted). */
export const MAX_LISTED_REPORTS = 10_000;

/** One decoded report as `analyze --json` lists it (hidReports). */
export interface HidReportRecord {
  bus?: number;
  device: number;
  interface: number;
  type: HidReportType;
  /** Where the report travelled: the interrupt endpoint, or a GET_REPORT / SET_REPORT data stage. */
  via: "interrupt" | "GET_REPORT" | "SET_REPORT";
  /** Record index of the transfer (raw: its first packet; URBs: the submission). */
  record: number;
  reportId?: number;
  protocol?: "boot";
  /** Each usage by name with its value (ClassDecode.fields without interface, reportId, reportType). */
  fields: Record<string, ClassFieldValue>;
  summary: string;
}

export class HidFunctions {
  /** "device id:interface" → the protocol SET_PROTOCOL chose (§7.2.6; report protocol by default). */
  private readonly boot = new Set<string>();
  private readonly said = new Set<string>();
  /** The tracked device (UsbDevice.id) of the report being checked: findings are said once per device. */
  private deviceId = 0;
  /** The decoded reports in capture order, the first `maxReports`; `reportCount` counts them all. */
  readonly reports: HidReportRecord[] = [];
  reportCount = 0;

  constructor(
    private readonly findings: FindingSink,
    private readonly maxReports = MAX_LISTED_REPORTS,
  ) {}

  private list(
    where: { bus?: number; device: number; interface: number; record: number },
    type: HidReportType,
    via: HidReportRecord["via"],
    decoded: DecodedReport,
  ): void {
    this.reportCount++;
    if (this.reports.length >= this.maxReports) return;
    const { decode } = decoded;
    const fields: Record<string, ClassFieldValue> = {};
    for (const [k, v] of Object.entries(decode.fields))
      if (k !== "interface" && k !== "reportId" && k !== "reportType" && k !== "protocol") fields[k] = v;
    const r: HidReportRecord = {
      device: where.device,
      interface: where.interface,
      type,
      via,
      record: where.record,
      fields,
      summary: decode.summary ?? "",
    };
    if (where.bus !== undefined) r.bus = where.bus;
    if (decoded.usesIds) r.reportId = decoded.reportId;
    if (decode.fields.protocol === "boot") r.protocol = "boot";
    this.reports.push(r);
  }

  /** The descriptor reports on this interface are read against now: the boot layout in boot protocol. */
  private layout(
    d: UsbDevice,
    i: InterfaceDescriptor,
  ): { desc: HidReportDescriptor; boot: boolean } | undefined {
    if (this.boot.has(`${d.id}:${i.bInterfaceNumber}`) && i.bInterfaceSubClass === BOOT_SUBCLASS) {
      if (i.bInterfaceProtocol === BOOT_KEYBOARD) return { desc: BOOT_KEYBOARD_DESCRIPTOR, boot: true };
      if (i.bInterfaceProtocol === BOOT_MOUSE) return { desc: BOOT_MOUSE_DESCRIPTOR, boot: true };
    }
    const held = d.hidReports.get(i.bInterfaceNumber);
    // A descriptor the capture cut (usbmon text keeps 32 bytes, a snap length) declares less than the device's.
    if (!held || held.transfer.dataTruncated || held.descriptor.truncated) return undefined;
    return { desc: held.descriptor, boot: false };
  }

  /** Raw captures: an interrupt IN transfer ends at the longest input report (reports follow without a short packet). */
  transferLength(d: UsbDevice, i: InterfaceDescriptor, endpointAddress: number): number | undefined {
    if ((endpointAddress & 0x80) === 0) return undefined;
    const l = this.layout(d, i);
    if (!l) return undefined;
    let max = 0;
    for (const r of l.desc.reports) if (r.type === "input" && r.bytes > max) max = r.bytes;
    return max || undefined;
  }

  /** A standard request that resets the function's state (SET_CONFIGURATION: report protocol again, §7.2.6). */
  reset(d: UsbDevice): void {
    for (const k of [...this.boot]) if (k.startsWith(`${d.id}:`)) this.boot.delete(k);
  }

  /** An interrupt transfer on HID interface `i`: its report decoded, checked. */
  transfer(t: TransferSummary, d: UsbDevice, i: InterfaceDescriptor): ClassDecode | undefined {
    if (t.outcome !== "ok" || t.dataLength === 0 || !t.data) return undefined;
    const l = this.layout(d, i);
    if (!l) return undefined;
    this.deviceId = d.id;
    const type: HidReportType = t.direction === "in" ? "input" : "output";
    const where: FindingPlace = {
      packet: t.firstPacket,
      device: deviceAddr(t.device),
      endpoint: endpointAddr(t.endpoint, t.direction === "in"),
    };
    const r = decodeHidReport(l.desc, type, t.data, { interface: i.bInterfaceNumber });
    const at = { bus: t.bus, device: t.device, interface: i.bInterfaceNumber, record: t.firstPacket };
    if (l.boot) {
      this.bootLayout(i, t.dataLength, where);
      r.decode.fields.protocol = "boot";
      this.list(at, type, "interrupt", r);
      return r.decode;
    }
    this.list(at, type, "interrupt", r);
    // One cause, one finding: a report past the packet limit is not also a report of the wrong size.
    if (type !== "input" || !this.packetLimit(i, l.desc, t.dataLength, where))
      this.check(i.bInterfaceNumber, l.desc, type, r, t.dataLength, where, "");
    return r.decode;
  }

  /** A completed control transfer to HID interface `i` (decoded by hidRequest as `ct.class`). */
  control(ct: ControlTransfer, d: UsbDevice, i: InterfaceDescriptor | undefined): void {
    const c = ct.class;
    if (!c || c.class !== "HID") return;
    const iface = ct.setup.wIndex & 0xff;
    if (ct.setup.bRequest === 0x0b && ct.status === "ok") {
      // §7.2.6: SET_PROTOCOL 0 boot, 1 report.
      if (ct.setup.wValue === 0) this.boot.add(`${d.id}:${iface}`);
      else this.boot.delete(`${d.id}:${iface}`);
      return;
    }
    if (
      (ct.setup.bRequest !== 0x01 && ct.setup.bRequest !== 0x09) ||
      ct.status !== "ok" ||
      ct.data.length === 0
    )
      return;
    const type = (["input", "output", "feature"] as const)[(ct.setup.wValue >> 8) - 1];
    if (!type || !i) return;
    const l = this.layout(d, i);
    if (!l || l.boot) return;
    this.deviceId = d.id;
    const keep: Record<string, ClassFieldValue> = { ...c.fields };
    const r = decodeHidReport(l.desc, type, ct.data, keep);
    ct.class = { ...c, fields: r.decode.fields, summary: r.decode.summary ?? "" };
    this.list(
      { bus: ct.bus, device: ct.address, interface: iface, record: ct.firstPacket },
      type,
      ct.setup.bRequest === 0x01 ? "GET_REPORT" : "SET_REPORT",
      r,
    );
    const where: FindingPlace = {
      packet: ct.firstPacket,
      device: deviceAddr(ct.address),
      transfer: ct.index,
    };
    if (ct.start) where.time = ct.start;
    // The capture cut the data stage (usbmon text keeps 32 bytes): its length is the tool's, not the report's.
    if (ct.dataTruncated) return;
    const name = ct.setup.bRequest === 0x01 ? "GET_REPORT" : "SET_REPORT";
    this.check(
      iface,
      l.desc,
      type,
      r,
      ct.data.length,
      where,
      `${name} ${REPORT_TYPES[ct.setup.wValue >> 8]} `,
    );
  }

  /** HID_REPORT_ID and HID_REPORT_SIZE for one report. */
  private check(
    iface: number,
    desc: HidReportDescriptor,
    type: HidReportType,
    r: ReturnType<typeof decodeHidReport>,
    length: number,
    where: FindingPlace,
    via: string,
  ): void {
    const what = `interface ${iface} ${via}${type} report`;
    if (!r.report) {
      const declared = desc.reports
        .filter((x) => x.type === type)
        .map((x) => x.reportId)
        .join(", ");
      const msg = r.usesIds
        ? `${what} starts with report ID ${r.reportId}, which the report descriptor does not declare for ${type} reports (declared: ${declared || "none"})`
        : `${what} of ${length} bytes, but the report descriptor declares no ${type} report`;
      this.once(R.HID_REPORT_ID, `${iface}:${type}:id:${r.reportId}`, msg, where);
      return;
    }
    if (length === r.report.bytes) return;
    const shorter = length < r.report.bytes;
    const id = r.usesIds ? ` ID ${r.reportId}` : "";
    this.once(
      R.HID_REPORT_SIZE,
      `${iface}:${type}:${r.reportId}:${length}`,
      `${what}${id} is ${length} bytes, the report descriptor declares ${r.report.bytes}${shorter ? ": the fields past the end are lost" : ": the bytes past the declared report are ignored"}`,
      where,
      shorter ? "warning" : "info",
    );
  }

  /** HID_REPORT_MPS: more than one packet's worth on the interrupt IN endpoint when no input report needs it. */
  private packetLimit(
    i: InterfaceDescriptor,
    desc: HidReportDescriptor,
    length: number,
    where: FindingPlace,
  ): boolean {
    const ep = i.endpoints.find((e) => e.bEndpointAddress === where.endpoint);
    if (!ep) return false;
    const mps = bytesPerInterval(ep.wMaxPacketSize);
    if (mps === 0 || length <= mps) return false;
    const longest = Math.max(0, ...desc.reports.filter((r) => r.type === "input").map((r) => r.bytes));
    if (longest > mps) return false;
    this.once(
      R.HID_REPORT_MPS,
      `${i.bInterfaceNumber}:mps:${length}`,
      `interface ${i.bInterfaceNumber} input report of ${length} bytes spans more than one ${mps}-byte packet of endpoint 0x${ep.bEndpointAddress.toString(16)}, but the report descriptor's longest input report is ${longest} bytes`,
      where,
    );
    return true;
  }

  /** HID_BOOT_LAYOUT: Appendix B.1 keyboard reports are 8 bytes, B.2 mouse reports at least 3. */
  private bootLayout(i: InterfaceDescriptor, length: number, where: FindingPlace): void {
    const keyboard = i.bInterfaceProtocol === BOOT_KEYBOARD;
    if (keyboard ? length === 8 : length >= 3) return;
    this.once(
      R.HID_BOOT_LAYOUT,
      `${i.bInterfaceNumber}:boot:${length}`,
      `interface ${i.bInterfaceNumber} (boot ${keyboard ? "keyboard" : "mouse"}, boot protocol set) sent a ${length}-byte report; the boot ${keyboard ? "keyboard report is 8 bytes (modifiers, reserved, six key codes)" : "mouse report is at least 3 bytes (buttons, X, Y)"}`,
      where,
    );
  }

  private once(rule: RuleInfo, key: string, message: string, where: FindingPlace, severity?: Severity): void {
    const k = `${this.deviceId}:${rule.id}:${key}`;
    if (this.said.has(k) || this.said.size >= MAX_SAID) return;
    this.said.add(k);
    this.findings.add(finding(rule, message, where, severity ?? rule.severity));
  }
}
