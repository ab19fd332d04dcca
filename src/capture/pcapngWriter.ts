// A pcapng writer (draft-ietf-opsawg-pcapng): a little-endian section, Interface Description Blocks
// with nanosecond timestamps (if_tsresol 9), Enhanced Packet Blocks with opt_comment options, and
// Custom Blocks copied as they were. Blocks are gathered and handed to `write` in large chunks.

const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 1;
const BT_EPB = 6;
const BT_CUSTOM = 0x00000bad;
const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_TSRESOL = 9;
const FLUSH_AT = 1 << 20;

const encoder = new TextEncoder();
const pad4 = (n: number) => (n + 3) & ~3;

export class PcapngWriter {
  private chunks: Uint8Array[] = [];
  private pending = 0;
  /** Blocks written: packet blocks and custom blocks (records, as Wireshark counts frames). */
  records = 0;

  constructor(private readonly write: (chunk: Uint8Array) => void | Promise<void>) {}

  /** The Section Header Block, written first, with comments on the capture as a whole. */
  section(application: string, comments: string[] = []): void {
    this.block(
      BT_SHB,
      16,
      (v) => {
        v.setUint32(8, 0x1a2b3c4d, true);
        v.setUint16(12, 1, true);
        v.setUint16(14, 0, true);
        v.setBigInt64(16, -1n, true); // section length not given
      },
      [
        [SHB_USERAPPL, encoder.encode(application)],
        ...comments.map((c) => [OPT_COMMENT, encoder.encode(c)] as [number, Uint8Array]),
      ],
    );
  }

  /** An Interface Description Block; interfaces are numbered from 0 in the order they are written. */
  interface(linktype: number, name: string): void {
    this.block(
      BT_IDB,
      8,
      (v) => {
        v.setUint16(8, linktype, true);
        v.setUint16(10, 0, true);
        v.setUint32(12, 0, true); // no snap length
      },
      [
        [IF_NAME, encoder.encode(name)],
        [IF_TSRESOL, Uint8Array.of(9)],
      ],
    );
  }

  /** An Enhanced Packet Block: time in ns since the epoch, the captured bytes, comments as opt_comment. */
  packet(
    iface: number,
    sec: number,
    nsec: number,
    data: Uint8Array,
    origLength: number,
    comments: string[],
  ): void {
    const ns = BigInt(Math.trunc(sec)) * 1_000_000_000n + BigInt(nsec);
    const body = 20 + pad4(data.length);
    this.block(
      BT_EPB,
      body,
      (v, u) => {
        v.setUint32(8, iface, true);
        v.setUint32(12, Number((ns >> 32n) & 0xffffffffn), true);
        v.setUint32(16, Number(ns & 0xffffffffn), true);
        v.setUint32(20, data.length, true);
        v.setUint32(24, origLength, true);
        u.set(data, 28);
      },
      comments.map((c) => [OPT_COMMENT, encoder.encode(c)] as [number, Uint8Array]),
    );
    this.records++;
  }

  /** A Custom Block (copyable): the Private Enterprise Number and the data as they were. */
  custom(pen: number, data: Uint8Array): void {
    this.block(
      BT_CUSTOM,
      4 + pad4(data.length),
      (v, u) => {
        v.setUint32(8, pen, true);
        u.set(data, 12);
      },
      [],
    );
    this.records++;
  }

  /** Hand over what is gathered. */
  async flush(): Promise<void> {
    if (this.pending === 0) return;
    const out = new Uint8Array(this.pending);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    this.chunks = [];
    this.pending = 0;
    await this.write(out);
  }

  /** Gathered bytes past which the caller should flush(). */
  get full(): boolean {
    return this.pending >= FLUSH_AT;
  }

  private block(
    type: number,
    body: number,
    fill: (v: DataView, u: Uint8Array) => void,
    options: [number, Uint8Array][],
  ): void {
    let optLen = 0;
    for (const [, value] of options) optLen += 4 + pad4(value.length);
    if (options.length) optLen += 4;
    const total = 8 + body + optLen + 4;
    const u = new Uint8Array(total);
    const v = new DataView(u.buffer);
    v.setUint32(0, type, true);
    v.setUint32(4, total, true);
    fill(v, u);
    let at = 8 + body;
    for (const [code, value] of options) {
      v.setUint16(at, code, true);
      v.setUint16(at + 2, value.length, true);
      u.set(value, at + 4);
      at += 4 + pad4(value.length);
    }
    if (options.length) {
      v.setUint16(at, OPT_ENDOFOPT, true);
      v.setUint16(at + 2, 0, true);
      at += 4;
    }
    v.setUint32(at, total, true);
    this.chunks.push(u);
    this.pending += total;
  }
}
