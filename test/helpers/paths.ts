import path from "node:path";
import { readdirSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const publicDir = path.resolve(repoRoot, "../shared/captures-public");

/** Every pcap/pcapng file of the public captures (real/ and packetry/), as absolute paths. */
export function publicCaptures(): string[] {
  const out: string[] = [];
  const real = path.join(publicDir, "real");
  for (const f of readdirSync(real).sort()) if (/\.pcap(ng)?$/.test(f)) out.push(path.join(real, f));
  const pk = path.join(publicDir, "packetry");
  for (const d of readdirSync(pk).sort()) {
    for (const name of ["capture.pcap", "capture.pcapng"]) {
      const p = path.join(pk, d, name);
      if (existsSync(p)) out.push(p);
    }
  }
  return out;
}

/** The bundled golden captures in captures/ (pcap and pcapng only). */
export function bundledCaptures(): string[] {
  const dir = path.join(repoRoot, "captures");
  const out: string[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    for (const f of readdirSync(path.join(dir, d.name)))
      if (/\.pcap(ng)?$/.test(f)) out.push(path.join(dir, d.name, f));
  }
  return out.sort();
}
