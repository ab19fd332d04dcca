// The URB benchmark capture: Linux usbmon (LINKTYPE_USB_LINUX_MMAPPED 220, pcap, µs) of a busy
// full-speed bus, as long as asked for, written through the builder's URB host and usbmon writer.
//
// Three devices are enumerated first (so the descriptor rules and URB_TYPE_MISMATCH run on every URB),
// then every millisecond a CDC-ACM serial adapter returns 1..64 bytes on bulk IN (and the host sends a
// few bytes on bulk OUT every 4 ms), a headset takes one isochronous OUT URB of 8 packets every 8 ms,
// and a keyboard is polled every 8 ms on interrupt IN, answering the same report most of the time (what
// `transfers` folds). One ChunkSink, written synchronously: the file is never held in memory.
import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from "node:fs";
import path from "node:path";
import { LinkType } from "../as/shared/constants.js";
import { configuration, deviceDescriptor, endpointDesc, interfaceDesc } from "../builder/descriptors.js";
import type { DeviceModel } from "../builder/device.js";
import { UrbHost } from "../builder/urb.js";
import { UsbmonPcapWriter } from "../builder/usbmon.js";
import { cacheDir, xorshift } from "./generate.js";

/** Bump when the traffic changes: cached files carry it in their name. */
const URB_PATTERN_VERSION = 1;

const serial: DeviceModel = {
  speed: "full",
  address: 2,
  deviceDescriptor: deviceDescriptor({ idVendor: 0x1d50, idProduct: 0x6018, bDeviceClass: 2 }),
  configDescriptor: configuration({}, [
    interfaceDesc({ bInterfaceNumber: 0, bInterfaceClass: 2, bInterfaceSubClass: 2 }, [
      endpointDesc({ bEndpointAddress: 0x83, bmAttributes: 3, wMaxPacketSize: 16, bInterval: 255 }),
    ]),
    interfaceDesc({ bInterfaceNumber: 1, bInterfaceClass: 10 }, [
      endpointDesc({ bEndpointAddress: 0x81, bmAttributes: 2, wMaxPacketSize: 64 }),
      endpointDesc({ bEndpointAddress: 0x02, bmAttributes: 2, wMaxPacketSize: 64 }),
    ]),
  ]),
};

const keyboard: DeviceModel = {
  speed: "full",
  address: 3,
  deviceDescriptor: deviceDescriptor({ idVendor: 0x1209, idProduct: 0x0001 }),
  configDescriptor: configuration({}, [
    interfaceDesc({ bInterfaceClass: 3, bInterfaceSubClass: 1, bInterfaceProtocol: 1 }, [
      endpointDesc({ bEndpointAddress: 0x81, bmAttributes: 3, wMaxPacketSize: 8, bInterval: 8 }),
    ]),
  ]),
};

const headset: DeviceModel = {
  speed: "full",
  address: 4,
  deviceDescriptor: deviceDescriptor({ idVendor: 0x1209, idProduct: 0x0002 }),
  configDescriptor: configuration({}, [
    interfaceDesc({ bInterfaceNumber: 0, bInterfaceClass: 1, bInterfaceSubClass: 1 }),
    interfaceDesc({ bInterfaceNumber: 1, bInterfaceClass: 1, bInterfaceSubClass: 2 }),
    interfaceDesc({ bInterfaceNumber: 1, bAlternateSetting: 1, bInterfaceClass: 1, bInterfaceSubClass: 2 }, [
      endpointDesc({ bEndpointAddress: 0x01, bmAttributes: 0x09, wMaxPacketSize: 48, bInterval: 1 }),
    ]),
  ]),
};

/** Stream a capture of at least `minEvents` URB events to `write`. Returns the byte and event counts. */
export function writeUrbCapture(
  minEvents: number,
  write: (chunk: Uint8Array) => void,
): { bytes: number; events: number } {
  let bytes = 0;
  const w = new UsbmonPcapWriter(
    (chunk) => {
      bytes += chunk.length;
      write(chunk);
    },
    { linktype: LinkType.USB_LINUX_MMAPPED, chunkSize: 4 << 20 },
  );
  const h = new UrbHost(w, { busnum: 1, latencyNs: 120_000, start: { sec: 1767225600, nsec: 0 } });
  for (const dev of [serial, keyboard, headset]) h.enumerate(dev);
  const rand = xorshift(0x5eed);
  const serialData = Uint8Array.from({ length: 64 }, (_, i) => 0x30 + (i % 40));
  const audio = Array.from({ length: 8 }, (_, i) => new Uint8Array(48).fill(i));
  let report = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0);
  for (let ms = 0; h.events < minEvents; ms++) {
    h.bulkIn(2, 1, serialData.subarray(0, 1 + (rand() % 64)), { length: 64 });
    if (ms % 4 === 0) h.bulkOut(2, 2, serialData.subarray(0, 4));
    if (ms % 8 === 0) {
      // A key goes down or up about once in 25 polls: the other polls repeat the last report.
      if (rand() % 25 === 0) report = Uint8Array.of(0, 0, 4 + (rand() % 26), 0, 0, 0, 0, 0);
      h.interruptIn(3, 1, report, { length: 8 });
      h.iso(4, 0x01, audio);
    }
    h.idle(1_000_000 - 120_000 * (ms % 8 === 0 ? 4 : ms % 4 === 0 ? 2 : 1));
  }
  w.close();
  return { bytes, events: h.events };
}

/** The cached URB capture of at least `minEvents` events, generated on first use. */
export function ensureUrbCapture(repoRoot: string, minEvents: number, log: (msg: string) => void): string {
  const dir = cacheDir(repoRoot);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `urb-v${URB_PATTERN_VERSION}-${Math.round(minEvents / 1000)}k.pcap`);
  if (existsSync(file) && statSync(file).size > 0) return file;
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w");
  const t0 = performance.now();
  let info;
  try {
    info = writeUrbCapture(minEvents, (chunk) => {
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
    });
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  log(
    `generated ${path.basename(file)}: ${(info.bytes / 1e6).toFixed(0)} MB, ${info.events} URB events in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return file;
}
