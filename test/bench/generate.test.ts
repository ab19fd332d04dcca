// The benchmark captures must be traffic tshark accepts as valid high-speed USB: every CRC good,
// a SOF every 125 µs microframe, DATA0/DATA1 alternating per endpoint, the pattern of bulk or small.
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Pid } from "../../as/shared/constants.js";
import { captureBytes } from "../../bench/generate.js";
import { tsharkFields } from "../helpers/tshark.js";

const dir = mkdtempSync(path.join(tmpdir(), "usbscope-bench-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tshark(kind: "bulk" | "small"): { rows: string[][]; bytes: number } {
  const bytes = captureBytes(kind, 1 << 20);
  const file = path.join(dir, `${kind}.pcap`);
  writeFileSync(file, bytes);
  return { rows: tsharkFields(file, ["frame.time_epoch", "usbll.pid", "usbll.crc5.status", "usbll.crc16.status", "usbll.device_addr", "usbll.endp"]), bytes: bytes.length };
}

describe("benchmark capture generator", () => {
  for (const kind of ["bulk", "small"] as const) {
    it(`writes a ${kind} capture whose every CRC5 and CRC16 tshark finds good`, () => {
      const { rows } = tshark(kind);
      expect(rows.length).toBeGreaterThan(10_000);
      let crc5 = 0;
      let crc16 = 0;
      for (const [, pid, c5, c16] of rows) {
        const p = Number(pid);
        if (p === Pid.DATA0 || p === Pid.DATA1) {
          expect(c16).toBe("1");
          crc16++;
        } else if (p === Pid.SOF || p === Pid.IN || p === Pid.OUT || p === Pid.PING) {
          expect(c5).toBe("1");
          crc5++;
        }
      }
      expect(crc5).toBeGreaterThan(1000);
      expect(crc16).toBeGreaterThan(100);
    });
  }

  it("puts a SOF at the start of every 125 µs microframe and alternates DATA0/DATA1 per endpoint", () => {
    const { rows } = tshark("bulk");
    // Epoch seconds as text ("1767225600.000125000"): exact in ns, unlike a double.
    const ns = (t: string) => {
      const [sec, frac = ""] = t.split(".");
      return BigInt(sec!) * 1_000_000_000n + BigInt(frac.padEnd(9, "0").slice(0, 9));
    };
    const sofTimes = rows.filter((r) => Number(r[1]) === Pid.SOF).map((r) => ns(r[0]!));
    expect(sofTimes.length).toBeGreaterThan(100);
    for (let i = 1; i < sofTimes.length; i++) expect(sofTimes[i]! - sofTimes[i - 1]!).toBe(125_000n);
    // The data packet follows its token: key the toggle by the token's address and endpoint.
    const last = new Map<string, number>();
    let key = "";
    let checked = 0;
    for (const [, pid, , , addr, ep] of rows) {
      const p = Number(pid);
      if (p === Pid.IN || p === Pid.OUT) key = `${addr}.${ep}.${p}`;
      if (p === Pid.DATA0 || p === Pid.DATA1) {
        const prev = last.get(key);
        if (prev !== undefined) {
          expect(p, `toggle on ${key}`).not.toBe(prev);
          checked++;
        }
        last.set(key, p);
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it("writes mostly small packets in the small capture and mostly 512-byte data in the bulk one", () => {
    const bulk = tshark("bulk");
    const small = tshark("small");
    const dataShare = (rows: string[][]) => rows.filter((r) => Number(r[1]) === Pid.DATA0 || Number(r[1]) === Pid.DATA1).length / rows.length;
    // Bytes per packet: bulk ~150 (512-byte data dominate the bytes), small ~18 (header + 1-3 bytes).
    expect(bulk.bytes / bulk.rows.length).toBeGreaterThan(100);
    expect(small.bytes / small.rows.length).toBeLessThan(25);
    expect(dataShare(small.rows)).toBeLessThan(0.05);
    const naks = small.rows.filter((r) => Number(r[1]) === Pid.NAK).length;
    expect(naks / small.rows.length).toBeGreaterThan(0.4);
  });
});
