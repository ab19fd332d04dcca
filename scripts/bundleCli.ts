// `npm run build` (after tsc): the command line bundled into one file, dist/usbscope.mjs, the `usbscope` bin.
// Start-up of a short command is mostly Node resolving and loading ~150 small modules one by one; one
// bundled file (commander and picomatch inside) halves what usbscope adds to Node's own start-up
// (bench: "start-up"). It finds the WASM core (build/), the viewer and the verify worker by searching upward
// from its own place, as the unbundled dist/cli/main.js does, which stays for tests and development.
import { build } from "esbuild";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
await build({
  entryPoints: [path.join(root, "dist/cli/main.js")],
  outfile: path.join(root, "dist/usbscope.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  logLevel: "warning",
  legalComments: "none",
  // commander and picomatch are CommonJS: their require() of Node's modules needs a require in an ES module.
  banner: {
    js: "import { createRequire as usbscopeRequire } from 'node:module'; const require = usbscopeRequire(import.meta.url);",
  },
});
