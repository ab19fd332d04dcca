import { describe, expect, it } from "vitest";
import { crc5, crc16, crc16Fast } from "../../builder/crc.js";
import { data, handshake, ping, setupBytes, sof, split, splitField, token } from "../../builder/packets.js";
import { Pid } from "../../as/shared/constants.js";
import { hex } from "./helpers.js";

describe("crc5 (USB 2.0 §8.3.5.1)", () => {
  it("gives 0x02 for address 0 endpoint 0, as in SETUP 2D 00 10", () => {
    expect(crc5(0, 11)).toBe(0x02);
    expect(hex(token(Pid.SETUP, 0, 0))).toBe("2d 00 10");
  });
  it("encodes IN address 1 endpoint 0 as 69 01 E8", () => {
    expect(hex(token(Pid.IN, 1, 0))).toBe("69 01 e8");
  });
  it("agrees with a textbook MSB-first shift register for other address/endpoint pairs", () => {
    const field = 0x15 | (0xe << 7);
    expect(crc5(field, 11)).toBe(bitSerialCrc5(field, 11));
    expect(crc5(0x3a | (0xa << 7), 11)).toBe(bitSerialCrc5(0x3a | (0xa << 7), 11));
  });
  it("leaves the residual 0b01100 when the received CRC is run through the check (§8.3.5.1)", () => {
    for (const field of [0, 1, 0x7ff, 0x2a5, 0x123]) {
      const c = crc5(field, 11);
      // The receiver runs the same register over the field and then the CRC bits, in wire order.
      let reg = 0x1f;
      const all = field | (c << 11);
      for (let i = 0; i < 16; i++) {
        const bit = (all >>> i) & 1;
        reg = ((reg ^ bit) & 1) !== 0 ? (reg >>> 1) ^ 0x14 : reg >>> 1;
      }
      // 0b01100 is the residual in MSB-first notation (§8.3.5.1); reflected it is 0b00110.
      expect(reg).toBe(0b00110);
    }
  });
  it("covers 19 bits for SPLIT", () => {
    const f = splitField({ sc: 0, hubAddr: 3, port: 2, s: 1, e: 0, et: 0 });
    expect(f).toBe(3 | (2 << 8) | (1 << 15));
    expect(split({ sc: 0, hubAddr: 3, port: 2, s: 1, e: 0, et: 0 })[3]! >>> 3).toBe(crc5(f, 19));
  });
});

describe("crc16 (USB 2.0 §8.3.5.2)", () => {
  it("is 0000 for an empty data packet", () => {
    expect(crc16(new Uint8Array(0))).toBe(0);
    expect(hex(data(Pid.DATA1, []))).toBe("4b 00 00");
  });
  it("gives DD 94 for GET_DESCRIPTOR(DEVICE, 64)", () => {
    expect(hex(data(Pid.DATA0, setupBytes(0x80, 6, 0x0100, 0, 0x40)))).toBe(
      "c3 80 06 00 01 00 00 40 00 dd 94",
    );
  });
  it("leaves the residual 0xB001 (reflected 0x800D) over data + CRC", () => {
    const payload = Uint8Array.of(0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x40);
    const pkt = data(Pid.DATA1, payload);
    let crc = 0xffff;
    for (let i = 1; i < pkt.length; i++) {
      crc ^= pkt[i]!;
      for (let b = 0; b < 8; b++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
    }
    expect(crc).toBe(0xb001);
  });
  it("table version agrees with the bitwise reference on random data", () => {
    let seed = 12345;
    for (let k = 0; k < 200; k++) {
      const b = new Uint8Array(k * 3);
      for (let i = 0; i < b.length; i++) b[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
      expect(crc16Fast(b)).toBe(crc16(b));
    }
  });
  it("honours start and end", () => {
    const b = Uint8Array.of(9, 1, 2, 3, 9);
    expect(crc16(b, 1, 4)).toBe(crc16(Uint8Array.of(1, 2, 3)));
  });
});

describe("packet encoders", () => {
  it("SOF carries the 11-bit frame number", () => {
    const p = sof(1234);
    expect(p[0]).toBe(0xa5);
    expect(p[1]! | ((p[2]! & 7) << 8)).toBe(1234);
  });
  it("handshake and PING", () => {
    expect(hex(handshake(Pid.NAK))).toBe("5a");
    expect(ping(1, 0)[0]).toBe(Pid.PING);
    expect(hex(ping(1, 0)).slice(2)).toBe(hex(token(Pid.IN, 1, 0)).slice(2));
  });
});

/** Textbook serial CRC5 written MSB-first with the unreflected polynomial, over the bits in wire order. */
function bitSerialCrc5(value: number, bits: number): number {
  let reg = 0x1f;
  for (let i = 0; i < bits; i++) {
    const bit = (value >>> i) & 1;
    const top = (reg >>> 4) & 1;
    reg = (reg << 1) & 0x1f;
    if ((top ^ bit) !== 0) reg ^= 0x05;
  }
  // Inverted, then sent MSB of the register first: reverse to the LSB-first field layout.
  const inv = ~reg & 0x1f;
  let out = 0;
  for (let i = 0; i < 5; i++) if (inv & (1 << i)) out |= 1 << (4 - i);
  return out;
}
