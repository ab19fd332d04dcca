// The core on literal packet bytes: every PID, CRC5/CRC16 verdicts, field extraction, lengths.
import { describe, it, expect } from "vitest";
import { LinkType, PacketStatus, Pid, SplitBits } from "../../as/shared/constants.js";
import { crc16, crc5 } from "../../builder/crc.js";
import { PcapWriter } from "../../builder/pcap.js";
import { MemorySink } from "../../builder/sink.js";
import { collectBytes, type Collected } from "../helpers/collect.js";

/** A pcap of the given packets, one record each, 1 µs apart. */
function pcapOf(
  packets: Uint8Array[],
  linktype = LinkType.USB_2_0_FULL_SPEED,
  origLens: (number | undefined)[] = [],
): Uint8Array {
  const mem = new MemorySink();
  const w = new PcapWriter(mem.sink, { linktype });
  packets.forEach((p, i) => w.addPacket({ sec: 1700000000, nsec: i * 1000 }, p, origLens[i]));
  w.close();
  return mem.toBytes();
}

async function decodeOne(
  bytes: number[] | Uint8Array,
  origLen?: number,
): Promise<{ status: number; pid: number; address: number; endpoint: number; frame: number }> {
  const c: Collected = await collectBytes(
    pcapOf([Uint8Array.from(bytes)], LinkType.USB_2_0_FULL_SPEED, [origLen]),
  );
  expect(c.pid.length).toBe(1);
  return {
    status: c.status[0]!,
    pid: c.pid[0]!,
    address: c.address[0]!,
    endpoint: c.endpoint[0]!,
    frame: c.frame[0]!,
  };
}

function tokenBytes(pid: number, addr: number, endp: number, crcXor = 0): number[] {
  const field = addr | (endp << 7);
  return [pid, field & 0xff, (field >> 8) | ((crc5(field, 11) ^ crcXor) << 3)];
}

function dataBytes(pid: number, payload: number[], crcXor = 0): number[] {
  const c = crc16(Uint8Array.from(payload)) ^ crcXor;
  return [pid, ...payload, c & 0xff, c >> 8];
}

describe("tokens (§8.4.1)", () => {
  it("accepts the SETUP token to address 0 endpoint 0 (2D 00 10)", async () => {
    expect(await decodeOne([0x2d, 0x00, 0x10])).toEqual({
      status: PacketStatus.OK,
      pid: Pid.SETUP,
      address: 0,
      endpoint: 0,
      frame: 0,
    });
  });
  it("rejects a SETUP token with a bad CRC5 and keeps its PID", async () => {
    const r = await decodeOne([0x2d, 0x00, 0x18]);
    expect(r.status).toBe(PacketStatus.BAD_CRC5);
    expect(r.pid).toBe(Pid.SETUP);
  });
  for (const [name, pid] of [
    ["OUT", Pid.OUT],
    ["IN", Pid.IN],
    ["SETUP", Pid.SETUP],
    ["PING", Pid.PING],
  ] as const) {
    it(`extracts address and endpoint of ${name} tokens across the byte boundary`, async () => {
      for (const [addr, endp] of [
        [0, 0],
        [1, 1],
        [127, 15],
        [0x55, 0x0a],
        [7, 8],
      ] as const) {
        expect(await decodeOne(tokenBytes(pid, addr, endp))).toEqual({
          status: PacketStatus.OK,
          pid,
          address: addr,
          endpoint: endp,
          frame: 0,
        });
        expect((await decodeOne(tokenBytes(pid, addr, endp, 0x01))).status).toBe(PacketStatus.BAD_CRC5);
      }
    });
  }
  it("reads the 11-bit SOF frame number and checks its CRC5 (§8.4.3)", async () => {
    for (const frame of [0, 1, 0x400, 1723, 2047]) {
      const b = [Pid.SOF, frame & 0xff, (frame >> 8) | (crc5(frame, 11) << 3)];
      expect(await decodeOne(b)).toEqual({
        status: PacketStatus.OK,
        pid: Pid.SOF,
        address: 0,
        endpoint: 0,
        frame,
      });
      b[2] ^= 0x80;
      expect((await decodeOne(b)).status).toBe(PacketStatus.BAD_CRC5);
    }
  });
  it("rejects tokens that are not 3 bytes long", async () => {
    expect((await decodeOne([0x69, 0x01])).status).toBe(PacketStatus.BAD_LENGTH);
    expect((await decodeOne([...tokenBytes(Pid.IN, 1, 1), 0])).status).toBe(PacketStatus.BAD_LENGTH);
  });
});

describe("SPLIT tokens (§8.4.2.2)", () => {
  function splitBytes(
    hub: number,
    sc: number,
    port: number,
    s: number,
    e: number,
    et: number,
    crcXor = 0,
  ): number[] {
    const field = hub | (sc << 7) | (port << 8) | (s << 15) | (e << 16) | (et << 17);
    return [
      Pid.SPLIT,
      field & 0xff,
      (field >> 8) & 0xff,
      ((field >> 16) & 7) | ((crc5(field, 19) ^ crcXor) << 3),
    ];
  }
  it("decodes hub, port, SC, S, E and ET with a good CRC5 over 19 bits", async () => {
    const r = await decodeOne(splitBytes(5, 1, 3, 1, 0, 3));
    expect(r.status).toBe(PacketStatus.OK);
    expect(r.address).toBe(5);
    expect(r.endpoint).toBe(3);
    expect(r.frame).toBe(SplitBits.SC | SplitBits.S | 3);
    const r2 = await decodeOne(splitBytes(127, 0, 127, 0, 1, 1));
    expect(r2.frame).toBe(SplitBits.E | 1);
    expect([r2.address, r2.endpoint]).toEqual([127, 127]);
  });
  it("flags a SPLIT with a bad CRC5 and one of the wrong length", async () => {
    expect((await decodeOne(splitBytes(5, 0, 1, 0, 0, 2, 0x04))).status).toBe(PacketStatus.BAD_CRC5);
    expect((await decodeOne([Pid.SPLIT, 1, 2])).status).toBe(PacketStatus.BAD_LENGTH);
  });
});

describe("data packets (§8.4.4, CRC16 §8.3.5.2)", () => {
  it("accepts DATA0 carrying GET_DESCRIPTOR(DEVICE) with its CRC16", async () => {
    const setup = [0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x40, 0x00];
    expect((await decodeOne(dataBytes(Pid.DATA0, setup))).status).toBe(PacketStatus.OK);
  });
  it("accepts a zero-length DATA1 (CRC16 of nothing is 0000)", async () => {
    expect(await decodeOne([Pid.DATA1, 0x00, 0x00])).toMatchObject({
      status: PacketStatus.OK,
      pid: Pid.DATA1,
    });
  });
  it("rejects a single flipped bit anywhere in payload or CRC", async () => {
    const good = dataBytes(Pid.DATA1, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    for (let i = 1; i < good.length; i++) {
      const bad = good.slice();
      bad[i] ^= 1 << (i % 8);
      expect((await decodeOne(bad)).status, `byte ${i}`).toBe(PacketStatus.BAD_CRC16);
    }
  });
  for (const [name, pid] of [
    ["DATA0", Pid.DATA0],
    ["DATA1", Pid.DATA1],
    ["DATA2", Pid.DATA2],
    ["MDATA", Pid.MDATA],
  ] as const) {
    it(`checks ${name} at the 1024-byte maximum and rejects 1025 bytes`, async () => {
      const max = Array.from({ length: 1024 }, (_, i) => (i * 7) & 0xff);
      expect(await decodeOne(dataBytes(pid, max))).toMatchObject({ status: PacketStatus.OK, pid });
      expect((await decodeOne(dataBytes(pid, [...max, 1]))).status).toBe(PacketStatus.BAD_LENGTH);
    });
  }
  it("rejects a data packet too short to hold a CRC16", async () => {
    expect((await decodeOne([Pid.DATA0, 0x00])).status).toBe(PacketStatus.BAD_LENGTH);
    expect((await decodeOne([Pid.DATA0])).status).toBe(PacketStatus.BAD_LENGTH);
  });
});

describe("handshakes and special PIDs (§8.4.5, Table 8-1)", () => {
  for (const [name, pid] of [
    ["ACK", Pid.ACK],
    ["NAK", Pid.NAK],
    ["STALL", Pid.STALL],
    ["NYET", Pid.NYET],
    ["PRE/ERR", Pid.PRE_ERR],
  ] as const) {
    it(`accepts a 1-byte ${name} and rejects a 2-byte one`, async () => {
      expect(await decodeOne([pid])).toMatchObject({ status: PacketStatus.OK, pid });
      expect((await decodeOne([pid, 0])).status).toBe(PacketStatus.BAD_LENGTH);
    });
  }
  it("flags the reserved PID 0x0 (byte F0)", async () => {
    expect(await decodeOne([0xf0, 0x00, 0x00])).toMatchObject({
      status: PacketStatus.RESERVED_PID,
      pid: 0xf0,
    });
  });
  it("flags every byte whose check nibble is wrong and keeps the byte", async () => {
    let bad = 0;
    for (let b = 0; b < 256; b++) {
      if (b >> 4 === (~b & 0x0f)) continue;
      const r = await decodeOne([b, 0, 0]);
      expect(r.status, `byte ${b.toString(16)}`).toBe(PacketStatus.BAD_PID_CHECK);
      expect(r.pid).toBe(b);
      bad++;
    }
    expect(bad).toBe(240);
  });
  it("marks a zero-length record EMPTY and a snap-length cut TRUNCATED", async () => {
    expect((await decodeOne([])).status).toBe(PacketStatus.EMPTY);
    expect((await decodeOne([Pid.ACK], 1)).status).toBe(PacketStatus.OK);
    const cut = dataBytes(Pid.DATA0, [1, 2, 3, 4]);
    expect((await decodeOne(cut, 200)).status).toBe(PacketStatus.TRUNCATED);
  });
});

describe("link types", () => {
  it("decodes 288, 293, 294 and 295 and passes other link types up untouched", async () => {
    for (const lt of [288, 293, 294, 295]) {
      const c = await collectBytes(pcapOf([Uint8Array.of(0x2d, 0x00, 0x10)], lt));
      expect([c.status[0], c.pid[0], c.linktype[0]]).toEqual([PacketStatus.OK, Pid.SETUP, lt]);
    }
    for (const lt of [189, 220, 249, 252, 1]) {
      const c = await collectBytes(pcapOf([Uint8Array.of(0x2d, 0x00, 0x10, 9)], lt));
      expect([c.status[0], c.pid[0], c.linktype[0]]).toEqual([PacketStatus.NOT_RAW, 0, lt]);
      expect([...c.data[0]!]).toEqual([0x2d, 0x00, 0x10, 9]);
    }
  });
});
