// `npm run build` (after tsc): the command line bundled into one file, dist/usbscope.cjs, run by the
// `usbscope` bin, dist/usbscope.mjs (cli/launch.ts), from a V8 code cache made here, dist/usbscope.cjs.cache.
// Start-up of a short command was mostly Node resolving and loading ~150 small modules one by one (one
// bundled file, commander and picomatch inside, halved it), then V8 compiling the bundle on every start (the
// code cache) and Node modules only some commands need (each command's module is loaded only when it runs,
// cli/program.ts). The bundle finds the WASM core (build/), the viewer and the verify worker by searching upward
// from its own place, as the unbundled dist/cli/main.js does, which stays for tests and development.
// bench/PERFORMANCE.md "verify and start-up" has what each step bought.
import { build, type Plugin } from "esbuild";
import { spawnSync } from "node:child_process";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compileBundle } from "../cli/codeCache.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bundle = path.join(root, "dist/usbscope.cjs");
const bin = path.join(root, "dist/usbscope.mjs");
const cache = `${bundle}.cache`;

/**
 * commander loads node:child_process (and with it node:net and most of node:stream) for executable
 * subcommands, which usbscope has none of: it gets a stand-in that loads the module on first use.
 */
const lazyChildProcess: Plugin = {
  name: "lazy-child-process",
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes(`${path.sep}node_modules${path.sep}commander${path.sep}`)
        ? { path: "child_process", namespace: "lazy-builtin" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, () => ({
      contents: `module.exports = new Proxy({}, { get: (_, key) => require("node:child_process")[key] });`,
      loader: "js",
    }));
  },
};

/** What every bundle here shares: one file for Node 20, no licence comments kept. */
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  logLevel: "warning",
  legalComments: "none",
} as const;

await build({
  ...common,
  entryPoints: [path.join(root, "dist/cli/main.js")],
  outfile: bundle,
  // A script run by the bin (CommonJS), not an ES module: only a script can be compiled from a code cache.
  format: "cjs",
  // import() of a command (cli/program.ts) becomes a lazy initializer inside the bundle.
  supported: { "dynamic-import": false },
  // cli/launch.ts passes the bundle's own URL for import.meta.url.
  define: { "import.meta.url": "usbscopeUrl" },
  plugins: [lazyChildProcess],
});
await build({ ...common, entryPoints: [path.join(root, "dist/cli/launch.js")], outfile: bin, format: "esm" });

// The launcher reads the bundle as latin1, without UTF-8 decoding, and V8 keeps a one-byte string half the
// size of a two-byte one: the bundle must be ASCII. esbuild escapes every other character (its default
// charset) except in the comments it keeps (a spec's "§"); those are escaped the same way here.
const source = readFileSync(bundle, "utf8");
writeFileSync(
  bundle,
  source.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
);
const wide = readFileSync(bundle).findIndex((b) => b > 0x7f);
if (wide >= 0) throw new Error(`dist/usbscope.cjs: byte ${wide} is not ASCII`);

// The code cache: what one analysis of a small capture compiled, written by the bin itself on exit. A cache
// V8 would reject (another V8 or flags) is left out: the bin then compiles as without one.
rmSync(cache, { force: true });
const made = `${cache}.new`;
const warm = spawnSync(
  process.execPath,
  [bin, "analyze", path.join(root, "captures/enumeration-ok/capture.pcapng")],
  { env: { ...process.env, USBSCOPE_WRITE_CODE_CACHE: made }, encoding: "utf8" },
);
if (warm.status !== 0) throw new Error(`the bundled analyze failed (${warm.status}): ${warm.stderr}`);
const script = compileBundle(bundle, readFileSync(made));
if (script.cachedDataRejected) {
  rmSync(made);
  console.warn("usbscope: V8 rejected the code cache it just made; the bin compiles without one");
} else renameSync(made, cache);

// verify's pool worker (cli/verifyWorker.ts), bundled into one ES module, dist/verifyWorker.mjs, beside the bin
// (cli/pool.ts workerScript finds it there): a worker that loads one file starts checking traces sooner.
await build({
  ...common,
  entryPoints: [path.join(root, "dist/cli/verifyWorker.js")],
  outfile: path.join(root, "dist/verifyWorker.mjs"),
  format: "esm",
});
