import { describe, expect, it } from "vitest";
import { Pid } from "../../as/shared/constants.js";
import { data, setupBytes, sof, token } from "../../builder/packets.js";
import { PcapWriter } from "../../builder/pcap.js";
import { BlockType, OptionCode, PcapngWriter, stringOption } from "../../builder/pcapng.js";
import { MemorySink, fileSink, splitTime } from "../../builder/sink.js";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tempFile, tsharkFields } from "./helpers.js";

const T0 = { sec: 1700000000, nsec: 123456789 };

function pcapOf(
  opts: ConstructorParameters<typeof PcapWriter>[1],
  fill: (w: PcapWriter) => void,
): Uint8Array {
  const m = new MemorySink();
  const w = new PcapWriter(m.sink, opts);
  fill(w);
  w.close();
  return m.toBytes();
}

describe("PcapWriter", () => {
  for (const byteOrder of ["le", "be"] as const) {
    for (const resolution of ["us", "ns"] as const) {
      it(`writes a ${byteOrder} ${resolution} file tshark reads with the right times and fields`, () => {
        const bytes = pcapOf({ linktype: 294, byteOrder, resolution }, (w) => {
          w.addPacket(T0, sof(42));
          w.addPacket({ sec: T0.sec, nsec: T0.nsec + 1000 }, token(Pid.SETUP, 5, 0));
          w.addPacket(1700000001_000000999n, data(Pid.DATA0, setupBytes(0x80, 6, 0x100, 0, 18)));
        });
        const magic = byteOrder === "le" ? [...bytes.subarray(0, 4)].reverse() : [...bytes.subarray(0, 4)];
        expect(magic).toEqual(resolution === "us" ? [0xa1, 0xb2, 0xc3, 0xd4] : [0xa1, 0xb2, 0x3c, 0x4d]);
        const rows = tsharkFields(tempFile(bytes), [
          "frame.time_epoch",
          "usbll.pid",
          "usbll.frame_num",
          "usbll.device_addr",
          "usbll.crc5.status",
          "usbll.crc16.status",
        ]);
        expect(rows.length).toBe(3);
        expect(rows[0]![0]).toBe(resolution === "us" ? "1700000000.123456000" : "1700000000.123456789");
        expect(rows[1]![0]).toBe(resolution === "us" ? "1700000000.123457000" : "1700000000.123457789");
        expect(rows[2]![0]).toBe(resolution === "us" ? "1700000001.000000000" : "1700000001.000000999");
        expect(rows.map((r) => r[1])).toEqual(["0xa5", "0x2d", "0xc3"]);
        expect(rows[0]![2]).toBe("42");
        expect(rows[1]![3]).toBe("5");
        // Wireshark checksum status: 1 = Good.
        expect(rows[0]![4]).toBe("1");
        expect(rows[1]![4]).toBe("1");
        expect(rows[2]![5]).toBe("1");
      });
    }
  }

  it("cuts records to the snap length and keeps the original length", () => {
    const bytes = pcapOf({ linktype: 294, snaplen: 5 }, (w) =>
      w.addPacket(T0, data(Pid.DATA0, new Uint8Array(20))),
    );
    const rows = tsharkFields(tempFile(bytes), ["frame.cap_len", "frame.len"]);
    expect(rows).toEqual([["5", "23"]]);
  });

  it("streams through 1 MiB chunks without losing a record", () => {
    const chunks: number[] = [];
    const m = new MemorySink();
    const w = new PcapWriter(
      (c) => {
        chunks.push(c.length);
        m.sink(c);
      },
      { linktype: 294, chunkSize: 4096 },
    );
    const pkt = data(Pid.DATA0, new Uint8Array(100));
    for (let i = 0; i < 200; i++) w.writeRecord(T0.sec, i * 1000, pkt);
    w.close();
    expect(chunks.length).toBeGreaterThan(5);
    expect(Math.max(...chunks)).toBeLessThanOrEqual(4096);
    const bytes = m.toBytes();
    expect(bytes.length).toBe(24 + 200 * (16 + 103));
    expect(tsharkFields(tempFile(bytes), ["frame.number"]).length).toBe(200);
  });
});

describe("fileSink", () => {
  it("streams a pcap to disk through one reused chunk and tshark reads every record", () => {
    const path = join(mkdtempSync(join(tmpdir(), "usbscope-builder-file-")), "big.pcap");
    const f = fileSink(path);
    const w = new PcapWriter(f.sink, { linktype: 294, chunkSize: 8192, reuseChunks: true });
    const pkt = data(Pid.DATA1, new Uint8Array(64));
    for (let i = 0; i < 1000; i++) w.writeRecord(T0.sec, i, pkt);
    w.close();
    f.close();
    expect(statSync(path).size).toBe(24 + 1000 * (16 + 67));
    const rows = tsharkFields(path, ["usbll.crc16.status"]);
    expect(rows.length).toBe(1000);
    expect(rows.every((r) => r[0] === "1")).toBe(true);
  });
});

describe("splitTime", () => {
  it("splits bigint ns and normalises {sec, nsec}", () => {
    expect(splitTime(1_500_000_000n)).toEqual([1, 500_000_000]);
    expect(splitTime({ sec: 1, nsec: 2_000_000_001 })).toEqual([3, 1]);
  });
});

describe("PcapngWriter", () => {
  it("writes several sections in both byte orders, several interfaces and every block type tshark must skip or read", () => {
    const m = new MemorySink();
    const w = new PcapngWriter(m.sink, { byteOrder: "le", userappl: "usbscope builder test" });
    const fs = w.addInterface({ linktype: 294, tsresol: "us", explicitTsresol: true, name: "fs" });
    const hs = w.addInterface({ linktype: 295, tsresol: "ns" });
    w.addPacket(fs, T0, sof(1));
    w.addPacket(hs, T0, sof(2));
    w.addCustom(32473, Uint8Array.of(1, 2, 3), true);
    w.addCustom(32473, Uint8Array.of(4), false);
    w.addBlock(0x00000bee, Uint8Array.of(9, 9, 9, 9, 9));
    w.addStatistics(hs, T0, { ifRecv: 2n, ifDrop: 0n });
    w.section({ byteOrder: "be" });
    const bin = w.addInterface({ linktype: 294, tsresol: { base: 2, exp: 20 } });
    w.addPacket(bin, { sec: T0.sec, nsec: 500_000_000 }, token(Pid.IN, 7, 1));
    w.addObsoletePacket(bin, { sec: T0.sec + 1, nsec: 0 }, token(Pid.OUT, 7, 2));
    w.section({ byteOrder: "le" });
    w.addInterface({ linktype: 294, snaplen: 65535 });
    w.addSimplePacket(data(Pid.DATA1, Uint8Array.of(1, 2, 3)));
    w.close();
    expect(w.packets).toBe(5);
    const bytes = m.toBytes();
    expect(new DataView(bytes.buffer).getUint32(0, true)).toBe(BlockType.SECTION_HEADER);
    const path = tempFile(bytes, "pcapng");
    // tshark 4.0 shows each Custom Block as a frame of its own (frames 3 and 4) and skips the unknown block.
    const all = tsharkFields(path, ["frame.number", "_ws.col.Protocol"]);
    expect(all.map((r) => r[1])).toEqual(["USBLL", "USBLL", "PCAPNG", "PCAPNG", "USBLL", "USBLL", "USBLL"]);
    const rows = tsharkFields(
      path,
      [
        "frame.interface_id",
        "frame.time_epoch",
        "usbll.pid",
        "usbll.crc5.status",
        "usbll.device_addr",
        "usbll.endp",
        "usbll.crc16.status",
      ],
      ["-Y", "usbll"],
    );
    expect(rows.map((r) => r[0])).toEqual(["0", "1", "0", "0", "0"]);
    expect(rows.map((r) => r[2])).toEqual(["0xa5", "0xa5", "0x69", "0xe1", "0x4b"]);
    expect(rows[0]![1]).toBe("1700000000.123456000");
    expect(rows[1]![1]).toBe("1700000000.123456789");
    // 2^-20 s units: 0.5 s is exact.
    expect(rows[2]![1]).toBe("1700000000.500000000");
    expect(rows[3]![1]).toBe("1700000001.000000000");
    expect(rows[2]!.slice(3, 6)).toEqual(["1", "7", "1"]);
    expect(rows[3]!.slice(3, 6)).toEqual(["1", "7", "2"]);
    expect(rows[4]![6]).toBe("1");
  });

  it("keeps nanosecond timestamps exact far past 2^53 ns", () => {
    const m = new MemorySink();
    const w = new PcapngWriter(m.sink);
    const i = w.addInterface({ linktype: 294, tsresol: "ns" });
    w.addPacket(i, { sec: 4000000000, nsec: 999999999 }, sof(0));
    w.addPacket(i, 1234567890_000000001n, sof(1));
    w.close();
    const rows = tsharkFields(tempFile(m.toBytes(), "pcapng"), ["frame.time_epoch"]);
    expect(rows.map((r) => r[0])).toEqual(["4000000000.999999999", "1234567890.000000001"]);
  });

  it("writes EPB options (opt_comment) that tshark shows", () => {
    const m = new MemorySink();
    const w = new PcapngWriter(m.sink);
    const i = w.addInterface({ linktype: 294 });
    w.addPacket(i, T0, sof(7), undefined, [stringOption(OptionCode.opt_comment, "skipped SOF follows")]);
    w.close();
    expect(tsharkFields(tempFile(m.toBytes(), "pcapng"), ["frame.comment", "usbll.frame_num"])).toEqual([
      ["skipped SOF follows", "7"],
    ]);
  });

  it("applies the interface snaplen to EPB", () => {
    const m = new MemorySink();
    const w = new PcapngWriter(m.sink, { byteOrder: "be" });
    const i = w.addInterface({ linktype: 294, snaplen: 4 });
    w.addPacket(i, T0, data(Pid.DATA0, new Uint8Array(10)));
    w.close();
    expect(tsharkFields(tempFile(m.toBytes(), "pcapng"), ["frame.cap_len", "frame.len"])).toEqual([
      ["4", "13"],
    ]);
  });
});
