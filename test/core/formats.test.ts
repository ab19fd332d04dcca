// Container formats and damaged files: pcap in both byte orders and resolutions, pcapng with
// sections, interfaces, resolutions and every block kind; every framing error with its offset.
import { describe, it, expect } from "vitest";
import { FormatError, LinkType, PacketStatus, Pid } from "../../as/shared/constants.js";
import { createCore } from "../../src/core/core.js";
import { PcapWriter } from "../../builder/pcap.js";
import { PcapngWriter } from "../../builder/pcapng.js";
import { MemorySink } from "../../builder/sink.js";
import { collectBytes } from "../helpers/collect.js";

const SETUP0 = Uint8Array.of(0x2d, 0x00, 0x10);
const ACK = Uint8Array.of(Pid.ACK);
const T0 = { sec: 1700000000, nsec: 123456789 };

function pcap(byteOrder: "le" | "be", resolution: "us" | "ns", n = 3): Uint8Array {
  const mem = new MemorySink();
  const w = new PcapWriter(mem.sink, { linktype: LinkType.USB_2_0_HIGH_SPEED, byteOrder, resolution });
  for (let i = 0; i < n; i++) w.addPacket({ sec: T0.sec + i, nsec: T0.nsec }, i % 2 ? ACK : SETUP0);
  w.close();
  return mem.toBytes();
}

describe("pcap", () => {
  for (const order of ["le", "be"] as const) {
    for (const res of ["us", "ns"] as const) {
      it(`reads ${order === "le" ? "little" : "big"}-endian ${res} pcap with exact timestamps`, async () => {
        const c = await collectBytes(pcap(order, res));
        expect(c.info.format).toBe("pcap");
        expect(c.info.bigEndian).toBe(order === "be");
        expect(c.pid).toEqual([Pid.SETUP, Pid.ACK, Pid.SETUP]);
        expect(c.tsSec).toEqual([T0.sec, T0.sec + 1, T0.sec + 2]);
        expect(c.tsNsec).toEqual(Array(3).fill(res === "ns" ? T0.nsec : 123456000));
        expect(c.offset).toEqual([24, 24 + 19, 24 + 19 + 17]);
      });
    }
  }
});

describe("pcapng", () => {
  it("reads several sections of either byte order, each with its own interfaces and resolutions", async () => {
    const mem = new MemorySink();
    const w = new PcapngWriter(mem.sink, { byteOrder: "le" });
    const a = w.addInterface({ linktype: LinkType.USB_2_0_FULL_SPEED, tsresol: "ns" });
    const b = w.addInterface({ linktype: LinkType.USB_LINUX_MMAPPED });
    w.addPacket(a, T0, SETUP0);
    w.addPacket(b, T0, Uint8Array.of(1, 2, 3, 4));
    w.addStatistics(a, T0);
    w.section({ byteOrder: "be" });
    const c2 = w.addInterface({ linktype: LinkType.USB_2_0_HIGH_SPEED, tsresol: { base: 2, exp: 20 } });
    w.addPacket(c2, { sec: T0.sec, nsec: 500_000_000 }, ACK);
    w.addObsoletePacket(c2, T0, SETUP0);
    w.addSimplePacket(ACK);
    w.close();
    const c = await collectBytes(mem.toBytes());
    expect(c.info.error).toBeUndefined();
    expect(c.info.sections).toBe(2);
    expect(c.info.interfaces).toBe(3);
    expect(c.info.statsBlocks).toBe(1);
    expect(c.linktype).toEqual([294, 220, 295, 295, 295]);
    expect(c.pid).toEqual([Pid.SETUP, 0, Pid.ACK, Pid.SETUP, Pid.ACK]);
    expect(c.status).toEqual([
      PacketStatus.OK,
      PacketStatus.NOT_RAW,
      PacketStatus.OK,
      PacketStatus.OK,
      PacketStatus.OK,
    ]);
    expect(c.tsSec.slice(0, 3)).toEqual([T0.sec, T0.sec, T0.sec]);
    expect(c.tsNsec[0]).toBe(T0.nsec);
    expect(c.tsNsec[2]).toBe(500_000_000); // 2^-20 s units: half a second is exact
    expect(c.info.bigEndian).toBe(true);
  });

  it("counts custom blocks as records (Wireshark shows them as frames) and skips unknown blocks", async () => {
    const mem = new MemorySink();
    const w = new PcapngWriter(mem.sink);
    const i = w.addInterface({ linktype: LinkType.USB_2_0 });
    w.addCustom(62392, Uint8Array.of(1, 2, 3, 4), false);
    w.addPacket(i, T0, SETUP0);
    w.addBlock(0x0000_0123, new Uint8Array(8));
    w.addCustom(62392, new Uint8Array(100_000), true); // larger than a skip threshold
    w.addPacket(i, T0, ACK);
    w.close();
    const c = await collectBytes(mem.toBytes(), { chunkSize: 4096 });
    expect(c.info.error).toBeUndefined();
    expect(c.linktype).toEqual([LinkType.PCAPNG_CUSTOM_BLOCK, 288, LinkType.PCAPNG_CUSTOM_BLOCK, 288]);
    expect(c.pid).toEqual([0, Pid.SETUP, 0, Pid.ACK]);
    expect(c.info.customBlocks).toBe(2);
    expect(c.info.otherBlocks).toBe(1);
  });
});

describe("one core, many captures", () => {
  it("forgets everything between captures: byte order, interfaces, offsets, error and counters", async () => {
    // A big-endian pcapng with two sections, a file stopped by an error, then a little-endian pcap:
    // each read with the same core must equal the read with a fresh one (resetFramer clears it all).
    const mem = new MemorySink();
    const w = new PcapngWriter(mem.sink, { byteOrder: "be" });
    const a = w.addInterface({ linktype: LinkType.USB_2_0_FULL_SPEED, tsresol: "ns" });
    w.addPacket(a, T0, SETUP0);
    w.section({ byteOrder: "be" });
    w.addInterface({ linktype: LinkType.USB_LINUX_MMAPPED });
    w.addSimplePacket(Uint8Array.of(1, 2, 3, 4));
    w.close();
    const bad = pcap("le", "us", 3);
    new DataView(bad.buffer).setUint32(43 + 8, 0x7fff_ffff, true);
    const files = [mem.toBytes(), bad, pcap("le", "ns", 5), mem.toBytes()];
    const core = await createCore({ batchCapacity: 2, inputCapacity: 64 });
    for (const bytes of files) {
      expect(await collectBytes(bytes, { core, chunkSize: 7 })).toEqual(
        await collectBytes(bytes, { chunkSize: 7 }),
      );
    }
  });
});

/** Framing must stop at the damage, name its offset, and keep what came before. */
describe("damaged files", () => {
  const good = pcap("le", "us", 3); // records at 24, 43, 60; ends at 79

  it("rejects bytes that are no capture format (UNKNOWN_MAGIC at 0)", async () => {
    const c = await collectBytes(new TextEncoder().encode("hello, this is not a capture\n"));
    expect(c.info.error).toMatchObject({ code: FormatError.UNKNOWN_MAGIC, offset: 0 });
    expect(c.pid.length).toBe(0);
  });
  it("reports a truncated global header", async () => {
    const c = await collectBytes(good.slice(0, 10));
    expect(c.info.error).toMatchObject({ code: FormatError.TRUNCATED_HEADER, offset: 0 });
  });
  it("reports a truncated record header and keeps the records before it", async () => {
    const c = await collectBytes(good.slice(0, 60 + 5));
    expect(c.info.error).toMatchObject({ code: FormatError.TRUNCATED_HEADER, offset: 60 });
    expect(c.pid).toEqual([Pid.SETUP, Pid.ACK]);
  });
  it("reports a record whose data is cut off", async () => {
    const c = await collectBytes(good.slice(0, 78));
    expect(c.info.error).toMatchObject({ code: FormatError.TRUNCATED_RECORD, offset: 60 });
    expect(c.pid.length).toBe(2);
  });
  it("refuses an absurd captured length (over 256 MiB) without allocating it", async () => {
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(43 + 8, 0x7fff_ffff, true);
    const c = await collectBytes(bad);
    expect(c.info.error).toMatchObject({ code: FormatError.RECORD_TOO_LARGE, offset: 43 });
    expect(c.pid).toEqual([Pid.SETUP]);
  });
  it("reads a captured length larger than the rest of the file as truncation", async () => {
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(60 + 8, 1000, true);
    const c = await collectBytes(bad);
    expect(c.info.error).toMatchObject({ code: FormatError.TRUNCATED_RECORD, offset: 60 });
  });

  function ng(): Uint8Array {
    const mem = new MemorySink();
    const w = new PcapngWriter(mem.sink);
    const i = w.addInterface({ linktype: LinkType.USB_2_0 });
    w.addPacket(i, T0, SETUP0);
    w.addPacket(i, T0, ACK);
    w.close();
    return mem.toBytes();
  }
  function blockOffsets(bytes: Uint8Array): number[] {
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    const out: number[] = [];
    for (let o = 0; o < bytes.length; o += v.getUint32(o + 4, true)) out.push(o);
    return out;
  }
  it("rejects a pcapng block length that is not a multiple of 4", async () => {
    const bytes = ng();
    const [, , , epb2] = blockOffsets(bytes);
    new DataView(bytes.buffer).setUint32(epb2! + 4, 33, true);
    const c = await collectBytes(bytes);
    expect(c.info.error).toMatchObject({ code: FormatError.BLOCK_LENGTH_INVALID, offset: epb2 });
    expect(c.pid).toEqual([Pid.SETUP]);
  });
  it("rejects a pcapng block whose trailing length differs", async () => {
    const bytes = ng();
    const [, , epb1] = blockOffsets(bytes);
    const len = new DataView(bytes.buffer).getUint32(epb1! + 4, true);
    new DataView(bytes.buffer).setUint32(epb1! + len - 4, len + 4, true);
    const c = await collectBytes(bytes);
    expect(c.info.error).toMatchObject({ code: FormatError.BLOCK_LENGTH_MISMATCH, offset: epb1 });
    expect(c.pid).toEqual([]);
  });
  it("rejects an EPB whose captured length overruns its block", async () => {
    const bytes = ng();
    const [, , epb1] = blockOffsets(bytes);
    new DataView(bytes.buffer).setUint32(epb1! + 20, 64, true);
    const c = await collectBytes(bytes);
    expect(c.info.error).toMatchObject({ code: FormatError.CAPLEN_EXCEEDS_BLOCK, offset: epb1 });
  });
  it("rejects an EPB naming an interface that was never described", async () => {
    const bytes = ng();
    const [, , , epb2] = blockOffsets(bytes);
    new DataView(bytes.buffer).setUint32(epb2! + 8, 3, true);
    const c = await collectBytes(bytes);
    expect(c.info.error).toMatchObject({ code: FormatError.BAD_INTERFACE_ID, offset: epb2 });
    expect(c.pid).toEqual([Pid.SETUP]);
  });
  it("rejects a section header with a bad byte-order magic", async () => {
    const bytes = ng();
    bytes[8] = 0x99;
    const c = await collectBytes(bytes);
    expect(c.info.error).toMatchObject({ code: FormatError.BAD_SECTION_HEADER, offset: 0 });
  });
  it("reports a pcapng file cut inside a block", async () => {
    const bytes = ng();
    const [, , , epb2] = blockOffsets(bytes);
    const c = await collectBytes(bytes.slice(0, epb2! + 20));
    expect((await collectBytes(bytes.slice(0, epb2! + 10))).info.error).toMatchObject({
      code: FormatError.TRUNCATED_HEADER,
      offset: epb2,
    });
    expect(c.info.error).toMatchObject({ code: FormatError.TRUNCATED_RECORD, offset: epb2 });
    expect(c.pid).toEqual([Pid.SETUP]);
  });
  it("treats an empty input as no capture at all", async () => {
    const c = await collectBytes(new Uint8Array(0));
    expect(c.info.bytes).toBe(0);
    expect(c.pid.length).toBe(0);
  });
});
