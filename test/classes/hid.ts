// HID sessions on the built HID device (builder/hidDevices.ts): enumerated, its report descriptors read
// (HID 1.11 §7.1.1), then reports on the interrupt endpoints and through GET_REPORT / SET_REPORT, on the
// wire or as URBs (usbmon, USBPcap).
import { rawCapture, urbCapture } from "../../builder/capture.js";
import { setupPacket } from "../../builder/device.js";
import { HID_REPORTS, hidDevice } from "../../builder/hidDevices.js";
import { XferType } from "../../builder/urb.js";

export const HID_ADDR = 5;
export type Source = "raw" | "usbmon" | "usbpcap";
export const SOURCES: Source[] = ["raw", "usbmon", "usbpcap"];

/** What a test's host does after the enumeration. */
export interface HidHost {
  /** An input report on interrupt IN endpoint `ep`; raw: a NAKed poll after it unless `backToBack`. */
  input(ep: number, report: Uint8Array, o?: { backToBack?: boolean }): void;
  /** An output report on interrupt OUT endpoint `ep`. */
  output(ep: number, report: Uint8Array): void;
  /** GET_REPORT (type 1 input, 3 feature) answered with `report`. */
  getReport(iface: number, type: number, id: number, report: Uint8Array): void;
  /** SET_REPORT (type 2 output, 3 feature) with `report`. */
  setReport(iface: number, type: number, id: number, report: Uint8Array): void;
  /** SET_PROTOCOL: 0 boot, 1 report. */
  setProtocol(iface: number, protocol: number): void;
}

/** A capture of the HID device enumerated, its report descriptors read, then `steps`. */
export function hidCapture(
  source: Source,
  steps: (h: HidHost) => void,
  o: { reports?: readonly Uint8Array[] } = {},
): Uint8Array {
  const reports = o.reports ?? HID_REPORTS;
  const dev = hidDevice(HID_ADDR, { reports });
  const a = HID_ADDR;
  const readDescriptor = (i: number) => setupPacket(0x81, 0x06, 0x2200, i, reports[i]!.length + 64);
  const getReport = (i: number, type: number, id: number, n: number) =>
    setupPacket(0xa1, 0x01, (type << 8) | id, i, n);
  const setReport = (i: number, type: number, id: number, n: number) =>
    setupPacket(0x21, 0x09, (type << 8) | id, i, n);
  if (source === "raw")
    return rawCapture({ speed: "full" }, (sim) => {
      sim.enumerate(dev);
      reports.forEach((r, i) => sim.controlRead(a, readDescriptor(i), r, 64));
      steps({
        input: (ep, report, x = {}) => {
          sim.bulkIn(a, ep, report, 8);
          if (!x.backToBack) sim.inNak(a, ep);
        },
        output: (ep, report) => void sim.bulkOut(a, ep, report, 8),
        getReport: (i, type, id, report) =>
          void sim.controlRead(a, getReport(i, type, id, report.length), report, 64),
        setReport: (i, type, id, report) =>
          void sim.controlWrite(a, setReport(i, type, id, report.length), report, 64),
        setProtocol: (i, p) => void sim.controlNoData(a, setupPacket(0x21, 0x0b, p, i, 0)),
      });
    }).bytes;
  return urbCapture({ format: source === "usbmon" ? "usbmon64" : "usbpcap" }, (host) => {
    host.enumerate(dev);
    reports.forEach((r, i) => host.control(a, readDescriptor(i), { response: r }));
    steps({
      input: (ep, report) => void host.transfer(XferType.INTERRUPT, a, 0x80 | ep, report, { length: 64 }),
      output: (ep, report) => void host.transfer(XferType.INTERRUPT, a, ep, report),
      getReport: (i, type, id, report) =>
        void host.control(a, getReport(i, type, id, report.length), { response: report }),
      setReport: (i, type, id, report) =>
        void host.control(a, setReport(i, type, id, report.length), { outData: report }),
      setProtocol: (i, p) => void host.control(a, setupPacket(0x21, 0x0b, p, i, 0)),
    });
  }).bytes;
}
