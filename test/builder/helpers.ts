// Test helpers of the builder tests: temp files, tshark, a plain pcap record list.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { slurpCaptureBytes } from "../helpers/pcapSlurp.js";
import { tsharkFields as sharedTsharkFields } from "../helpers/tshark.js";

const dir = mkdtempSync(join(tmpdir(), "usbscope-builder-"));
let n = 0;

/** Write bytes to a fresh temp file and return its path. */
export function tempFile(bytes: Uint8Array, ext = "pcap"): string {
  const path = join(dir, `t${n++}.${ext}`);
  writeFileSync(path, bytes);
  return path;
}

/** tshark -T fields on a file, the first occurrence of each field by default (test/helpers/tshark.ts). */
export function tsharkFields(
  path: string,
  fields: string[],
  extra: string[] = [],
  occurrence: "f" | "a" = "f",
): string[][] {
  return sharedTsharkFields(path, fields, extra, occurrence);
}

/** tshark's expert-info / error lines for a file ("" when clean). */
export function tsharkStderr(path: string): string {
  return spawnSync("tshark", ["-r", path], { encoding: "utf8" }).stderr.replace(/Running as user.*\n/, "");
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** Records of a pcap file (either byte order, µs or ns), from the test-only slurper, so structure checks need no tshark. */
export function readPcap(
  bytes: Uint8Array,
): { sec: number; nsec: number; data: Uint8Array; origLen: number }[] {
  const cap = slurpCaptureBytes(bytes);
  return cap.records.map((r) => ({
    sec: r.tsSec,
    nsec: r.tsNsec,
    data: cap.bytes.subarray(r.dataOffset, r.dataOffset + r.dataLength),
    origLen: r.origLength,
  }));
}
