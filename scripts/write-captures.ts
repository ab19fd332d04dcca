// `npm run captures`: write the golden captures, their manifest and the report usbscope prints on each
// (`usbscope analyze` into a pipe: 100 columns, no colour) to captures/.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { goldenCaptures } from "./captures.js";
import { goldenReport } from "./goldenReport.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const manifest = [];
for (const g of goldenCaptures()) {
  const dir = path.join(root, "captures", g.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, g.file), g.bytes);
  writeFileSync(path.join(dir, "report.txt"), await goldenReport(g.bytes, `captures/${g.name}/${g.file}`));
  const { bytes: _bytes, ...entry } = g;
  manifest.push({ ...entry, path: `captures/${g.name}/${g.file}` });
}
writeFileSync(path.join(root, "captures", "MANIFEST.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(`wrote ${manifest.length} captures to captures/`);
