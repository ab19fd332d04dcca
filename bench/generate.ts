// Benchmark captures: raw high-speed USB 2.0 (LINKTYPE_USB_2_0_HIGH_SPEED, pcap, µs timestamps:
// the classic magic, which the pcap-parser baseline also reads).
//
// The file starts with the enumeration of every device on the bus (so the analysis knows each
// endpoint's type and checks its data toggles, as on a capture of a whole session). Then one 1 ms
// frame (8 microframes of 125 µs, USB 2.0 §8.4.3.1) is built once as pcap records with the
// src/builder encoders (so every CRC5/CRC16 is right); the rest of the file is that block repeated
// with the timestamps and the SOF frame numbers patched. Every endpoint moves an even number of
// data packets per frame, starting with DATA0 after SET_CONFIGURATION, so DATA0/DATA1 keep
// alternating across block copies (§8.6, §9.1.1.5). The writer holds one output chunk, never the file.
import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from "node:fs";
import path from "node:path";
import { LinkType } from "../as/shared/constants.js";
import { Pid, data, handshake, ping, sof, token } from "../builder/packets.js";
import { rawCapture } from "../builder/capture.js";
import { configuration, deviceDescriptor, endpointDesc, interfaceDesc } from "../builder/descriptors.js";
import type { DeviceModel } from "../builder/device.js";

export type CaptureKind = "bulk" | "small";

/** Bump when the traffic pattern changes: cached files carry it in their name. */
const PATTERN_VERSION = 3;

/** High-speed signalling: 480 Mbit/s = 60 bytes per µs (§7.1.11). */
const NS_PER_BYTE = 1000 / 60;
/** Bus overhead per packet on the wire: SYNC (32 bits) + EOP (8 bits) + inter-packet gap, in byte times. */
const PACKET_OVERHEAD_BYTES = 16;
const MICROFRAME_NS = 125_000;
const PCAP_RECORD_HEADER = 16;

/** One frame of traffic as pcap records, timestamps relative to the frame start. */
export interface FrameBlock {
  /** Record headers + packet bytes, timestamps zero (patched per copy). */
  bytes: Uint8Array;
  /** Offset of each record header in `bytes`. */
  recordAt: Uint32Array;
  /** Time of each record after the frame start, ns. */
  relNs: Float64Array;
  /** Offsets (in `bytes`) of the 8 SOF packets, to patch the frame number. */
  sofAt: number[];
  packets: number;
  /** Data packets (DATA0/DATA1) and their payload bytes, for the summary. */
  dataPackets: number;
}

/** A small deterministic PRNG (xorshift32) so every run writes the same bytes. */
export function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

class BlockBuilder {
  private readonly packets: Uint8Array[] = [];
  private readonly times: number[] = [];
  readonly sofIndex: number[] = [];
  private t = 0;
  dataPackets = 0;
  private readonly toggles = new Map<string, number>();
  readonly rand: () => number;

  constructor(seed: number) {
    this.rand = xorshift(seed);
  }

  startMicroframe(uframe: number): void {
    this.t = uframe * MICROFRAME_NS;
    this.sofIndex.push(this.packets.length);
    this.add(sof(0));
  }

  add(packet: Uint8Array): void {
    this.packets.push(packet);
    this.times.push(this.t);
    this.t += (packet.length + PACKET_OVERHEAD_BYTES) * NS_PER_BYTE;
  }

  /** DATA0/DATA1 for `ep`, toggled after each successful packet. */
  dataFor(ep: string, length: number): Uint8Array {
    const toggle = this.toggles.get(ep) ?? 0;
    this.toggles.set(ep, toggle ^ 1);
    const payload = new Uint8Array(length);
    for (let i = 0; i < length; i++) payload[i] = this.rand() & 0xff;
    this.dataPackets++;
    return data(toggle ? Pid.DATA1 : Pid.DATA0, payload);
  }

  build(): FrameBlock {
    let total = 0;
    for (const p of this.packets) total += PCAP_RECORD_HEADER + p.length;
    const bytes = new Uint8Array(total);
    const view = new DataView(bytes.buffer);
    const recordAt = new Uint32Array(this.packets.length);
    const relNs = new Float64Array(this.packets.length);
    let o = 0;
    this.packets.forEach((p, i) => {
      recordAt[i] = o;
      relNs[i] = Math.round(this.times[i]!);
      view.setUint32(o + 8, p.length, true);
      view.setUint32(o + 12, p.length, true);
      bytes.set(p, o + PCAP_RECORD_HEADER);
      o += PCAP_RECORD_HEADER + p.length;
    });
    const sofAt = this.sofIndex.map((i) => recordAt[i]! + PCAP_RECORD_HEADER);
    return { bytes, recordAt, relNs, sofAt, packets: this.packets.length, dataPackets: this.dataPackets };
  }
}

/**
 * Bulk-heavy frame: a vendor-class bulk device (address 3) streaming 512-byte bulk IN (EP1) and
 * OUT (EP2) packets, with the flow control of a real high-speed bus: NAKed INs, PING/NAK and
 * PING/ACK before OUTs (§8.5.1), NYET after an OUT, a short packet ending a transfer, and an
 * interrupt endpoint polled and NAKed once per microframe.
 */
export function bulkFrame(): FrameBlock {
  const b = new BlockBuilder(0x5eed0001);
  for (let u = 0; u < 8; u++) {
    b.startMicroframe(u);
    // Interrupt IN poll of a HID device (address 5, EP1), nothing to report.
    b.add(token(Pid.IN, 5, 1));
    b.add(handshake(Pid.NAK));
    // Bulk IN: six full packets, or five and a short one ending the transfer on odd microframes.
    for (let i = 0; i < 6; i++) {
      b.add(token(Pid.IN, 3, 1));
      b.add(b.dataFor("3.1in", u % 2 === 1 && i === 5 ? 13 + ((u * 37) % 400) : 512));
      b.add(handshake(Pid.ACK));
    }
    // The device is not ready once per microframe.
    b.add(token(Pid.IN, 3, 1));
    b.add(handshake(Pid.NAK));
    // Bulk OUT: PING until the endpoint has room, then four full packets, the last one NYET.
    b.add(ping(3, 2));
    b.add(handshake(u % 4 === 0 ? Pid.NAK : Pid.ACK));
    if (u % 4 === 0) {
      b.add(ping(3, 2));
      b.add(handshake(Pid.ACK));
    }
    for (let i = 0; i < 4; i++) {
      b.add(token(Pid.OUT, 3, 2));
      b.add(b.dataFor("3.2out", 512));
      b.add(handshake(i === 3 ? Pid.NYET : Pid.ACK));
    }
  }
  return b.build();
}

/**
 * Small-packet-heavy frame: a hub full of interrupt devices polled every microframe (§5.7.4) that
 * mostly NAK (a NAK storm), a few 8-byte reports, and PING/NAK loops on a bulk OUT endpoint that
 * is not ready.
 */
export function smallFrame(): FrameBlock {
  const b = new BlockBuilder(0x5eed0002);
  for (let u = 0; u < 8; u++) {
    b.startMicroframe(u);
    for (let round = 0; round < 12; round++) {
      for (let dev = 2; dev < 12; dev++) {
        b.add(token(Pid.IN, dev, 1));
        // Every device sends one report every other microframe on its first round.
        if (round === 0 && (dev + u) % 2 === 0) {
          b.add(b.dataFor(`${dev}.1in`, 8));
          b.add(handshake(Pid.ACK));
        } else {
          b.add(handshake(Pid.NAK));
        }
      }
      b.add(ping(20, 2));
      b.add(handshake(Pid.NAK));
    }
  }
  return b.build();
}

/** A high-speed device with one interface of `cls` and the given endpoints (address, type, size). */
function device(
  address: number,
  cls: [number, number, number],
  endpoints: [number, number, number][],
): DeviceModel {
  return {
    speed: "high",
    address,
    deviceDescriptor: deviceDescriptor({
      bcdUSB: 0x0200,
      bMaxPacketSize0: 64,
      idVendor: 0x1209,
      idProduct: 0x5c00 + address,
    }),
    configDescriptor: configuration({ bMaxPower: 50 }, [
      interfaceDesc(
        {
          bInterfaceNumber: 0,
          bInterfaceClass: cls[0],
          bInterfaceSubClass: cls[1],
          bInterfaceProtocol: cls[2],
        },
        endpoints.map(([ep, type, size]) =>
          endpointDesc({
            bEndpointAddress: ep,
            bmAttributes: type,
            wMaxPacketSize: size,
            bInterval: type === 3 ? 4 : 0,
          }),
        ),
      ),
    ]),
  };
}

/** The devices of each capture's bus, as their traffic in bulkFrame and smallFrame uses them. */
function devicesOf(kind: CaptureKind): DeviceModel[] {
  const BULK = 2,
    INTERRUPT = 3,
    VENDOR: [number, number, number] = [0xff, 0, 0];
  if (kind === "bulk") {
    // A vendor-class bulk device (its stream is no Bulk-Only Transport: as class 8 the class decoder would read
    // every transfer as a malformed CBW or CSW), and a vendor interrupt device.
    return [
      device(3, VENDOR, [
        [0x81, BULK, 512],
        [0x02, BULK, 512],
      ]),
      device(5, VENDOR, [[0x81, INTERRUPT, 8]]),
    ];
  }
  const out = [];
  for (let dev = 2; dev < 12; dev++) out.push(device(dev, VENDOR, [[0x81, INTERRUPT, 8]]));
  out.push(device(20, VENDOR, [[0x02, BULK, 512]]));
  return out;
}

/**
 * Every device enumerated as Linux does (src/builder BusSim.enumerate), just before the first frame:
 * pcap records only (no file header), no SOFs (the frames' SOFs start at frame 0). Returns the bytes
 * and the record count.
 */
export function enumerationRecords(kind: CaptureKind): { bytes: Uint8Array; packets: number } {
  const { bytes, sim } = rawCapture(
    { speed: "high", resolution: "us", sof: false, start: { sec: START_SEC - 1, nsec: 0 } },
    (sim) => {
      for (const dev of devicesOf(kind)) sim.enumerate(dev, { strings: false });
    },
  );
  return { bytes: bytes.subarray(24), packets: sim.records };
}

export function frameBlock(kind: CaptureKind): FrameBlock {
  return kind === "bulk" ? bulkFrame() : smallFrame();
}

/** The SOF packet bytes for every 11-bit frame number (§8.4.3), patched into block copies. */
function sofTable(): Uint8Array {
  const t = new Uint8Array(2048 * 3);
  for (let f = 0; f < 2048; f++) t.set(sof(f), f * 3);
  return t;
}

/** Capture start: 2026-01-01T00:00:00Z, so timestamps look like a real capture. */
const START_SEC = 1767225600;

/**
 * Stream a capture of at least `minBytes` to `write` (chunks of ~4 MiB, reused: consume them
 * synchronously). Returns the byte and packet counts.
 */
export function writeCapture(
  kind: CaptureKind,
  minBytes: number,
  write: (chunk: Uint8Array) => void,
): { bytes: number; packets: number; dataPackets: number } {
  const block = frameBlock(kind);
  const header = new Uint8Array(24);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, 0xa1b2c3d4, true); // microsecond pcap
  hv.setUint16(4, 2, true);
  hv.setUint16(6, 4, true);
  hv.setUint32(16, 65535, true);
  hv.setUint32(20, LinkType.USB_2_0_HIGH_SPEED, true);
  write(header);
  const enumeration = enumerationRecords(kind);
  write(enumeration.bytes);
  let bytes = header.length + enumeration.bytes.length;
  const copies = Math.max(1, Math.floor((4 << 20) / block.bytes.length));
  const chunk = new Uint8Array(copies * block.bytes.length);
  for (let c = 0; c < copies; c++) chunk.set(block.bytes, c * block.bytes.length);
  const view = new DataView(chunk.buffer);
  const sofs = sofTable();
  let frame = 0;
  let packets = enumeration.packets;
  let dataPackets = 0;
  while (bytes < minBytes) {
    for (let c = 0; c < copies; c++) {
      const base = c * block.bytes.length;
      const frameNs = frame * 1_000_000;
      const sec = START_SEC + Math.floor(frameNs / 1e9);
      const nsBase = frameNs % 1e9;
      for (let i = 0; i < block.packets; i++) {
        const at = base + block.recordAt[i]!;
        let ns = nsBase + block.relNs[i]!;
        let s = sec;
        if (ns >= 1e9) {
          ns -= 1e9;
          s++;
        }
        view.setUint32(at, s, true);
        view.setUint32(at + 4, Math.floor(ns / 1000), true);
      }
      const fn = frame & 0x7ff;
      for (const at of block.sofAt) {
        chunk[base + at + 1] = sofs[fn * 3 + 1]!;
        chunk[base + at + 2] = sofs[fn * 3 + 2]!;
      }
      frame++;
    }
    write(chunk);
    bytes += chunk.length;
    packets += copies * block.packets;
    dataPackets += copies * block.dataPackets;
  }
  return { bytes, packets, dataPackets };
}

/** A whole capture in memory (tests: small sizes only). */
export function captureBytes(kind: CaptureKind, minBytes: number): Uint8Array {
  const parts: Uint8Array[] = [];
  const info = writeCapture(kind, minBytes, (c) => parts.push(c.slice()));
  const out = new Uint8Array(info.bytes);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** `.cache/bench/` at the repo root (git-ignored). */
export function cacheDir(repoRoot: string): string {
  return path.join(repoRoot, ".cache", "bench");
}

/** The cached capture of `kind` and at least `minBytes`, generated on first use. */
export function ensureCapture(
  repoRoot: string,
  kind: CaptureKind,
  minBytes: number,
  log: (msg: string) => void = () => {},
): string {
  const dir = cacheDir(repoRoot);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${kind}-v${PATTERN_VERSION}-${Math.round(minBytes / (1 << 20))}MiB.pcap`);
  if (existsSync(file) && statSync(file).size >= minBytes) return file;
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w");
  const t0 = performance.now();
  let info;
  try {
    info = writeCapture(kind, minBytes, (chunk) => {
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
    });
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  log(
    `generated ${path.basename(file)}: ${(info.bytes / 1e6).toFixed(0)} MB, ${info.packets} packets in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return file;
}
