// Test helpers: temp files and tshark field extraction.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "usbscope-builder-"));
let n = 0;

/** Write bytes to a fresh temp file and return its path. */
export function tempFile(bytes: Uint8Array, ext = "pcap"): string {
  const path = join(dir, `t${n++}.${ext}`);
  writeFileSync(path, bytes);
  return path;
}

/** Run tshark -T fields on a file; one array of field values per frame. */
export function tsharkFields(path: string, fields: string[], extra: string[] = [], occurrence: "f" | "a" = "f"): string[][] {
  const args = ["-r", path, "-T", "fields", "-E", "separator=|", "-E", `occurrence=${occurrence}`, ...extra];
  for (const f of fields) args.push("-e", f);
  const r = spawnSync("tshark", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  return r.stdout
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => l.split("|"));
}

/** tshark's expert-info / error lines for a file ("" when clean). */
export function tsharkStderr(path: string): string {
  return spawnSync("tshark", ["-r", path], { encoding: "utf8" }).stderr.replace(/Running as user.*\n/, "");
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** Records of a pcap file (either byte order, µs or ns): a plain reader so structure checks need no tshark. */
export function readPcap(bytes: Uint8Array): { sec: number; nsec: number; data: Uint8Array; origLen: number }[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicLe = v.getUint32(0, true);
  const le = magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d;
  const ns = v.getUint32(0, le) === 0xa1b23c4d;
  const out = [];
  for (let o = 24; o + 16 <= bytes.length; ) {
    const caplen = v.getUint32(o + 8, le);
    out.push({ sec: v.getUint32(o, le), nsec: v.getUint32(o + 4, le) * (ns ? 1 : 1000), data: bytes.subarray(o + 16, o + 16 + caplen), origLen: v.getUint32(o + 12, le) });
    o += 16 + caplen;
  }
  return out;
}
