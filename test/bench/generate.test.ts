// The benchmark captures must be traffic tshark accepts as valid high-speed USB: every CRC good,
// a SOF every 125 µs microframe, DATA0/DATA1 alternating per endpoint, the pattern of bulk or small.
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Pid } from "../../as/shared/constants.js";
import { captureBytes } from "../../bench/generate.js";
import { analyzeSource } from "../../src/analyze.js";
import { bufferSource } from "../../src/capture/source.js";
import { tsharkFields } from "../helpers/tshark.js";

const dir = mkdtempSync(path.join(tmpdir(), "usbscope-bench-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tshark(kind: "bulk" | "small"): { rows: string[][]; bytes: number } {
  const bytes = captureBytes(kind, 1 << 20);
  const file = path.join(dir, `${kind}.pcap`);
  writeFileSync(file, bytes);
  return {
    rows: tsharkFields(file, [
      "frame.time_epoch",
      "usbll.pid",
      "usbll.crc5.status",
      "usbll.crc16.status",
      "usbll.device_addr",
      "usbll.endp",
    ]),
    bytes: bytes.length,
  };
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
    // The data packet follows its token: key the toggle by the token's address and endpoint. Control
    // transfers of the enumeration at the start restart their toggles by design (§8.5.3): endpoint 0 is left out.
    const last = new Map<string, number>();
    let key = "";
    let checked = 0;
    for (const [, pid, , , addr, ep] of rows) {
      const p = Number(pid);
      if (p === Pid.IN || p === Pid.OUT || p === Pid.SETUP)
        key = Number(ep) === 0 ? "" : `${addr}.${ep}.${p}`;
      if (key !== "" && (p === Pid.DATA0 || p === Pid.DATA1)) {
        // The first data after SET_CONFIGURATION is DATA0 (§9.1.1.5).
        if (!last.has(key)) expect(p, `first toggle on ${key}`).toBe(Pid.DATA0);
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

  for (const kind of ["bulk", "small"] as const) {
    it(`starts the ${kind} capture with an enumeration, so the analysis knows every endpoint and checks its toggles, and finds nothing`, async () => {
      const r = await analyzeSource(bufferSource(captureBytes(kind, 1 << 20)), kind);
      // Six control transfers per device (Linux's enumeration without strings), all completed.
      expect(r.controlTransferCount).toBe(kind === "bulk" ? 2 * 6 : 11 * 6);
      expect(r.controlTransfers.every((c) => c.status === "ok")).toBe(true);
      // An endpoint of unknown type would be reported (TOGGLE_BULK_INT, info) and a toggle slip too: none.
      expect(r.findings.sorted()).toEqual([]);
      expect(r.transactions).toBeGreaterThan(5_000);
    });
  }

  it("writes mostly small packets in the small capture and mostly 512-byte data in the bulk one", () => {
    const bulk = tshark("bulk");
    const small = tshark("small");
    const dataShare = (rows: string[][]) =>
      rows.filter((r) => Number(r[1]) === Pid.DATA0 || Number(r[1]) === Pid.DATA1).length / rows.length;
    // Bytes per packet: bulk ~150 (512-byte data dominate the bytes), small ~18 (header + 1-3 bytes).
    expect(bulk.bytes / bulk.rows.length).toBeGreaterThan(100);
    expect(small.bytes / small.rows.length).toBeLessThan(25);
    expect(dataShare(small.rows)).toBeLessThan(0.05);
    const naks = small.rows.filter((r) => Number(r[1]) === Pid.NAK).length;
    expect(naks / small.rows.length).toBeGreaterThan(0.4);
  });
});
