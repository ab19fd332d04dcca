// TEST-ONLY pcap/pcapng record iterator: slurps a file and lists its records, so the URB parsers
// can be tested before the WASM core frames files. Handles pcap (µs/ns, either byte order) and
// pcapng SHB/IDB/EPB/SPB (either byte order, if_tsresol); skips every other block.

import { readFileSync } from "node:fs";
import type { RecordBatch } from "../../../src/model.js";
import { PacketStatus } from "../../../as/shared/constants.js";

export interface TestRecord {
  index: number;
  /** File offset of the record header / block. */
  fileOffset: number;
  linktype: number;
  tsSec: number;
  tsNsec: number;
  /** Offset of the captured bytes in `bytes`. */
  dataOffset: number;
  dataLength: number;
  origLength: number;
}

export interface TestCapture {
  bytes: Uint8Array;
  littleEndian: boolean;
  records: TestRecord[];
}

export function readCapture(path: string): TestCapture {
  return readCaptureBytes(new Uint8Array(readFileSync(path)), path);
}

export function readCaptureBytes(bytes: Uint8Array, path = "(bytes)"): TestCapture {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint32(0, true);
  if (magic === 0x0a0d0d0a) return readPcapng(bytes, dv);
  const pcapMagics: Record<number, [boolean, number]> = {
    0xa1b2c3d4: [true, 1000],
    0xd4c3b2a1: [false, 1000],
    0xa1b23c4d: [true, 1],
    0x4d3cb2a1: [false, 1],
  };
  const m = pcapMagics[magic];
  if (m === undefined) throw new Error(`not pcap/pcapng: ${path}`);
  const [le, nsPerUnit] = m;
  const linktype = dv.getUint32(20, le) & 0xffff;
  const records: TestRecord[] = [];
  for (let o = 24; o + 16 <= bytes.length; ) {
    const caplen = dv.getUint32(o + 8, le);
    records.push({
      index: records.length,
      fileOffset: o,
      linktype,
      tsSec: dv.getUint32(o, le),
      tsNsec: dv.getUint32(o + 4, le) * nsPerUnit,
      dataOffset: o + 16,
      dataLength: caplen,
      origLength: dv.getUint32(o + 12, le),
    });
    o += 16 + caplen;
  }
  return { bytes, littleEndian: le, records };
}

function readPcapng(bytes: Uint8Array, dv: DataView): TestCapture {
  let le = true;
  let ifaces: { linktype: number; tsresol: number }[] = [];
  const records: TestRecord[] = [];
  for (let o = 0; o + 12 <= bytes.length; ) {
    let type = dv.getUint32(o, le);
    if (type === 0x0a0d0d0a) {
      le = dv.getUint32(o + 8, true) === 0x1a2b3c4d;
      ifaces = [];
      type = 0x0a0d0d0a;
    }
    const len = dv.getUint32(o + 4, le);
    if (type === 1) {
      const linktype = dv.getUint16(o + 8, le);
      let tsresol = 6;
      for (let p = o + 16; p + 4 <= o + len - 4; ) {
        const code = dv.getUint16(p, le);
        const olen = dv.getUint16(p + 2, le);
        if (code === 0) break;
        if (code === 9) tsresol = bytes[p + 4];
        p += 4 + ((olen + 3) & ~3);
      }
      ifaces.push({ linktype, tsresol });
    } else if (type === 6) {
      const iface = ifaces[dv.getUint32(o + 8, le)];
      const ts = dv.getUint32(o + 12, le) * 2 ** 32 + dv.getUint32(o + 16, le);
      const caplen = dv.getUint32(o + 20, le);
      if (iface.tsresol & 0x80) throw new Error("power-of-two tsresol not supported by the test helper");
      const unitsPerSec = 10 ** iface.tsresol;
      const sec = Math.floor(ts / unitsPerSec);
      const frac = ts - sec * unitsPerSec;
      records.push({
        index: records.length,
        fileOffset: o,
        linktype: iface.linktype,
        tsSec: sec,
        tsNsec: Math.round((frac * 1e9) / unitsPerSec),
        dataOffset: o + 28,
        dataLength: caplen,
        origLength: dv.getUint32(o + 24, le),
      });
    } else if (type === 3) {
      const origLength = dv.getUint32(o + 8, le);
      records.push({
        index: records.length,
        fileOffset: o,
        linktype: ifaces[0].linktype,
        tsSec: 0,
        tsNsec: 0,
        dataOffset: o + 12,
        dataLength: Math.min(origLength, len - 16),
        origLength,
      });
    }
    o += len;
  }
  return { bytes, littleEndian: le, records };
}

/** Pack records into RecordBatch objects the way the core will (NOT_RAW status for URB link types). */
export function toBatches(cap: TestCapture, batchSize: number): RecordBatch[] {
  const batches: RecordBatch[] = [];
  for (let first = 0; first < cap.records.length; first += batchSize) {
    const recs = cap.records.slice(first, first + batchSize);
    const n = recs.length;
    const b: RecordBatch = {
      firstIndex: first,
      count: n,
      bytes: cap.bytes,
      offset: new Float64Array(n),
      tsSec: new Float64Array(n),
      tsNsec: new Uint32Array(n),
      linktype: new Uint16Array(n),
      pid: new Uint8Array(n),
      status: new Uint8Array(n),
      address: new Uint8Array(n),
      endpoint: new Uint8Array(n),
      frame: new Uint16Array(n),
      dataOffset: new Uint32Array(n),
      dataLength: new Uint32Array(n),
      origLength: new Uint32Array(n),
    };
    recs.forEach((r, i) => {
      b.offset[i] = r.fileOffset;
      b.tsSec[i] = r.tsSec;
      b.tsNsec[i] = r.tsNsec;
      b.linktype[i] = r.linktype;
      b.status[i] = PacketStatus.NOT_RAW;
      b.dataOffset[i] = r.dataOffset;
      b.dataLength[i] = r.dataLength;
      b.origLength[i] = r.origLength;
    });
    batches.push(b);
  }
  return batches;
}
