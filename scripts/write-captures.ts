// `npm run captures`: write the golden captures and their manifest to captures/.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { goldenCaptures } from "./captures.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const manifest = [];
for (const g of goldenCaptures()) {
  const dir = path.join(root, "captures", g.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, g.file), g.bytes);
  const { bytes: _bytes, ...entry } = g;
  manifest.push({ ...entry, path: `captures/${g.name}/${g.file}` });
}
writeFileSync(path.join(root, "captures", "MANIFEST.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(`wrote ${manifest.length} captures to captures/`);
