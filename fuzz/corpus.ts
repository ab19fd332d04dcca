// The fuzzer's seeds: every capture in captures/ and ../shared/captures-public/, split into the units its
// container is made of (pcap records, pcapng blocks, usbmon text lines), so mutations can lie about a unit's
// lengths, duplicate, drop or splice whole units, and not only flip bytes.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

export type Container = "pcap" | "pcapng" | "text";

export interface Seed {
  name: string;
  container: Container;
  /** Container byte order (pcap: the file header's; pcapng: the first section's). */
  bigEndian: boolean;
  /** pcap: the 24-byte file header. pcapng: the blocks before the first packet block (SHB, IDBs). Text: empty. */
  head: Uint8Array;
  /** pcap records (header + data), pcapng blocks, or text lines (with their newline). */
  units: Uint8Array[];
}

/** Units a seed keeps (the fuzzer takes windows of them): the start of a long capture is as good as all of it. */
const MAX_UNITS = 4000;

/** Split a file into its container's units; undefined when it is none of the three. */
export function splitCapture(name: string, b: Uint8Array): Seed | undefined {
  if (b.length < 4) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const magicLe = v.getUint32(0, true);
  if (magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d || magicLe === 0xd4c3b2a1 || magicLe === 0x4d3cb2a1) {
    const be = magicLe === 0xd4c3b2a1 || magicLe === 0x4d3cb2a1;
    const units: Uint8Array[] = [];
    let o = 24;
    while (o + 16 <= b.length && units.length < MAX_UNITS) {
      const len = v.getUint32(o + 8, !be);
      if (o + 16 + len > b.length) break;
      units.push(b.slice(o, o + 16 + len));
      o += 16 + len;
    }
    return { name, container: "pcap", bigEndian: be, head: b.slice(0, 24), units };
  }
  if (magicLe === 0x0a0d0d0a && b.length >= 12) {
    const be = v.getUint32(8, true) !== 0x1a2b3c4d;
    const head: Uint8Array[] = [];
    const units: Uint8Array[] = [];
    let o = 0;
    while (o + 12 <= b.length && units.length < MAX_UNITS) {
      const type = v.getUint32(o, !be);
      const len = v.getUint32(o + 4, !be);
      if (len < 12 || o + len > b.length) break;
      const block = b.slice(o, o + len);
      // Blocks before the first packet block (section header, interfaces) make the head.
      if (units.length === 0 && type !== 2 && type !== 3 && type !== 6) head.push(block);
      else units.push(block);
      o += len;
    }
    return { name, container: "pcapng", bigEndian: be, head: concatAll(head), units };
  }
  const text = new TextDecoder("latin1").decode(b.subarray(0, Math.min(b.length, 4096)));
  if (/^[0-9a-f]{8,16} \d+(\.\d+)? [SCE] [CZIB][io]:/m.test(text)) {
    const units: Uint8Array[] = [];
    let start = 0;
    for (let i = 0; i < b.length && units.length < MAX_UNITS; i++)
      if (b[i] === 0x0a) {
        units.push(b.slice(start, i + 1));
        start = i + 1;
      }
    return { name, container: "text", bigEndian: false, head: new Uint8Array(0), units };
  }
  return undefined;
}

export function concatAll(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Every capture file under `dir`, recursively (sorted: the corpus, and so every run of a seed, is stable). */
function captureFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    const s = statSync(p);
    if (s.isDirectory()) out.push(...captureFiles(p));
    else if (/\.(pcap|pcapng|mon|usbmon|txt)$/.test(name)) out.push(p);
  }
  return out;
}

/** The seeds: captures/ of the repository and the public captures next to it. */
export function loadSeeds(repoRoot: string): Seed[] {
  const dirs = [path.join(repoRoot, "captures"), path.resolve(repoRoot, "../shared/captures-public")];
  const seeds: Seed[] = [];
  for (const dir of dirs)
    for (const file of captureFiles(dir)) {
      const s = splitCapture(path.relative(path.dirname(dir), file), new Uint8Array(readFileSync(file)));
      if (s && s.units.length > 0) seeds.push(s);
    }
  return seeds;
}
