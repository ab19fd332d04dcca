import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { Pid } from "../../as/shared/constants.js";
import {
  BlockType,
  MemorySink,
  PcapngWriter,
  pcapngBlocks,
  pcapRecords,
  rawCapture,
  sof,
  token,
  truncate,
  withBlockLength,
  withoutBlock,
  withPcapCaplen,
} from "../../builder/index.js";
import { tempFile } from "./helpers.js";

function tshark(bytes: Uint8Array, ext: string): { frames: number; stderr: string } {
  const r = spawnSync("tshark", ["-r", tempFile(bytes, ext), "-T", "fields", "-e", "frame.number"], {
    encoding: "utf8",
  });
  return {
    frames: r.stdout.split("\n").filter((l) => l !== "").length,
    stderr: r.stderr.replace(/Running as user.*\n/, ""),
  };
}

function ng(): Uint8Array {
  const m = new MemorySink();
  const w = new PcapngWriter(m.sink, { byteOrder: "be" });
  const i = w.addInterface({ linktype: 294 });
  w.addPacket(i, { sec: 1, nsec: 0 }, sof(1));
  w.addPacket(i, { sec: 1, nsec: 1000 }, token(Pid.IN, 1, 1));
  w.close();
  return m.toBytes();
}

describe("container damage", () => {
  const pcap = rawCapture({ speed: "full", byteOrder: "be" }, (s) =>
    s.bulkIn(1, 1, new Uint8Array(10), 64),
  ).bytes;

  it("finds pcap records and pcapng blocks in either byte order", () => {
    expect(pcapRecords(pcap).map((r) => r.length)).toEqual([3, 3, 13, 1]);
    const blocks = pcapngBlocks(ng());
    expect(blocks.map((b) => b.type)).toEqual([
      BlockType.SECTION_HEADER,
      BlockType.INTERFACE_DESCRIPTION,
      BlockType.ENHANCED_PACKET,
      BlockType.ENHANCED_PACKET,
    ]);
    expect(blocks.every((b) => !b.le)).toBe(true);
  });

  it("a file cut mid-record loses the last record (tshark: cut short)", () => {
    const r = tshark(truncate(pcap, pcap.length - 5), "pcap");
    expect(r.frames).toBe(3);
    expect(r.stderr).toMatch(/cut short/);
    expect(tshark(pcap, "pcap")).toEqual({ frames: 4, stderr: "" });
  });

  it("an oversized captured length is rejected", () => {
    const r = tshark(withPcapCaplen(pcap, 1, 0x7fffffff), "pcap");
    expect(r.frames).toBe(1);
    expect(r.stderr).not.toBe("");
  });

  it("a trailing block length that differs from the leading one is an error, a dropped IDB leaves packets without interface", () => {
    const good = ng();
    expect(tshark(good, "pcapng")).toEqual({ frames: 2, stderr: "" });
    const mismatch = tshark(withBlockLength(good, 2, { trailing: 40 }), "pcapng");
    expect(mismatch.stderr).not.toBe("");
    expect(mismatch.frames).toBeLessThan(2);
    const noIdb = tshark(withoutBlock(good, 1), "pcapng");
    expect(noIdb.stderr).not.toBe("");
    expect(noIdb.frames).toBe(0);
  });
});
