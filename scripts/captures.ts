// The bundled golden captures: each a protocol situation built with the capture builder, and what
// usbscope must say about it. `npm run captures` writes them to captures/<name>/; the golden test
// rebuilds them in memory, checks the committed bytes are identical, and checks the expectations.
// Expectations are written from the fault each scenario injects (the packet it lands on), never
// copied from usbscope's output.
import { Pid } from "../as/shared/constants.js";
import type { BusSim } from "../builder/bus.js";
import { rawCapture, urbCapture } from "../builder/capture.js";
import { configuration, deviceDescriptor, endpointDesc, interfaceDesc } from "../builder/descriptors.js";
import { setupPacket, type DeviceModel } from "../builder/device.js";

export interface Expected {
  rule: string;
  /** Record index the finding must name. */
  packet?: number;
  severity?: "error" | "warning" | "info";
}

export interface GoldenCapture {
  name: string;
  file: string;
  description: string;
  bytes: Uint8Array;
  /** Findings that must be reported (rule, and packet where the fault is one packet). */
  expect: Expected[];
  /** Total error-severity findings. */
  errors: number;
  /** Rules that must not fire. */
  silent?: string[];
  /** Words the device diagnosis must contain (or "ok": the device enumerated cleanly). */
  diagnosis?: string;
}

/** A high-speed vendor device with a bulk pair, as many firmware projects start. */
function hsBulkDevice(address = 5): DeviceModel {
  return {
    speed: "high",
    address,
    deviceDescriptor: deviceDescriptor({
      bcdUSB: 0x0200,
      bMaxPacketSize0: 64,
      idVendor: 0x1209,
      idProduct: 0x0001,
      iManufacturer: 1,
      iProduct: 2,
      iSerialNumber: 3,
    }),
    configDescriptor: configuration({ bMaxPower: 50 }, [
      interfaceDesc({ bInterfaceNumber: 0, bInterfaceClass: 0xff }, [
        endpointDesc({ bEndpointAddress: 0x81, bmAttributes: 2, wMaxPacketSize: 512 }),
        endpointDesc({ bEndpointAddress: 0x02, bmAttributes: 2, wMaxPacketSize: 512 }),
      ]),
    ]),
    strings: { 1: "usbscope", 2: "Bulk loopback", 3: "0001" },
  };
}

/** A full-speed CDC-ACM device: 2 interfaces (communication + data), a 67-byte configuration set. */
function fsCdcDevice(address = 7, extraInterface = false): DeviceModel {
  const comm = interfaceDesc(
    { bInterfaceNumber: 0, bInterfaceClass: 2, bInterfaceSubClass: 2, bInterfaceProtocol: 1 },
    [
      Uint8Array.of(5, 0x24, 0x00, 0x10, 0x01), // CDC header 1.10
      Uint8Array.of(5, 0x24, 0x01, 0x00, 0x01), // call management
      Uint8Array.of(4, 0x24, 0x02, 0x02), // ACM
      Uint8Array.of(5, 0x24, 0x06, 0x00, 0x01), // union: master 0, slave 1
      endpointDesc({ bEndpointAddress: 0x83, bmAttributes: 3, wMaxPacketSize: 8, bInterval: 16 }),
    ],
  );
  const data = interfaceDesc({ bInterfaceNumber: 1, bInterfaceClass: 0x0a }, [
    endpointDesc({ bEndpointAddress: 0x81, bmAttributes: 2, wMaxPacketSize: 64 }),
    endpointDesc({ bEndpointAddress: 0x01, bmAttributes: 2, wMaxPacketSize: 64 }),
  ]);
  const parts = [comm, data];
  // A mass-storage interface appended at run time by firmware that forgot to update bNumInterfaces.
  if (extraInterface)
    parts.push(
      interfaceDesc(
        { bInterfaceNumber: 2, bInterfaceClass: 8, bInterfaceSubClass: 6, bInterfaceProtocol: 0x50 },
        [
          endpointDesc({ bEndpointAddress: 0x82, bmAttributes: 2, wMaxPacketSize: 64 }),
          endpointDesc({ bEndpointAddress: 0x02, bmAttributes: 2, wMaxPacketSize: 64 }),
        ],
      ),
    );
  return {
    speed: "full",
    address,
    deviceDescriptor: deviceDescriptor({
      bcdUSB: 0x0200,
      bDeviceClass: 2,
      bMaxPacketSize0: 64,
      idVendor: 0x1209,
      idProduct: 0x0002,
      iProduct: 2,
    }),
    configDescriptor: configuration({ bNumInterfaces: 2 }, parts),
    strings: { 2: "CDC serial" },
  };
}

function bulkTraffic(bus: BusSim, addr: number): void {
  bus.bulkOut(
    addr,
    2,
    new Uint8Array(1500).map((_, i) => i & 0xff),
    512,
    { naks: 2 },
  );
  bus.bulkIn(
    addr,
    1,
    new Uint8Array(1500).map((_, i) => (i * 3) & 0xff),
    512,
    { naks: 3 },
  );
  bus.idle(2_000_000);
}

export function goldenCaptures(): GoldenCapture[] {
  const out: GoldenCapture[] = [];

  {
    const dev = hsBulkDevice();
    const { bytes } = rawCapture({ speed: "high", format: "pcapng" }, (bus) => {
      bus.idle(1_000_000);
      bus.enumerate(dev);
      bulkTraffic(bus, dev.address);
    });
    out.push({
      name: "enumeration-ok",
      file: "capture.pcapng",
      description:
        "A high-speed vendor bulk device enumerated by Linux (GET_DESCRIPTOR at address 0, SET_ADDRESS, descriptors, strings, SET_CONFIGURATION), then bulk OUT and IN with NAKs and PINGs. Nothing is wrong.",
      bytes,
      expect: [],
      errors: 0,
      silent: ["CRC5", "CRC16", "SOF_SEQUENCE", "TOGGLE_BULK_INT", "CTRL_INCOMPLETE", "PID_SEQUENCE"],
      diagnosis: "ok",
    });
  }

  {
    const dev = fsCdcDevice();
    let crc16At = -1;
    let crc5At = -1;
    const { bytes } = rawCapture({ speed: "full" }, (bus) => {
      bus.idle(1_000_000);
      bus.enumerate(dev);
      // A marginal cable: a bulk IN data packet and a later IN token arrive damaged.
      bus.fault({ pid: Pid.DATA0, kind: "crc" });
      crc16At = bus.in(dev.address, 1, Pid.DATA0, new Uint8Array(64).fill(0x5a), null).first + 1;
      bus.inNak(dev.address, 1);
      bus.fault({ pid: Pid.IN, kind: "crc" });
      crc5At = bus.inNak(dev.address, 3).first;
      bus.idle(1_000_000);
    });
    out.push({
      name: "bad-cable-crc",
      file: "capture.pcap",
      description:
        "A full-speed CDC device over a marginal cable: a bulk IN DATA0 packet fails its CRC16 (the host rightly does not ACK it) and an IN token fails its CRC5.",
      bytes,
      expect: [
        { rule: "CRC16", packet: crc16At, severity: "error" },
        { rule: "CRC5", packet: crc5At, severity: "error" },
      ],
      errors: 2,
    });
  }

  {
    const dev = fsCdcDevice();
    let setupAt = -1;
    const { bytes } = rawCapture({ speed: "full" }, (bus) => {
      bus.idle(1_000_000);
      bus.enumerate(dev, { stopAfter: "config9" });
      // GET_DESCRIPTOR(CONFIGURATION, 67): the firmware sends its first 64-byte packet, then NAKs every IN.
      setupAt = bus.setup(
        dev.address,
        0,
        new Uint8Array([0x80, 6, 0, 2, 0, 0, dev.configDescriptor.length, 0]),
      ).first;
      bus.in(dev.address, 0, Pid.DATA1, dev.configDescriptor.subarray(0, 64));
      for (let i = 0; i < 300; i++) {
        bus.inNak(dev.address, 0);
        bus.idle(15_000);
      }
    });
    out.push({
      name: "config-first-packet-only",
      file: "capture.pcap",
      description:
        "Firmware that can send only one packet per control read: it returns the first 64 of the 67 bytes of its configuration descriptor, then NAKs every IN until the capture ends.",
      bytes,
      // One cause, one finding: the short configuration read says it all; the unfinished transfer, the
      // configuration never read whole and the enumeration left unfinished are its consequences.
      expect: [{ rule: "CFG_TOTAL_LENGTH_MISMATCH", packet: setupAt, severity: "error" }],
      errors: 1,
      silent: ["CTRL_INCOMPLETE", "ENUM_CONFIG_FAIL", "ENUM_GAVE_UP"],
      diagnosis: "64 of",
    });
  }

  {
    const dev = fsCdcDevice(9, true);
    const { bytes } = rawCapture({ speed: "full" }, (bus) => {
      bus.idle(1_000_000);
      bus.enumerate(dev);
      bus.idle(1_000_000);
    });
    out.push({
      name: "interface-appended",
      file: "capture.pcap",
      description:
        "A CDC device whose firmware appends a mass-storage interface at run time but leaves bNumInterfaces at 2: three interfaces follow.",
      bytes,
      expect: [
        { rule: "CFG_NUM_IFS", severity: "error" },
        { rule: "IF_NUMBERING", severity: "error" },
      ],
      errors: 2,
      diagnosis: "bNumInterfaces",
    });
  }

  {
    const dev = hsBulkDevice(3);
    let badAt = -1;
    const { bytes } = rawCapture({ speed: "high", format: "pcapng" }, (bus) => {
      bus.idle(500_000);
      bus.enumerate(dev);
      bus.in(dev.address, 1, Pid.DATA0, new Uint8Array(100).fill(1));
      bus.idle(200_000);
      // The firmware does not flip its toggle: DATA0 again, with new data, and the host ACKs it.
      badAt = bus.in(dev.address, 1, Pid.DATA0, new Uint8Array(100).fill(2)).first + 1;
      bus.idle(1_000_000);
    });
    out.push({
      name: "bulk-toggle-stuck",
      file: "capture.pcapng",
      description:
        "A high-speed bulk IN endpoint that sends DATA0 twice in a row with different data: the firmware did not toggle, so the host drops the second packet as a duplicate (§8.6).",
      bytes,
      expect: [{ rule: "TOGGLE_BULK_INT", packet: badAt, severity: "error" }],
      errors: 1,
    });
  }

  {
    const dev: DeviceModel = { ...fsCdcDevice(4), speed: "full" };
    let stallAt = -1;
    const { bytes } = urbCapture({ format: "text", busnum: 1 }, (host) => {
      const spans = host.enumerate(dev, { faults: { configAll: { stall: "data" } } });
      stallAt = spans.configAll!.complete;
    });
    out.push({
      name: "usbmon-config-stall",
      file: "capture.mon",
      description:
        "usbmon text from a Linux host: the device STALLs the full GET_DESCRIPTOR(CONFIGURATION) read after answering the 9-byte header.",
      bytes,
      // One cause, one finding: CFG_READ_FAIL tells the STALLed read with its -32 EPIPE; no URB_ERROR besides.
      expect: [{ rule: "CFG_READ_FAIL", packet: stallAt - 1, severity: "error" }],
      errors: 1,
      silent: ["URB_ERROR", "CTRL_STALL"],
      diagnosis: "STALL",
    });
  }

  {
    const dev = hsBulkDevice(2);
    const { bytes } = urbCapture({ format: "usbpcap", busnum: 1 }, (host) => {
      host.enumerate(dev);
      host.bulkOut(dev.address, 2, new Uint8Array(512).fill(7));
      host.bulkIn(dev.address, 1, new Uint8Array(512).fill(9));
    });
    out.push({
      name: "usbpcap-enumeration-ok",
      file: "capture.pcap",
      description: "USBPcap (Windows) capture of a clean enumeration and one bulk transfer each way.",
      bytes,
      expect: [],
      errors: 0,
      silent: ["URB_ERROR", "FMT_USBPCAP_HDRLEN"],
      diagnosis: "ok",
    });
  }

  {
    const dev = hsBulkDevice(6);
    let babbleAt = -1;
    const { bytes } = urbCapture({ format: "usbmon64", busnum: 2 }, (host) => {
      host.enumerate(dev);
      // A device that answers a 4-byte GET_STATUS-like vendor read with 64 bytes: the host reports babble.
      babbleAt = host.control(dev.address, setupPacket(0xc0, 0x01, 0, 0, 4), {
        response: new Uint8Array(64),
        faults: { ignoreWLength: true },
      }).complete;
    });
    out.push({
      name: "usbmon-babble",
      file: "capture.pcap",
      description:
        "usbmon (LINKTYPE_USB_LINUX_MMAPPED) capture: the device answers a 4-byte vendor read with 64 bytes and the host controller reports babble (-75 EOVERFLOW).",
      bytes,
      // One cause, one finding: CTRL_RESP_OVER_WLENGTH names the -75 status; no URB_ERROR beside it.
      expect: [{ rule: "CTRL_RESP_OVER_WLENGTH", packet: babbleAt, severity: "error" }],
      silent: ["URB_ERROR"],
      errors: 1,
    });
  }

  return out;
}
