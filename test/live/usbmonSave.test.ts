// live --save on the binary usbmon device: the 48-byte events read(2) returns, cut anywhere, become one
// pcapng packet block each with the 64-byte header of LINKTYPE 220 (interval, start_frame and xfer_flags
// unknown, so 0; ndesc from numdesc), byte for byte what the builder encodes for the mmapped form; tshark and
// usbscope read the file back.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { UrbHost, encodeUsbmon, type UrbEvent } from "../../builder/index.js";
import { buildCapture, productModel, writeCapture } from "../verify/helpers.js";
import { cli } from "../helpers/cli.js";
import { UsbmonPcapngSaver, analyzeFile } from "../../src/index.js";

/** An enumeration, bulk traffic, an iso IN URB of three packets and an iso OUT one. */
function events(): UrbEvent[] {
  const out: UrbEvent[] = [];
  const h = new UrbHost({ event: (e) => out.push(e) }, { busnum: 1 });
  h.enumerate(productModel());
  h.bulkOut(5, 4, new Uint8Array(100).fill(0x41));
  h.bulkIn(5, 3, new Uint8Array(64).fill(0x42));
  h.iso(5, 0x81, [new Uint8Array(10).fill(1), new Uint8Array(7).fill(2), new Uint8Array(0)], { interval: 4 });
  h.iso(5, 0x02, [new Uint8Array(5).fill(3), new Uint8Array(5).fill(4)]);
  return out;
}

/** The packet blocks of a little-endian pcapng: link type of interface 0, each EPB's data, captured and original lengths. */
function blocks(file: Uint8Array): { linktype: number; packets: { data: Uint8Array; orig: number }[] } {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let linktype = -1;
  const packets: { data: Uint8Array; orig: number }[] = [];
  for (let at = 0; at < file.length;) {
    const type = v.getUint32(at, true);
    const total = v.getUint32(at + 4, true);
    if (type === 1) linktype = v.getUint16(at + 8, true);
    if (type === 6) {
      const cap = v.getUint32(at + 20, true);
      packets.push({ data: file.slice(at + 28, at + 28 + cap), orig: v.getUint32(at + 24, true) });
    }
    at += total;
  }
  return { linktype, packets };
}

describe("UsbmonPcapngSaver", () => {
  it("events cut at arbitrary points: one LINKTYPE 220 packet each, the 64-byte header with ndesc, the rest as read", async () => {
    const all = events();
    const stream = Buffer.concat(all.map((e) => encodeUsbmon(e, false, true)));
    const chunks: Uint8Array[] = [];
    const saver = new UsbmonPcapngSaver((c) => void chunks.push(c), "usbmon1");
    let seed = 7;
    for (let at = 0; at < stream.length;) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const n = 1 + (seed % 113);
      await saver.push(stream.subarray(at, at + n));
      at += n;
    }
    expect(saver.records).toBe(all.length);
    expect(saver.unfinished).toBe(0);
    const { linktype, packets } = blocks(Buffer.concat(chunks));
    expect(linktype).toBe(220);
    expect(packets).toHaveLength(all.length);
    const isoIn = all.filter((e) => e.iso?.length).length;
    expect(isoIn).toBe(4);
    packets.forEach((p, i) => {
      const e = all[i]!;
      // What read(2) cannot say is 0: interval, start_frame, xfer_flags.
      const want = encodeUsbmon({ ...e, interval: 0, startFrame: 0, xferFlags: 0 }, true, true);
      expect(new Uint8Array(p.data), `event ${i}`).toEqual(want);
      expect(p.orig).toBe(64 + (e.iso?.length ?? 0) * 16 + e.length);
    });
  });

  it("an event cut short at the end is held back and counted, not written", async () => {
    const all = events();
    const first = encodeUsbmon(all[0]!, false, true);
    const chunks: Uint8Array[] = [];
    const saver = new UsbmonPcapngSaver((c) => void chunks.push(c), "usbmon1");
    await saver.push(first);
    await saver.push(encodeUsbmon(all[1]!, false, true).subarray(0, 30));
    expect(saver.records).toBe(1);
    expect(saver.unfinished).toBe(30);
    expect(blocks(Buffer.concat(chunks)).packets).toHaveLength(1);
  });

  it("tshark and usbscope read the saved file: every URB, the device and its descriptors", async () => {
    const all = events();
    const chunks: Uint8Array[] = [];
    const saver = new UsbmonPcapngSaver((c) => void chunks.push(c), "usbmon1");
    await saver.push(Buffer.concat(all.map((e) => encodeUsbmon(e, false, true))));
    const file = path.join(mkdtempSync(path.join(tmpdir(), "usbscope-save-")), "saved.pcapng");
    writeFileSync(file, Buffer.concat(chunks));
    const fields = execFileSync(
      "tshark",
      ["-r", file, "-T", "fields", "-e", "usb.urb_type", "-e", "usb.iso.numdesc"],
      {
        encoding: "utf8",
      },
    )
      .trimEnd()
      .split("\n");
    expect(fields).toHaveLength(all.length);
    expect(fields.map((l) => l.split("\t")[0])).toEqual(all.map((e) => `'${e.type}'`));
    expect(fields.filter((l) => /\t[1-9]/.test(l))).toHaveLength(4);
    const r = await analyzeFile(file);
    expect(r.capture.records).toBe(all.length);
    expect(r.urbEvents).toBe(all.length);
    expect(r.findings.countBySeverity.error).toBe(0);
    // The device is the product the same enumeration built as a LINKTYPE 220 capture describes.
    const built = writeCapture(path.dirname(file), "built.pcap", buildCapture("usbmon64"));
    const product = writeCapture(path.dirname(file), "product.json", (await cli(["expect", built])).out);
    const v = await cli(["verify", "--expect", product, file]);
    expect(v.out).toMatch(/^ok {4}/);
    expect(v.code).toBe(0);
  });
});
