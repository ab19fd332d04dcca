// The scale captures of `npm run bench` (README "Reliability"): host URB captures far larger than any test
// holds, to show that memory follows what is open, not the capture's length.
//
//   transfers: one device enumerated, then polled with control requests for hours (GET_STATUS and a 64-byte
//              vendor read, alternately, 8 ms apart: ten million of them is a day of a polling driver);
//   devices:   that many devices enumerated one after another, 120 to a bus, so hundreds of buses.
//
// Both in binary usbmon (LINKTYPE 220 in pcap) and in usbmon text. The URB events come from the capture
// builder's UrbHost once, as templates; each copy only patches its tags, times, bus and address, so a capture
// of tens of millions of records streams out in seconds, one output chunk at a time (never the whole file).
import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from "node:fs";
import path from "node:path";
import { LinkType } from "../as/shared/constants.js";
import { configuration, deviceDescriptor, endpointDesc, interfaceDesc } from "../builder/descriptors.js";
import type { DeviceModel } from "../builder/device.js";
import { UrbHost, type UrbEvent, type UrbSink } from "../builder/urb.js";
import { encodeUsbmon } from "../builder/usbmon.js";
import { usbmonTextLine } from "../builder/usbmonText.js";
import { cacheDir } from "./generate.js";

export type ScaleKind = "transfers" | "devices";
export type ScaleFormat = "usbmon" | "text";

/** Bump when the traffic changes: cached files carry it in their name. */
const SCALE_VERSION = 1;
/** 2026-01-01T00:00:00Z. */
const START_SEC = 1767225600;
/** Devices per bus in the "devices" capture (Linux numbers them 1..127 on each bus). */
const DEVICES_PER_BUS = 120;
/** Time between two polls, and between two enumerations. */
const POLL_NS = 8_000_000;
const ENUMERATION_NS = 50_000_000;

/** Records events into an array (the templates). */
class Recorder implements UrbSink {
  readonly events: UrbEvent[] = [];
  event(e: UrbEvent): void {
    this.events.push(e);
  }
}

/** A full-speed HID-like device with strings, as the enumeration and polls see it. */
function scaleDevice(address: number): DeviceModel {
  return {
    speed: "full",
    address,
    deviceDescriptor: deviceDescriptor({
      bMaxPacketSize0: 64,
      idVendor: 0x1209,
      idProduct: 0x5ca1,
      iManufacturer: 1,
      iProduct: 2,
    }),
    configDescriptor: configuration({ bMaxPower: 50 }, [
      interfaceDesc({ bInterfaceNumber: 0, bInterfaceClass: 0xff }, [
        endpointDesc({ bEndpointAddress: 0x81, bmAttributes: 3, wMaxPacketSize: 8, bInterval: 10 }),
      ]),
    ]),
    strings: { 1: "usbscope", 2: "scale test device" },
  };
}

/** The enumeration of one device at `address` on bus 1, as URB events with times from 0. */
function enumerationEvents(address: number): UrbEvent[] {
  const rec = new Recorder();
  new UrbHost(rec, { start: { sec: 0, nsec: 0 } }).enumerate(scaleDevice(address));
  return rec.events;
}

/** One poll of the "transfers" capture: GET_STATUS (2 bytes), then a 64-byte vendor read, alternately. */
function pollEvents(): UrbEvent[][] {
  const rec = new Recorder();
  const host = new UrbHost(rec, { start: { sec: 0, nsec: 0 } });
  host.control(
    5,
    { bmRequestType: 0x80, bRequest: 0, wValue: 0, wIndex: 0, wLength: 2 },
    {
      response: new Uint8Array([1, 0]),
    },
  );
  const vendor = new Uint8Array(64).map((_, i) => (i * 7) & 0xff);
  host.control(
    5,
    { bmRequestType: 0xc0, bRequest: 1, wValue: 0, wIndex: 0, wLength: 64 },
    { response: vendor },
  );
  return [rec.events.slice(0, 2), rec.events.slice(2, 4)];
}

/** One URB event of the capture: a template copy with its own tag, time, bus and address. */
function place(e: UrbEvent, tag: bigint, timeNs: number, bus: number, address: number): UrbEvent {
  const t = e.sec * 1e9 + e.nsec + timeNs;
  const sec = Math.floor(t / 1e9);
  const setup = e.setup && e.setup[1] === 5 && e.setup[0] === 0 ? setAddress(e.setup, address) : e.setup;
  return {
    ...e,
    id: tag,
    sec: START_SEC + sec,
    nsec: t - sec * 1e9,
    busnum: bus,
    devnum: e.devnum === 0 ? 0 : address,
    setup,
  };
}

/** The SET_ADDRESS setup bytes for `address` (wValue, §9.4.6). */
function setAddress(setup: Uint8Array, address: number): Uint8Array {
  const s = setup.slice();
  s[2] = address;
  return s;
}

/**
 * Write the capture's events in order, each through `emit`: `n` polls after one enumeration ("transfers"),
 * or `n` enumerations on successive buses ("devices").
 */
function eachEvent(kind: ScaleKind, n: number, emit: (e: UrbEvent) => void): void {
  let tag = 0xffff8880_00000000n;
  const next = () => (tag += 0x40n);
  // A submission and its completion share their template's tag; each URB gets a tag of its own.
  const retag = (events: UrbEvent[], timeNs: number, bus: number, address: number) => {
    const tags = new Map<bigint, bigint>();
    for (const e of events) {
      let id = tags.get(e.id);
      if (id === undefined) tags.set(e.id, (id = next()));
      emit(place(e, id, timeNs, bus, address));
    }
  };
  if (kind === "transfers") {
    retag(enumerationEvents(5), 0, 1, 5);
    const polls = pollEvents();
    for (let i = 0; i < n; i++) {
      const t = 1_000_000_000 + i * POLL_NS;
      const tagNow = next();
      for (const e of polls[i & 1]!) emit(place(e, tagNow, t, 1, 5));
    }
    return;
  }
  // Each device's enumeration at its own address on its own bus; every template is made once per address.
  const templates = new Map<number, UrbEvent[]>();
  for (let i = 0; i < n; i++) {
    const bus = 1 + Math.floor(i / DEVICES_PER_BUS);
    const address = 1 + (i % DEVICES_PER_BUS);
    let events = templates.get(address);
    if (!events) templates.set(address, (events = enumerationEvents(address)));
    retag(events, i * ENUMERATION_NS, bus, address);
  }
}

/** pcap file header: microsecond timestamps, little-endian, LINKTYPE_USB_LINUX_MMAPPED (220). */
function pcapHeader(): Uint8Array {
  const h = new Uint8Array(24);
  const v = new DataView(h.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 262144, true);
  v.setUint32(20, LinkType.USB_LINUX_MMAPPED, true);
  return h;
}

/** Stream the capture to `write` in ~4 MiB chunks (reused: consume synchronously). Returns bytes and records. */
export function writeScaleCapture(
  kind: ScaleKind,
  format: ScaleFormat,
  n: number,
  write: (chunk: Uint8Array) => void,
): { bytes: number; records: number } {
  const CHUNK = 4 << 20;
  const buf = new Uint8Array(CHUNK + 65536);
  const view = new DataView(buf.buffer);
  let at = 0;
  let bytes = 0;
  let records = 0;
  const flush = () => {
    write(buf.subarray(0, at));
    bytes += at;
    at = 0;
  };
  const encoder = new TextEncoder();
  if (format === "usbmon") {
    buf.set(pcapHeader(), 0);
    at = 24;
  }
  eachEvent(kind, n, (e) => {
    records++;
    if (format === "text") {
      at += encoder.encodeInto(`${usbmonTextLine(e)}\n`, buf.subarray(at)).written;
    } else {
      const rec = encodeUsbmon(e, true, true);
      view.setUint32(at, e.sec, true);
      view.setUint32(at + 4, Math.floor(e.nsec / 1000), true);
      view.setUint32(at + 8, rec.length, true);
      view.setUint32(at + 12, rec.length, true);
      buf.set(rec, at + 16);
      at += 16 + rec.length;
    }
    if (at >= CHUNK) flush();
  });
  flush();
  return { bytes, records };
}

/** The cached scale capture (generated on first use into .cache/bench/, git-ignored). */
export function ensureScaleCapture(
  repoRoot: string,
  kind: ScaleKind,
  format: ScaleFormat,
  n: number,
  log: (msg: string) => void = () => {},
): string {
  const dir = cacheDir(repoRoot);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `scale-${kind}-${n}-v${SCALE_VERSION}.${format === "text" ? "mon" : "pcap"}`);
  if (existsSync(file) && statSync(file).size > 0) return file;
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w");
  const t0 = performance.now();
  let info;
  try {
    info = writeScaleCapture(kind, format, n, (chunk) => {
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
    });
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  log(
    `generated ${path.basename(file)}: ${(info.bytes / 1e6).toFixed(0)} MB, ${info.records} URB events in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return file;
}
