// Container-level damage for the framer's tests (FormatError in as/shared/constants.ts): locate
// pcap records and pcapng blocks in finished file bytes and patch their length fields.

/** Where a record or block sits in the file. */
export interface Located {
  offset: number;
  /** pcapng block type (pcap: 0). */
  type: number;
  /** pcap: captured length; pcapng: block total length. */
  length: number;
  /** Byte order of this record's section. */
  le: boolean;
}

/** Offsets of every pcap record header (after the 24-byte file header). */
export function pcapRecords(bytes: Uint8Array): Located[] {
  const v = view(bytes);
  const m = v.getUint32(0, true);
  const le = m === 0xa1b2c3d4 || m === 0xa1b23c4d;
  const out: Located[] = [];
  for (let o = 24; o + 16 <= bytes.length;) {
    const caplen = v.getUint32(o + 8, le);
    out.push({ offset: o, type: 0, length: caplen, le });
    o += 16 + caplen;
  }
  return out;
}

/** Every pcapng block, following each Section Header Block's byte order. */
export function pcapngBlocks(bytes: Uint8Array): Located[] {
  const v = view(bytes);
  const out: Located[] = [];
  let le = true;
  for (let o = 0; o + 12 <= bytes.length;) {
    if (v.getUint32(o, true) === 0x0a0d0d0a) le = v.getUint32(o + 8, true) === 0x1a2b3c4d;
    const len = v.getUint32(o + 4, le);
    out.push({ offset: o, type: v.getUint32(o, le), length: len, le });
    if (len < 12) break;
    o += len;
  }
  return out;
}

/** A copy of the first `keep` bytes (a file cut short mid-header or mid-record). */
export function truncate(bytes: Uint8Array, keep: number): Uint8Array {
  return bytes.slice(0, keep);
}

/** Copy of a pcap file with record `index`'s incl_len (captured length) set to `caplen`. */
export function withPcapCaplen(bytes: Uint8Array, index: number, caplen: number): Uint8Array {
  const r = pcapRecords(bytes)[index];
  if (r === undefined) throw new Error(`no record ${index}`);
  const out = bytes.slice();
  view(out).setUint32(r.offset + 8, caplen, r.le);
  return out;
}

/** Copy of a pcapng file with block `index`'s leading and/or trailing total length replaced. */
export function withBlockLength(
  bytes: Uint8Array,
  index: number,
  lengths: { leading?: number; trailing?: number },
): Uint8Array {
  const b = pcapngBlocks(bytes)[index];
  if (b === undefined) throw new Error(`no block ${index}`);
  const out = bytes.slice();
  const v = view(out);
  if (lengths.trailing !== undefined) v.setUint32(b.offset + b.length - 4, lengths.trailing, b.le);
  if (lengths.leading !== undefined) v.setUint32(b.offset + 4, lengths.leading, b.le);
  return out;
}

/** Copy of the file without block `index` (e.g. drop the SHB to put data before any section, or an IDB). */
export function withoutBlock(bytes: Uint8Array, index: number): Uint8Array {
  const b = pcapngBlocks(bytes)[index];
  if (b === undefined) throw new Error(`no block ${index}`);
  const out = new Uint8Array(bytes.length - b.length);
  out.set(bytes.subarray(0, b.offset));
  out.set(bytes.subarray(b.offset + b.length), b.offset);
  return out;
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}
