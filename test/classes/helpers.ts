// Built captures of the class tests: the composite gadget and a hub (builder/classDevices.ts) enumerated
// and sent class and vendor requests, on the wire (BusSim) or as URBs (usbmon, USBPcap).
import { rawCapture, urbCapture, type UrbFormat } from "../../builder/capture.js";
import type { BusSim } from "../../builder/bus.js";
import type { UrbHost } from "../../builder/urb.js";
import { setupPacket } from "../../builder/device.js";
import {
  MSOS20_VENDOR_CODE,
  WEBUSB_VENDOR_CODE,
  compositeGadget,
  hubDescriptorBytes,
  hubDevice,
  msOs20DescriptorSet,
  webUsbUrl,
} from "../../builder/classDevices.js";
import type { SetupPacket } from "../../src/usb/model.js";
import { analyzeSource, bufferSource, type TransferSummary } from "../../src/index.js";

/** One host issuing control requests, whichever builder writes them. */
export interface Requests {
  read(addr: number, setup: SetupPacket, response: Uint8Array): void;
  write(addr: number, setup: SetupPacket, data: Uint8Array): void;
  none(addr: number, setup: SetupPacket): void;
}

export function busRequests(sim: BusSim): Requests {
  return {
    read: (a, s, r) => void sim.controlRead(a, s, r, 64).last,
    write: (a, s, d) => void sim.controlWrite(a, s, d, 64),
    none: (a, s) => void sim.controlNoData(a, s),
  };
}

export function urbRequests(host: UrbHost): Requests {
  return {
    read: (a, s, r) => void host.control(a, s, { response: r }),
    write: (a, s, d) => void host.control(a, s, { outData: d }),
    none: (a, s) => void host.control(a, s),
  };
}

export const GADGET = 7;
export const HUB = 1;

/** The class and vendor requests every test capture sends, in this order (see the expectations in requests.test.ts). */
export function classRequests(r: Requests): void {
  const g = GADGET;
  // CDC (PSTN 1.2 §6.3): 115200 8N1 set, 57600 7E2 read back, DTR on, a 250 ms break.
  r.write(g, setupPacket(0x21, 0x20, 0, 0, 7), Uint8Array.of(0x00, 0xc2, 0x01, 0x00, 0, 0, 8));
  r.read(g, setupPacket(0xa1, 0x21, 0, 0, 7), Uint8Array.of(0x00, 0xe1, 0x00, 0x00, 2, 2, 7));
  r.none(g, setupPacket(0x21, 0x22, 0x0001, 0, 0));
  r.none(g, setupPacket(0x21, 0x23, 250, 0, 0));
  // HID (HID 1.11 §7.2): SET_IDLE 500 ms for all reports, GET_REPORT feature 2, SET_PROTOCOL boot, GET_PROTOCOL.
  r.none(g, setupPacket(0x21, 0x0a, 0x7d00, 2, 0));
  r.read(g, setupPacket(0xa1, 0x01, 0x0302, 2, 3), Uint8Array.of(2, 0xaa, 0xbb));
  r.none(g, setupPacket(0x21, 0x0b, 0, 2, 0));
  r.read(g, setupPacket(0xa1, 0x03, 0, 2, 1), Uint8Array.of(0));
  // Mass storage (BOT 1.0 §3): Get Max LUN answering 1 (two LUNs), Bulk-Only Mass Storage Reset.
  r.read(g, setupPacket(0xa1, 0xfe, 0, 3, 1), Uint8Array.of(1));
  r.none(g, setupPacket(0x21, 0xff, 0, 3, 0));
  // DFU (DFU 1.1 §3): GETSTATUS (OK, 100 ms, appIDLE), GETSTATE, DETACH 1000 ms.
  r.read(g, setupPacket(0xa1, 0x03, 0, 4, 6), Uint8Array.of(0, 100, 0, 0, 0, 0));
  r.read(g, setupPacket(0xa1, 0x05, 0, 4, 1), Uint8Array.of(0));
  r.none(g, setupPacket(0x21, 0x00, 1000, 4, 0));
  // Audio 1.0 §5.2.1: SET_CUR volume -10 dB on feature unit 2 channel 1; GET_CUR mute (master) -> muted.
  r.write(g, setupPacket(0x21, 0x01, 0x0201, 0x0205, 2), Uint8Array.of(0x00, 0xf6));
  r.read(g, setupPacket(0xa1, 0x81, 0x0100, 0x0205, 1), Uint8Array.of(1));
  // WebUSB GET_URL 1 and the MS OS 2.0 descriptor set, at the vendor codes the BOS announced.
  r.read(g, setupPacket(0xc0, WEBUSB_VENDOR_CODE, 1, 2, 255), webUsbUrl("example.com/app"));
  const set = msOs20DescriptorSet();
  r.read(g, setupPacket(0xc0, MSOS20_VENDOR_CODE, 0, 7, set.length), set);
  // Hub (USB 2.0 §11.24.2): its descriptor, port 1 status (connected, enabled, powered; connection changed),
  // PORT_RESET, C_PORT_RESET cleared.
  const h = HUB;
  r.read(h, setupPacket(0xa0, 0x06, 0x2900, 0, 71), hubDescriptorBytes(4));
  r.read(h, setupPacket(0xa3, 0x00, 0, 1, 4), Uint8Array.of(0x03, 0x01, 0x01, 0x00));
  r.none(h, setupPacket(0x23, 0x03, 4, 1, 0));
  r.none(h, setupPacket(0x23, 0x01, 20, 1, 0));
}

/** A raw full-speed capture: hub and gadget enumerated (unless `enumerate` is false), then classRequests. */
export function rawClassCapture(o: { enumerate?: boolean; iad?: boolean } = {}): Uint8Array {
  return rawCapture({ speed: "full" }, (sim) => {
    if (o.enumerate !== false) {
      sim.enumerate(hubDevice(HUB));
      sim.enumerate(compositeGadget({ address: GADGET, iad: o.iad }));
    }
    classRequests(busRequests(sim));
  }).bytes;
}

/** The same as URBs. */
export function urbClassCapture(format: UrbFormat, o: { enumerate?: boolean } = {}): Uint8Array {
  return urbCapture({ format }, (host) => {
    if (o.enumerate !== false) {
      host.enumerate(hubDevice(HUB));
      host.enumerate(compositeGadget({ address: GADGET }));
    }
    classRequests(urbRequests(host));
  }).bytes;
}

/** Every transfer of a capture, in order, with the analysis result. */
export async function transfersOf(bytes: Uint8Array): Promise<TransferSummary[]> {
  const out: TransferSummary[] = [];
  await analyzeSource(bufferSource(bytes), "built", { onTransfer: (t) => out.push(t) });
  return out;
}
