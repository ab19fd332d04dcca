// `npm run build` (last step): the viewer bundled for `usbscope report`, which inlines it in one HTML
// file: dist/viewer/page.js (the page, an ES module) and dist/viewer/worker.js (the analysis worker, a
// classic script the page starts from a blob). esbuild bundles viewer/ with the library it imports
// (dist/src) and uPlot; Node's modules, imported only by file and live code, stay out.
import { build } from "esbuild";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const common = {
  bundle: true,
  minify: true,
  platform: "browser" as const,
  target: "es2022",
  external: ["node:*"],
  logLevel: "warning" as const,
  legalComments: "none" as const,
};
await build({
  ...common,
  entryPoints: [path.join(root, "viewer/main.js")],
  format: "esm",
  outfile: path.join(root, "dist/viewer/page.js"),
});
await build({
  ...common,
  entryPoints: [path.join(root, "viewer/worker.js")],
  format: "iife",
  outfile: path.join(root, "dist/viewer/worker.js"),
  // The worker is given the WASM bytes; the URLs built from import.meta are never used in it.
  logOverride: { "empty-import-meta": "silent" },
});
