// Format-aware mutations: each input is a window of a seed's units (pcap records, pcapng blocks, usbmon text
// lines) changed in the ways captures go wrong: header and block lengths that lie, snap lengths and
// if_tsresol, usbmon len_cap and ndesc, USBPcap headerLen, units dropped, duplicated, swapped or spliced from
// another capture, truncation, inserted bytes and garbage text lines. Deterministic: the input of execution
// `i` of seed `s` is mutateInput(corpus, rngFor(s, i)), so any input can be made again from two numbers.
import { concatAll, type Seed } from "./corpus.js";

/** A small fast PRNG (mulberry32). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }
  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }
}

/** The generator of execution `exec` of run seed `seed` (a hash of both, so neighbouring executions differ). */
export function rngFor(seed: number, exec: number): Rng {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(exec + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return new Rng(h);
}

/** The input being built: a seed's container with its own copy of the units. */
interface Work {
  seed: Seed;
  head: Uint8Array;
  units: Uint8Array[];
}

const U32_LIES = [
  0, 1, 2, 3, 7, 8, 15, 16, 47, 48, 63, 64, 65, 255, 256, 0x7fff, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
  0xfffffffe, 0xffffffff, 0x10000000, 0x10000001,
];
const LINKTYPES = [1, 189, 220, 249, 252, 288, 293, 294, 295, 0, 0xffff];
const TEXT_TOKENS = [
  "",
  "-1",
  "0",
  "-115",
  "4294967296",
  "99999999999999999999",
  "1.5",
  "0x10",
  "=",
  "<",
  ">",
  "s",
  "__",
  "Ci:1:002:0",
  "Co:999:128:16",
  "Zi:1:002:1",
  "S",
  "C",
  "E",
  "X",
  "ffffffffffffffffff",
  "-",
  "0:0:0:0:0",
];

/** A mutable copy of `u`. */
const copy = (u: Uint8Array) => u.slice();

function setU32(b: Uint8Array, at: number, v: number, be: boolean): void {
  if (at < 0 || at + 4 > b.length) return;
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(at, v >>> 0, !be);
}
function getU32(b: Uint8Array, at: number, be: boolean): number {
  if (at < 0 || at + 4 > b.length) return 0;
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, !be);
}
function setU16(b: Uint8Array, at: number, v: number, be: boolean): void {
  if (at < 0 || at + 2 > b.length) return;
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint16(at, v & 0xffff, !be);
}

/** A length lie near the truth or one of the classic bad values. */
function lie(rng: Rng, truth: number): number {
  return rng.chance(0.5) ? Math.max(0, truth + rng.int(9) - 4) : rng.pick(U32_LIES);
}

/** Where a unit's packet data starts (pcap record or pcapng EPB/SPB/PB), or -1. */
function dataStart(w: Work, u: Uint8Array): number {
  if (w.seed.container === "pcap") return 16;
  if (w.seed.container !== "pcapng" || u.length < 12) return -1;
  const type = getU32(u, 0, w.seed.bigEndian);
  return type === 6 || type === 2 ? 28 : type === 3 ? 12 : -1;
}

/** Lie in a usbmon header (mon_bin_hdr) at `o`: type, xfer_type, flags, lengths, ndesc, timestamps. */
function mutateUsbmon(rng: Rng, u: Uint8Array, o: number, be: boolean): void {
  switch (rng.int(9)) {
    case 0:
      if (o + 8 < u.length) u[o + 8] = rng.pick([0x53, 0x43, 0x45, 0x40, 0x58, 0, 0xff, 0x9b]);
      break;
    case 1:
      if (o + 9 < u.length) u[o + 9] = rng.int(6);
      break;
    case 2:
      setU32(u, o + 36, lie(rng, getU32(u, o + 36, be)), be); // len_cap
      break;
    case 3:
      setU32(u, o + 32, lie(rng, getU32(u, o + 32, be)), be); // length
      break;
    case 4:
      setU32(u, o + 60, rng.pick([0, 1, 5, 128, 129, 1000, 0xffffffff]), be); // ndesc
      break;
    case 5:
      setU32(u, o + 44, rng.pick([0, 1, 128, 0xffffffff]), be); // numdesc
      break;
    case 6:
      if (o + 15 < u.length) u[o + rng.pick([14, 15])] = rng.pick([0, 0x2d, 0x3c, 0x3e, 0x5a]);
      break;
    case 7:
      setU32(u, o + 24, rng.pick([1_000_000, 0xffffffff, 0x80000000, 999_999, 4_000_000_000]), be); // ts_usec
      break;
    default:
      setU32(u, o + 20, rng.pick([0x7fffffff, 0x80000000, 0xffffffff, 1]), be); // ts_sec high word
  }
}

/** Lie in a USBPcap header at `o`: headerLen, dataLength, transfer type, info, iso packet count. */
function mutateUsbpcap(rng: Rng, u: Uint8Array, o: number): void {
  switch (rng.int(5)) {
    case 0:
      setU16(u, o, rng.pick([0, 26, 27, 28, 39, 51, 0xffff, u.length - o + 1]), false);
      break;
    case 1:
      setU32(u, o + 23, lie(rng, getU32(u, o + 23, false)), false);
      break;
    case 2:
      if (o + 22 < u.length) u[o + 22] = rng.pick([0, 1, 2, 3, 4, 0x80, 0xff]);
      break;
    case 3:
      if (o + 16 < u.length) u[o + 16] = rng.int(256);
      break;
    default:
      setU32(u, o + 31, rng.pick([0, 1, 1000, 0xffffffff]), false);
  }
}

/** Damage a raw USB packet at `o`: its PID, a bit of its CRC or fields, its length. */
function mutateRaw(rng: Rng, u: Uint8Array, o: number): void {
  if (o >= u.length) return;
  if (rng.chance(0.4))
    u[o] = rng.chance(0.5)
      ? rng.int(256)
      : rng.pick([0x2d, 0xe1, 0x69, 0xa5, 0xc3, 0x4b, 0xd2, 0x5a, 0x1e, 0x78, 0xb4, 0xf0]);
  else u[o + rng.int(u.length - o)]! ^= 1 << rng.int(8);
}

/** One mutation of a pcap or pcapng unit's container fields or its payload. */
function mutateUnit(rng: Rng, w: Work, i: number): void {
  const u = (w.units[i] = copy(w.units[i]!));
  const be = w.seed.bigEndian;
  const start = dataStart(w, u);
  const k = rng.int(10);
  if (w.seed.container === "pcap") {
    if (k === 0)
      setU32(u, 8, lie(rng, getU32(u, 8, be)), be); // incl_len
    else if (k === 1)
      setU32(u, 12, lie(rng, getU32(u, 12, be)), be); // orig_len
    else if (k === 2) setU32(u, 4, rng.pick([1_000_000, 999_999, 1_500_000, 0xffffffff, 1_000_000_000]), be);
    else if (k === 3) setU32(u, 0, rng.pick([0, 0xffffffff, 0x80000000, 253402300800]), be);
    else mutatePayload(rng, u, start, w);
    return;
  }
  // pcapng block: total length (leading or trailing), EPB fields, or the payload.
  if (k === 0) setU32(u, 4, lie(rng, getU32(u, 4, be)), be);
  else if (k === 1) setU32(u, u.length - 4, lie(rng, getU32(u, u.length - 4, be)), be);
  else if (k === 2 && start === 28)
    setU32(u, 8, rng.pick([0, 1, 2, 255, 256, 0xffffffff]), be); // interface id
  else if (k === 3 && start === 28)
    setU32(u, 20, lie(rng, getU32(u, 20, be)), be); // captured length
  else if (k === 4 && start === 28)
    setU32(u, 12, rng.next(), be); // timestamp high
  else if (start >= 0) mutatePayload(rng, u, start, w);
  else mutateBytes(rng, u);
}

/** The payload of a record: usbmon or USBPcap header lies by what the data looks like, else a raw packet's damage. */
function mutatePayload(rng: Rng, u: Uint8Array, o: number, w: Work): void {
  const len = u.length - o - (w.seed.container === "pcapng" ? 4 : 0);
  if (len >= 48 && rng.chance(0.5)) mutateUsbmon(rng, u, o, w.seed.bigEndian);
  else if (len >= 27 && rng.chance(0.4)) mutateUsbpcap(rng, u, o);
  else if (rng.chance(0.5)) mutateRaw(rng, u, o);
  else mutateBytes(rng, u);
}

/** Byte-level damage in place: bit flips and interesting values. */
function mutateBytes(rng: Rng, u: Uint8Array): void {
  if (u.length === 0) return;
  const n = 1 + rng.int(4);
  for (let j = 0; j < n; j++) {
    const at = rng.int(u.length);
    if (rng.chance(0.5)) u[at]! ^= 1 << rng.int(8);
    else u[at] = rng.pick([0, 0xff, 0x7f, 0x80, 0x0a, 0x1b, 0x9b, 0x20]);
  }
}

/** Mutations of a usbmon text line: a token replaced, a huge token, control characters, a garbage line. */
function mutateLine(rng: Rng, w: Work, i: number): void {
  const line = new TextDecoder("latin1").decode(w.units[i]!);
  const tokens = line.replace(/\n$/, "").split(" ");
  let out: string;
  switch (rng.int(6)) {
    case 0:
      tokens[rng.int(tokens.length)] = rng.pick(TEXT_TOKENS);
      out = tokens.join(" ");
      break;
    case 1:
      tokens[rng.int(tokens.length)] = "f".repeat(1 + rng.int(rng.chance(0.1) ? 200_000 : 200));
      out = tokens.join(" ");
      break;
    case 2: {
      const at = rng.int(line.length);
      out =
        line.slice(0, at) +
        rng.pick(["\u001b[31m", "\u009b2J", "\r", "\t", "\u0000", "\u202e", "\u0007"]) +
        line.slice(at);
      out = out.replace(/\n$/, "");
      break;
    }
    case 3:
      out = Array.from({ length: rng.int(120) }, () => String.fromCharCode(rng.int(256)))
        .join("")
        .replace(/\n/g, " ");
      break;
    case 4:
      tokens.splice(rng.int(tokens.length), 1);
      out = tokens.join(" ");
      break;
    default:
      out = tokens.join(rng.pick(["  ", "\t", " \r"]));
  }
  w.units[i] = Uint8Array.from(out + (rng.chance(0.97) ? "\n" : ""), (c) => c.charCodeAt(0) & 0xff);
}

/** One input: a window of a seed, 1 to 8 mutations, maybe a cut at the end. */
export function mutateInput(seeds: readonly Seed[], rng: Rng): Uint8Array {
  const seed = rng.pick(seeds);
  const take = 1 + rng.int(rng.chance(0.2) ? 400 : 60);
  const from = rng.int(Math.max(1, seed.units.length - take + 1));
  const w: Work = { seed, head: seed.head, units: seed.units.slice(from, from + take) };
  const n = 1 + rng.int(8);
  for (let m = 0; m < n; m++) {
    const units = w.units;
    const i = rng.int(units.length);
    const k = rng.int(12);
    if (units.length === 0) units.push(rng.pick(seed.units));
    else if (k === 0) units.splice(i, 1);
    else if (k === 1) units.splice(i, 0, units[i]!);
    else if (k === 2) {
      const j = rng.int(units.length);
      [units[i], units[j]] = [units[j]!, units[i]!];
    } else if (k === 3) {
      // Splice a unit of another capture of the same container (another link type, another device).
      const other = seeds.filter((s) => s.container === seed.container);
      units.splice(i, 0, rng.pick(rng.pick(other).units));
    } else if (k === 4) units[i] = units[i]!.slice(0, rng.int(units[i]!.length));
    else if (k === 5 && seed.container !== "text") {
      const u = copy(units[i]!);
      mutateBytes(rng, u);
      units[i] = u;
    } else if (k === 6 && seed.container !== "text") mutateHead(rng, w);
    else if (k === 7 && seed.container === "pcapng")
      units.splice(i, 0, w.head.slice()); // a new section, or IDBs again
    else if (seed.container === "text") mutateLine(rng, w, i);
    else mutateUnit(rng, w, i);
  }
  let bytes = concatAll([w.head, ...w.units]);
  if (rng.chance(0.1)) bytes = bytes.slice(0, rng.int(bytes.length + 1));
  if (rng.chance(0.03)) {
    // Bytes inserted anywhere (a torn write, a concatenated file).
    const at = rng.int(bytes.length + 1);
    const junk = Uint8Array.from({ length: 1 + rng.int(64) }, () => rng.int(256));
    bytes = concatAll([bytes.subarray(0, at), junk, bytes.subarray(at)]);
  }
  return bytes;
}

/** The file or section header: link type, snap length, timestamp resolution (pcap magic, pcapng if_tsresol). */
function mutateHead(rng: Rng, w: Work): void {
  const h = (w.head = copy(w.head));
  const be = w.seed.bigEndian;
  if (w.seed.container === "pcap") {
    const k = rng.int(4);
    if (k === 0) setU32(h, 20, rng.pick(LINKTYPES), be);
    else if (k === 1)
      setU32(h, 16, rng.pick([0, 1, 16, 48, 64, 65535]), be); // snaplen
    else if (k === 2) setU32(h, 0, rng.pick([0xa1b2c3d4, 0xa1b23c4d, 0xd4c3b2a1, 0x4d3cb2a1]), false);
    else mutateBytes(rng, h);
    return;
  }
  // pcapng: find an IDB in the head and change its link type, snap length, or an option's bytes (if_tsresol).
  const v = new DataView(h.buffer, h.byteOffset, h.byteLength);
  let o = 0;
  const idbs: number[] = [];
  while (o + 12 <= h.length) {
    const len = v.getUint32(o + 4, !be);
    if (len < 12 || o + len > h.length) break;
    if (v.getUint32(o, !be) === 1) idbs.push(o);
    o += len;
  }
  if (idbs.length === 0) return mutateBytes(rng, h);
  const at = rng.pick(idbs);
  const len = v.getUint32(at + 4, !be);
  const k = rng.int(4);
  if (k === 0) setU16(h, at + 8, rng.pick(LINKTYPES), be);
  else if (k === 1) setU32(h, at + 12, rng.pick([0, 1, 16, 48, 64, 65535]), be);
  else if (k === 2 && len > 24) {
    // An option's value byte: if_tsresol when it is there (code 9), else any option.
    for (let p = at + 16; p + 4 <= at + len - 4;) {
      const code = v.getUint16(p, !be);
      const olen = v.getUint16(p + 2, !be);
      if (code === 9 && olen >= 1) {
        h[p + 4] = rng.int(256);
        return;
      }
      if (code === 0) break;
      p += 4 + ((olen + 3) & ~3);
    }
    h[at + 16 + rng.int(len - 20)] = rng.int(256);
  } else mutateBytes(rng, h);
}
