// TEST-ONLY pcap/pcapng slurper: reads a whole file and lists its records (slow, simple). It is
// deliberately independent of the WASM core, so tests can compare the core's batches against it.
// pcap: µs/ns magics, either byte order. pcapng: SHB (either byte order; resets the interfaces),
// IDB (if_tsresol, decimal or power of two), EPB, SPB (interface 0, no timestamp), and Custom
// Blocks 0x00000BAD/0x40000BAD (Packetry's bus events) as records of LinkType.PCAPNG_CUSTOM_BLOCK,
// because Wireshark numbers them as frames and the core counts them. Every other block is skipped.

import { readFileSync } from "node:fs";
import { LinkType } from "../../as/shared/constants.js";

export interface SlurpedRecord {
  index: number;
  /** File offset of the record header / block. */
  fileOffset: number;
  linktype: number;
  tsSec: number;
  tsNsec: number;
  /** Offset of the captured bytes in the capture's `bytes`. */
  dataOffset: number;
  dataLength: number;
  origLength: number;
}

export interface SlurpedCapture {
  /** The whole file. */
  bytes: Uint8Array;
  littleEndian: boolean;
  records: SlurpedRecord[];
}

export function slurpCapture(path: string): SlurpedCapture {
  return slurpCaptureBytes(new Uint8Array(readFileSync(path)), path);
}

const PCAP_MAGICS: Record<number, [littleEndian: boolean, nsPerUnit: number]> = {
  0xa1b2c3d4: [true, 1000],
  0xd4c3b2a1: [false, 1000],
  0xa1b23c4d: [true, 1],
  0x4d3cb2a1: [false, 1],
};

export function slurpCaptureBytes(bytes: Uint8Array, path = "(bytes)"): SlurpedCapture {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint32(0, true);
  if (magic === 0x0a0d0d0a) return slurpPcapng(bytes, dv);
  const m = PCAP_MAGICS[magic];
  if (m === undefined) throw new Error(`not pcap/pcapng: ${path}`);
  const [le, nsPerUnit] = m;
  const linktype = dv.getUint32(20, le) & 0xffff;
  const records: SlurpedRecord[] = [];
  for (let o = 24; o + 16 <= bytes.length;) {
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

function slurpPcapng(bytes: Uint8Array, dv: DataView): SlurpedCapture {
  let le = true;
  let ifaces: { linktype: number; unitsPerSec: bigint }[] = [];
  const records: SlurpedRecord[] = [];
  const push = (
    fileOffset: number,
    linktype: number,
    tsSec: number,
    tsNsec: number,
    dataOffset: number,
    dataLength: number,
    origLength: number,
  ) =>
    records.push({
      index: records.length,
      fileOffset,
      linktype,
      tsSec,
      tsNsec,
      dataOffset,
      dataLength,
      origLength,
    });
  for (let o = 0; o + 12 <= bytes.length;) {
    const type = dv.getUint32(o, le);
    if (type === 0x0a0d0d0a) {
      le = dv.getUint32(o + 8, true) === 0x1a2b3c4d;
      ifaces = [];
    }
    const len = dv.getUint32(o + 4, le);
    if (type === 1) {
      const linktype = dv.getUint16(o + 8, le);
      let unitsPerSec = 1_000_000n;
      for (let p = o + 16; p + 4 <= o + len - 4;) {
        const code = dv.getUint16(p, le);
        const olen = dv.getUint16(p + 2, le);
        if (code === 0) break;
        if (code === 9) {
          const v = bytes[p + 4];
          unitsPerSec = v & 0x80 ? 2n ** BigInt(v & 0x7f) : 10n ** BigInt(v);
        }
        p += 4 + ((olen + 3) & ~3);
      }
      ifaces.push({ linktype, unitsPerSec });
    } else if (type === 6) {
      const iface = ifaces[dv.getUint32(o + 8, le)];
      const ts = (BigInt(dv.getUint32(o + 12, le)) << 32n) | BigInt(dv.getUint32(o + 16, le));
      const sec = Number(ts / iface.unitsPerSec);
      const nsec = Number(((ts % iface.unitsPerSec) * 1_000_000_000n) / iface.unitsPerSec);
      push(o, iface.linktype, sec, nsec, o + 28, dv.getUint32(o + 20, le), dv.getUint32(o + 24, le));
    } else if (type === 3) {
      const origLength = dv.getUint32(o + 8, le);
      push(o, ifaces[0].linktype, 0, 0, o + 12, Math.min(origLength, len - 16), origLength);
    } else if (type === 0x00000bad || type === 0x40000bad) {
      push(o, LinkType.PCAPNG_CUSTOM_BLOCK, 0, 0, o + 12, len - 16, len - 16);
    }
    o += len;
  }
  return { bytes, littleEndian: le, records };
}
