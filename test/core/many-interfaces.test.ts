// pcapng sections with more interfaces than the core's first interface table (256 rows): every
// packet is framed with its own interface's link type and timestamp resolution, as tshark reads
// it, in both byte orders and however the bytes arrive. The table grows on demand up to
// Limits.MAX_INTERFACES; the next IDB stops framing with TOO_MANY_INTERFACES at its offset.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { FormatError, LinkType, Limits, Pid } from "../../as/shared/constants.js";
import { PcapngWriter, type TsResol } from "../../builder/pcapng.js";
import { MemorySink } from "../../builder/sink.js";
import { createCore } from "../../src/core/core.js";
import { collectBytes, type Collected } from "../helpers/collect.js";
import { tsharkFields } from "../helpers/tshark.js";

const LINKTYPES = [
  LinkType.USB_2_0_HIGH_SPEED,
  LinkType.USB_LINUX_MMAPPED,
  LinkType.USB_2_0_FULL_SPEED,
  LinkType.USBPCAP,
  LinkType.USB_2_0,
];
const RESOLUTIONS: TsResol[] = ["us", "ns", { base: 2, exp: 20 }];
const SEC = 1_700_000_000;
/** Wireshark's encapsulation (wiretap/wtap.h WTAP_ENCAP_*, tshark's frame.encap_type) of each LINKTYPE used. */
const WTAP_ENCAP: Record<number, number> = {
  [LinkType.USB_2_0]: 208,
  [LinkType.USB_2_0_FULL_SPEED]: 216,
  [LinkType.USB_2_0_HIGH_SPEED]: 217,
  [LinkType.USB_LINUX_MMAPPED]: 115,
  [LinkType.USBPCAP]: 152,
};

/** What the file says about interface `id` of section `section`: its link type. */
function linktypeOf(section: number, id: number): number {
  return LINKTYPES[(id + section) % LINKTYPES.length]!;
}

/**
 * Section 0 (`order`): `n` IDBs, a packet on interface 0 after the first ten (so a batch holds rows
 * from before the table grows), then packets on 0, 1, 255, 256, 257, 4999 and n - 1 (those that
 * exist), one of 300 bytes. Section 1 (the other byte order): three IDBs, packets on 2 and 0.
 * Timestamps are quarter seconds, exact in every resolution used.
 */
function manyInterfaces(n: number, order: "le" | "be"): Uint8Array {
  const mem = new MemorySink();
  const w = new PcapngWriter(mem.sink, { byteOrder: order });
  let k = 0;
  const packet = (id: number, size = 3) => {
    const bytes = new Uint8Array(size);
    bytes.set([Pid.SETUP, 0x00, 0x10]);
    w.addPacket(id, { sec: SEC + k, nsec: 250_000_000 * (k % 4) }, bytes);
    k++;
  };
  const describeInterfaces = (from: number, to: number, section: number) => {
    for (let id = from; id < to; id++)
      w.addInterface({ linktype: linktypeOf(section, id), tsresol: RESOLUTIONS[id % RESOLUTIONS.length]! });
  };
  describeInterfaces(0, 10, 0);
  packet(0);
  describeInterfaces(10, n, 0);
  for (const id of [0, 1, 255, 256, 257, 4999, n - 1]) if (id < n) packet(id, id === 257 ? 300 : 3);
  packet(0);
  w.section({ byteOrder: order === "le" ? "be" : "le" });
  describeInterfaces(0, 3, 1);
  packet(2);
  packet(0);
  w.close();
  return mem.toBytes();
}

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "usbscope-interfaces-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** tshark's view of `bytes`: per frame, its interface ID (within its section), encapsulation and time. */
function tsharkFrames(
  bytes: Uint8Array,
  name: string,
): { interfaceId: number; encap: number; epoch: string }[] {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return tsharkFields(file, ["frame.interface_id", "frame.encap_type", "frame.time_epoch"]).map(
    ([id, encap, epoch]) => ({
      interfaceId: Number(id),
      encap: Number(encap),
      epoch: epoch!,
    }),
  );
}

function epochOf(c: Collected, i: number): string {
  return `${c.tsSec[i]}.${String(c.tsNsec[i]).padStart(9, "0")}`;
}

/** memory.grow works in 64 KiB pages: a table's growth may round up by less than one. */
const PAGE = 65536;

describe("pcapng sections with many interfaces", () => {
  for (const n of [300, 5000]) {
    for (const order of ["le", "be"] as const) {
      it(`reads every packet of a ${order === "le" ? "little" : "big"}-endian section with ${n} interfaces as tshark does`, async () => {
        const bytes = manyInterfaces(n, order);
        const ours = await collectBytes(bytes);
        expect(ours.info.error).toBeUndefined();
        expect(ours.info.sections).toBe(2);
        expect(ours.info.interfaces).toBe(n + 3);

        const ws = tsharkFrames(bytes, `${n}-${order}.pcapng`);
        expect(ours.linktype.length).toBe(ws.length);
        expect(ours.linktype.map((l) => WTAP_ENCAP[l])).toEqual(ws.map((f) => f.encap));
        // And each the link type of the IDB tshark says the packet names (the last two frames are
        // section 1's: interface IDs are per section).
        const section = (i: number) => (i >= ws.length - 2 ? 1 : 0);
        expect(ours.linktype).toEqual(ws.map((f, i) => linktypeOf(section(i), f.interfaceId)));
        expect(ws.map((f) => f.interfaceId)).toContain(n - 1);
        if (n > 257) expect(ws.map((f) => f.interfaceId)).toContain(257);
        expect(ours.linktype.map((_, i) => epochOf(ours, i))).toEqual(ws.map((f) => f.epoch));
      });
    }
  }

  it("gives the same records whatever the chunk size, batch size and input region (the table moves when the input grows)", async () => {
    const bytes = manyInterfaces(5000, "be");
    const strip = (c: Collected) => ({
      ...c,
      data: c.data.map((d) => Buffer.from(d).toString("hex")),
      info: { ...c.info, bytes: 0 },
    });
    const reference = strip(await collectBytes(bytes));
    // A 64-byte input region must grow for the 300-byte packet, after 5000 IDBs are in the table.
    const core = await createCore({ batchCapacity: 3, inputCapacity: 64 });
    expect(strip(await collectBytes(bytes, { chunkSize: 33, core }))).toEqual(reference);
    expect(strip(await collectBytes(bytes, { chunkSize: 1 << 20, core }))).toEqual(reference);
  });

  it("keeps memory bounded: 5000 interfaces take a table of 8192 rows of 32 bytes", async () => {
    const core = await createCore();
    const before = core.exports.memory.buffer.byteLength;
    await collectBytes(manyInterfaces(5000, "le"), { core });
    expect(core.exports.memory.buffer.byteLength - before).toBeLessThanOrEqual(8192 * 32 + PAGE);
  });
});

/**
 * One section of `ids` minimal IDBs (20 bytes each, LINKTYPE_USB_2_0), an EPB on the last one, one
 * more IDB, then an EPB on interface 0. Written directly: a million addInterface calls are slow.
 */
function idbs(ids: number, order: "le" | "be"): { bytes: Uint8Array; extraIdbAt: number } {
  const le = order === "le";
  const SHB = 28;
  const IDB = 20;
  const EPB = 36; // 3 bytes of packet, padded to 4
  const extraIdbAt = SHB + ids * IDB + EPB;
  const bytes = new Uint8Array(extraIdbAt + IDB + EPB);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, 0x0a0d0d0a, le);
  v.setUint32(4, SHB, le);
  v.setUint32(8, 0x1a2b3c4d, le);
  v.setUint16(12, 1, le);
  v.setInt32(16, -1, le);
  v.setInt32(20, -1, le);
  v.setUint32(24, SHB, le);
  const idb = (at: number) => {
    v.setUint32(at, 1, le);
    v.setUint32(at + 4, IDB, le);
    v.setUint16(at + 8, LinkType.USB_2_0, le);
    v.setUint32(at + 16, IDB, le);
  };
  const epb = (at: number, id: number) => {
    v.setUint32(at, 6, le);
    v.setUint32(at + 4, EPB, le);
    v.setUint32(at + 8, id, le);
    v.setUint32(at + 20, 3, le);
    v.setUint32(at + 24, 3, le);
    bytes.set([Pid.SETUP, 0x00, 0x10], at + 28);
    v.setUint32(at + 32, EPB, le);
  };
  for (let i = 0; i < ids; i++) idb(SHB + i * IDB);
  epb(SHB + ids * IDB, ids - 1);
  idb(extraIdbAt);
  epb(extraIdbAt + IDB, 0);
  return { bytes, extraIdbAt };
}

describe("the interface table's cap", () => {
  for (const order of ["le", "be"] as const) {
    it(`reads ${Limits.MAX_INTERFACES} interfaces and stops at the next IDB with TOO_MANY_INTERFACES at its offset (${order})`, async () => {
      const { bytes, extraIdbAt } = idbs(Limits.MAX_INTERFACES, order);
      const core = await createCore();
      const before = core.exports.memory.buffer.byteLength;
      const c = await collectBytes(bytes, { core });
      expect(c.info.error).toMatchObject({ code: FormatError.TOO_MANY_INTERFACES, offset: extraIdbAt });
      expect(c.info.interfaces).toBe(Limits.MAX_INTERFACES);
      expect(c.pid).toEqual([Pid.SETUP]);
      expect(c.linktype).toEqual([LinkType.USB_2_0]);
      // The whole table: 2^20 rows of 32 bytes (32 MiB), and nothing more.
      expect(core.exports.memory.buffer.byteLength - before).toBeLessThanOrEqual(
        Limits.MAX_INTERFACES * 32 + PAGE,
      );
    });
  }
});
