// Timestamps: one formatter (src/usb/time.ts isoTime), exact to the nanosecond, always in the JSON contract's
// form YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ; and every value a pcap, pcapng or usbmon header can hold turns into
// such a time, exactly, or is repaired (carried or clamped to the four-digit years) with one FMT_TIMESTAMP
// finding. Checked against an independent reference: BigInt arithmetic for the header fields and the
// JavaScript Date for the calendar.
import { describe, it, expect, beforeAll } from "vitest";
import fc from "fast-check";
import { isoTime, normalTime, MAX_TIME_SEC, MIN_TIME_SEC } from "../../src/usb/time.js";
import { createCore, type Core } from "../../src/core/core.js";
import { collectBytes } from "../helpers/collect.js";
import { monBinLittleEndian, parseMonBin } from "../../src/urb/usbmonBinary.js";
import { UsbmonTextParser } from "../../src/urb/usbmonText.js";
import type { UrbEvent } from "../../src/urb/urbEvent.js";
import { analyzeSource } from "../../src/analyze.js";
import { bufferSource } from "../../src/capture/source.js";
import { analysisJson } from "../../src/report/json.js";
import { monBin } from "../urb/helpers/build.js";

const FORM = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;
const NS = 1_000_000_000n;
const MIN = BigInt(MIN_TIME_SEC);
const MAX = BigInt(MAX_TIME_SEC);

/** The reference: exact seconds and nanoseconds (BigInt), repaired as the contract says, printed with Date. */
function reference(totalSec: bigint, nsec: bigint): { text: string; clamped: boolean } {
  // nsec may be anything: carry whole seconds first (floor division), then clamp the seconds.
  let carry = nsec / NS;
  if (nsec % NS < 0n) carry -= 1n;
  let sec = totalSec + carry;
  const ns = nsec - carry * NS;
  const clamped = sec < MIN || sec > MAX;
  if (sec < MIN) sec = MIN;
  if (sec > MAX) sec = MAX;
  const date = new Date(Number(sec) * 1000).toISOString().slice(0, 19); // Date covers every four-digit year
  return { text: `${date}.${ns.toString().padStart(9, "0")}Z`, clamped };
}

let core: Core;
beforeAll(async () => {
  core = await createCore();
});

describe("isoTime", () => {
  it("prints every whole second of the four-digit years with any nanosecond exactly, as Date does", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: MIN_TIME_SEC, max: MAX_TIME_SEC }),
        fc.integer({ min: 0, max: 999_999_999 }),
        (sec, nsec) => {
          const text = isoTime({ sec, nsec });
          expect(text).toMatch(FORM);
          expect(text).toBe(reference(BigInt(sec), BigInt(nsec)).text);
        },
      ),
      { numRuns: 5000 },
    );
  });
  it("prints the edges: year 0000, the epoch, year 9999", () => {
    expect(isoTime({ sec: MIN_TIME_SEC, nsec: 0 })).toBe("0000-01-01T00:00:00.000000000Z");
    expect(isoTime({ sec: 0, nsec: 1 })).toBe("1970-01-01T00:00:00.000000001Z");
    expect(isoTime({ sec: -1, nsec: 999_999_999 })).toBe("1969-12-31T23:59:59.999999999Z");
    expect(isoTime({ sec: 951_782_400, nsec: 0 })).toBe("2000-02-29T00:00:00.000000000Z");
    expect(isoTime({ sec: MAX_TIME_SEC, nsec: 999_999_999 })).toBe("9999-12-31T23:59:59.999999999Z");
  });
  it("keeps the form for any number it is handed: out-of-range nanoseconds carried, seconds clamped", () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer()), fc.oneof(fc.double(), fc.integer()), (sec, nsec) => {
        expect(isoTime({ sec, nsec })).toMatch(FORM);
      }),
      { numRuns: 3000 },
    );
    // The defect of issue 13: these printed `...20.1500000000Z`, `...59.0000-1000Z` and worse.
    expect(isoTime({ sec: 1_700_000_000, nsec: 1_500_000_000 })).toBe("2023-11-14T22:13:21.500000000Z");
    expect(isoTime({ sec: 1_700_000_000, nsec: -1_000_000 })).toBe("2023-11-14T22:13:19.999000000Z");
    expect(isoTime({ sec: 7205759405492793000, nsec: 0 })).toBe("9999-12-31T23:59:59.000000000Z");
    expect(normalTime(1, 2e9)).toEqual({ time: { sec: 3, nsec: 0 }, fix: 1 });
  });
});

/** A pcap file of one SOF record with the given header fields. */
function pcapRecord(sec: number, sub: number, nanos: boolean): Uint8Array {
  const b = new Uint8Array(24 + 16 + 3);
  const v = new DataView(b.buffer);
  v.setUint32(0, nanos ? 0xa1b23c4d : 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 65535, true);
  v.setUint32(20, 294, true);
  v.setUint32(24, sec, true);
  v.setUint32(28, sub, true);
  v.setUint32(32, 3, true);
  v.setUint32(36, 3, true);
  b.set([0xa5, 0x00, 0x10], 40);
  return b;
}

/** A pcapng file: SHB, an IDB with if_tsresol `resol` and if_tsoffset `offset`, one EPB at `ts`. */
function pcapngRecord(ts: bigint, resol: number, offset: bigint): Uint8Array {
  const shb = [0x0a0d0d0a, 28, 0x1a2b3c4d, 0x00000001, 0xffffffff, 0xffffffff, 28];
  // IDB: type 1, len, linktype 294 | reserved, snaplen, options: if_tsresol (9, 1 byte), if_tsoffset (14, 8), end.
  const idbLen = 20 + 8 + 12 + 4;
  const epbLen = 32 + 4;
  const b = new Uint8Array(28 + idbLen + epbLen);
  const v = new DataView(b.buffer);
  shb.forEach((w, i) => v.setUint32(i * 4, w, true));
  let o = 28;
  v.setUint32(o, 1, true);
  v.setUint32(o + 4, idbLen, true);
  v.setUint16(o + 8, 294, true);
  v.setUint32(o + 12, 0, true);
  v.setUint16(o + 16, 9, true);
  v.setUint16(o + 18, 1, true);
  b[o + 20] = resol;
  v.setUint16(o + 24, 14, true);
  v.setUint16(o + 26, 8, true);
  v.setBigInt64(o + 28, offset, true);
  v.setUint32(o + 36, 0, true); // opt_endofopt
  v.setUint32(o + idbLen - 4, idbLen, true);
  o += idbLen;
  v.setUint32(o, 6, true);
  v.setUint32(o + 4, epbLen, true);
  v.setUint32(o + 8, 0, true);
  v.setUint32(o + 12, Number(ts >> 32n), true);
  v.setUint32(o + 16, Number(ts & 0xffffffffn), true);
  v.setUint32(o + 20, 3, true);
  v.setUint32(o + 24, 3, true);
  b.set([0xa5, 0x00, 0x10], o + 28);
  v.setUint32(o + epbLen - 4, epbLen, true);
  return b;
}

async function coreTime(bytes: Uint8Array): Promise<{ text: string; fixes: number }> {
  const c = await collectBytes(bytes, { core });
  expect(c.tsSec).toHaveLength(1);
  return { text: isoTime({ sec: c.tsSec[0]!, nsec: c.tsNsec[0]! }), fixes: c.info.timeFixes?.count ?? 0 };
}

describe("timestamps from every header field value", () => {
  it("pcap: any ts_sec and ts_usec/ts_nsec, a sub-second field of a second or more carried", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(0xffffffff), fc.nat(0xffffffff), fc.boolean(), async (sec, sub, nanos) => {
        const got = await coreTime(pcapRecord(sec, sub, nanos));
        const ref = reference(BigInt(sec), BigInt(sub) * (nanos ? 1n : 1000n));
        expect(got.text).toBe(ref.text);
        expect(got.fixes).toBe(sub >= (nanos ? 1e9 : 1e6) ? 1 : 0);
      }),
      { numRuns: 400 },
    );
  });
  it("pcapng: any 64-bit timestamp, any if_tsresol (powers of 10 and of 2), any if_tsoffset", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.nat(255),
        fc.oneof(
          fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
          fc.bigInt({ min: -(10n ** 11n), max: 10n ** 11n }),
        ),
        async (ts, resol, offset) => {
          const got = await coreTime(pcapngRecord(ts, resol, offset));
          const exp = BigInt(resol & 0x7f);
          const units = resol & 0x80 ? 1n << exp : 10n ** exp;
          const ref = reference(ts / units + offset, ((ts % units) * NS) / units);
          expect(got.text).toBe(ref.text);
          expect(got.fixes).toBe(ref.clamped ? 1 : 0);
        },
      ),
      { numRuns: 600 },
    );
  });
  it("pcapng: the exact resolutions real captures use, at the largest counts", async () => {
    for (const [ts, resol] of [
      [(1n << 64n) - 1n, 9],
      [(1n << 64n) - 1n, 6],
      [(1n << 64n) - 1n, 0x80 | 30],
      [(1n << 64n) - 1n, 0x80 | 63],
      [(1n << 64n) - 1n, 0x80 | 64],
      [(1n << 64n) - 1n, 127],
    ] as const) {
      const exp = BigInt(resol & 0x7f);
      const units = resol & 0x80 ? 1n << exp : 10n ** exp;
      expect((await coreTime(pcapngRecord(ts, resol, 0n))).text).toBe(
        reference(ts / units, ((ts % units) * NS) / units).text,
      );
    }
  });
  it("usbmon binary: any ts_sec (s64) and ts_usec (s32), negative ones included", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
          fc.bigInt({ min: 0n, max: 1n << 34n }),
        ),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        (sec, usec) => {
          const rec = monBin({ type: "C", tsSec: 0, tsUsec: 0 });
          const v = new DataView(rec.buffer);
          v.setBigInt64(16, sec, true);
          v.setInt32(24, usec, true);
          // The parser reads the record in the other byte order when only that one gives a plausible ts_usec.
          const le = monBinLittleEndian(rec, 0, rec.length, true);
          const s = le ? sec : v.getBigInt64(16, false);
          const u = le ? usec : v.getInt32(24, false);
          const ev = parseMonBin(rec, 0, rec.length, 220, true, 0)!;
          expect(isoTime(ev.time)).toBe(reference(s, BigInt(u) * 1000n).text);
        },
      ),
      { numRuns: 2000 },
    );
  });
  it("usbmon text: µs counters of any length, and seconds with a fraction", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9]\d{0,40}$/), fc.boolean(), (digits, fraction) => {
        const events: UrbEvent[] = [];
        // The tolerated user-space form: seconds with a fraction, here the same µs count.
        const token = fraction
          ? `${digits.slice(0, -6) || "0"}.${digits.slice(-6).padStart(6, "0")}`
          : digits;
        new UsbmonTextParser((e) => events.push(e)).push(
          `ffff88003b7d4e00 ${token} S Ci:1:002:0 s 80 06 0100 0000 0012 18 <\n`,
        );
        expect(events).toHaveLength(1);
        const us = BigInt(digits);
        expect(isoTime(events[0]!.time)).toBe(reference(us / 1_000_000n, (us % 1_000_000n) * 1000n).text);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("a repaired timestamp is reported once, with the count and the first record", () => {
  it("pcap ts_usec of 1,500,000 (issue 13): 22:13:21.5 and one FMT_TIMESTAMP warning", async () => {
    const file = pcapRecord(1_700_000_000, 1_500_000, false);
    const twice = new Uint8Array([...file, ...file.subarray(24)]);
    const r = await analyzeSource(bufferSource(twice), "t.pcap", { core });
    const doc = analysisJson(r) as {
      findings: { rule: string; time?: string; message: string; packet: number }[];
    };
    const ts = doc.findings.filter((f) => f.rule === "FMT_TIMESTAMP");
    expect(ts).toHaveLength(1);
    expect(ts[0]).toMatchObject({ packet: 0 });
    expect(ts[0]!.message).toMatch(
      /^2 timestamps out of range, the first at record #0 \(byte offset 24\): a sub-second field/,
    );
    const clean = await analyzeSource(bufferSource(pcapRecord(1_700_000_000, 999_999, false)), "c.pcap", {
      core,
    });
    expect(clean.findings.countByRule.has("FMT_TIMESTAMP")).toBe(false);
  });
  it("a usbmon completion with a negative ts_usec and one past year 9999", async () => {
    const head = new Uint8Array(24);
    const hv = new DataView(head.buffer);
    hv.setUint32(0, 0xa1b2c3d4, true);
    hv.setUint16(4, 2, true);
    hv.setUint16(6, 4, true);
    hv.setUint32(16, 65535, true);
    hv.setUint32(20, 220, true);
    const rec = (r: Uint8Array) => {
      const h = new Uint8Array(16);
      const v = new DataView(h.buffer);
      v.setUint32(0, 1_700_000_000, true);
      v.setUint32(8, r.length, true);
      v.setUint32(12, r.length, true);
      return [...h, ...r];
    };
    const neg = monBin({ type: "S", tsSec: 1_700_000_000, tsUsec: 0, epnum: 0x81, xferType: 1 });
    new DataView(neg.buffer).setInt32(24, -1000, true);
    const far = monBin({ type: "C", tsSec: 0, tsUsec: 5, epnum: 0x81, xferType: 1, status: 0 });
    new DataView(far.buffer).setBigInt64(16, 1n << 40n, true);
    const bytes = new Uint8Array([...head, ...rec(neg), ...rec(far)]);
    const r = await analyzeSource(bufferSource(bytes), "u.pcap", { core });
    expect(r.findings.countByRule.get("FMT_TIMESTAMP")).toBe(1);
    const f = r.findings.kept.find((x) => x.rule === "FMT_TIMESTAMP")!;
    expect(f.message).toMatch(
      /^2 timestamps .* record #0 .*carried into the seconds; a time before year 0000 or after 9999, clamped/,
    );
  });
});
