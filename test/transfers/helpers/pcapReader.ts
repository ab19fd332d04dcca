// Test-only capture slurper: reads a whole pcap or pcapng file into RawRecords (slow, simple).
// Packet blocks (pcapng EPB/SPB) are records; so are Custom Blocks (0x00000BAD/0x40000BAD, Packetry's bus
// events), as records of no raw link type, because Wireshark numbers them as frames and the core counts them.
import { readFileSync } from "node:fs";
import type { RawRecord } from "./packets.js";

export function readCapture(path: string): RawRecord[] {
  const buf = readFileSync(path);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = dv.getUint32(0, true);
  const out: RawRecord[] = [];
  if (magic === 0xa1b2c3d4 || magic === 0xd4c3b2a1 || magic === 0xa1b23c4d || magic === 0x4d3cb2a1) {
    const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
    const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
    const linktype = dv.getUint32(20, le) & 0xffff;
    let pos = 24;
    while (pos + 16 <= buf.length) {
      const sec = dv.getUint32(pos, le);
      const frac = dv.getUint32(pos + 4, le);
      const incl = dv.getUint32(pos + 8, le);
      const orig = dv.getUint32(pos + 12, le);
      const bytes = new Uint8Array(buf.subarray(pos + 16, pos + 16 + incl));
      out.push({ bytes, sec, nsec: nano ? frac : frac * 1000, linktype, origLength: orig });
      pos += 16 + incl;
    }
    return out;
  }
  if (magic !== 0x0a0d0d0a) throw new Error(`not a capture: ${path}`);
  let pos = 0;
  let le = true;
  let ifaces: { linktype: number; tsresol: number }[] = [];
  while (pos + 12 <= buf.length) {
    const type = dv.getUint32(pos, le);
    if (type === 0x0a0d0d0a) {
      le = dv.getUint32(pos + 8, true) === 0x1a2b3c4d;
      ifaces = [];
    }
    const len = dv.getUint32(pos + 4, le);
    if (type === 1) {
      const linktype = dv.getUint16(pos + 8, le);
      let tsresol = 1e6;
      let opt = pos + 16;
      while (opt + 4 <= pos + len - 4) {
        const code = dv.getUint16(opt, le);
        const olen = dv.getUint16(opt + 2, le);
        if (code === 0) break;
        if (code === 9) {
          const v = buf[opt + 4];
          tsresol = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
        }
        opt += 4 + ((olen + 3) & ~3);
      }
      ifaces.push({ linktype, tsresol });
    } else if (type === 6) {
      const iface = ifaces[dv.getUint32(pos + 8, le)];
      const ts = (BigInt(dv.getUint32(pos + 12, le)) << 32n) | BigInt(dv.getUint32(pos + 16, le));
      const resol = BigInt(iface.tsresol);
      const cap = dv.getUint32(pos + 20, le);
      const orig = dv.getUint32(pos + 24, le);
      const bytes = new Uint8Array(buf.subarray(pos + 28, pos + 28 + cap));
      const sec = Number(ts / resol);
      const nsec = Number(((ts % resol) * 1_000_000_000n) / resol);
      out.push({ bytes, sec, nsec, linktype: iface.linktype, origLength: orig });
    } else if (type === 0x00000bad || type === 0x40000bad) {
      out.push({ bytes: new Uint8Array(buf.subarray(pos + 12, pos + len - 4)), sec: 0, nsec: 0, linktype: 0xffff });
    } else if (type === 3) {
      const orig = dv.getUint32(pos + 8, le);
      const bytes = new Uint8Array(buf.subarray(pos + 12, pos + 12 + Math.min(orig, len - 16)));
      out.push({ bytes, sec: 0, nsec: 0, linktype: ifaces[0].linktype, origLength: orig });
    }
    pos += len;
  }
  return out;
}
