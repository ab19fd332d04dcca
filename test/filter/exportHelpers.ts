// Shared by the export tests: the public captures they export, a scratch directory, `usbscope export`
// into it, and a capture's findings as both analyses state them.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "vitest";
import { cli } from "../helpers/cli.js";
import { publicDir } from "../helpers/paths.js";

export const MOUSE = path.join(publicDir, "packetry/mouse/capture.pcap");
export const DFU = path.join(publicDir, "real/220-cdc-msc-dfu-bootloader-linux.pcapng");
export const KEYBOARDS = path.join(publicDir, "real/249-hid-keyboard-multi-device.pcapng");
export const IPHONE = path.join(publicDir, "real/288-iphone-address-reuse.pcap");
export const dir = mkdtempSync(path.join(tmpdir(), "usbscope-export-"));
let n = 0;

export async function exported(file: string, ...args: string[]): Promise<{ out: string; err: string }> {
  const out = path.join(dir, `e${n++}.pcapng`);
  const r = await cli(["export", file, "-o", out, ...args]);
  expect(r.code, r.err).toBe(0);
  return { out, err: r.err };
}

/** A finding as both analyses state it, without where its bytes lie in the file (the export moves them). */
export async function findings(file: string, device?: number): Promise<string[]> {
  const doc = JSON.parse((await cli(["analyze", "--json", file])).out);
  // A filtered export renumbers the records: compare where findings point only for the whole capture.
  return (
    doc.findings
      // A capture note sums the whole capture (all devices: "4 times; the first..."): it depends on the others.
      .filter(
        (f: { device?: number; message: string }) =>
          device === undefined || (f.device === device && !f.message.startsWith("capture note:")),
      )
      .map((f: Record<string, unknown>) =>
        JSON.stringify([
          f.rule,
          f.severity,
          f.message,
          f.device,
          f.endpoint,
          device === undefined ? f.packet : 0,
        ]),
      )
      .sort()
  );
}
