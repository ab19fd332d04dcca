#!/usr/bin/env node
// The usbscope bin (dist/usbscope.mjs, scripts/bundleCli.ts): runs the bundled command line,
// dist/usbscope.cjs, compiled from its V8 code cache when V8 accepts it (cli/codeCache.ts). With
// USBSCOPE_WRITE_CODE_CACHE=FILE set, it writes the code cache of what the run compiled to FILE on exit:
// the build runs one `analyze` that way, so the cache holds the code an analysis runs, not only the top level.
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compileBundle, readCodeCache } from "./codeCache.js";

const bundle = fileURLToPath(new URL("./usbscope.cjs", import.meta.url));
const out = process.env.USBSCOPE_WRITE_CODE_CACHE;
const script = compileBundle(bundle, out ? undefined : readCodeCache(bundle));
if (out) {
  delete process.env.USBSCOPE_WRITE_CODE_CACHE;
  process.on("exit", () => writeFileSync(out, script.createCachedData()));
}
const module = { exports: {} };
(script.runInThisContext() as (...args: unknown[]) => void)(
  module.exports,
  createRequire(bundle),
  module,
  bundle,
  path.dirname(bundle),
  pathToFileURL(bundle).href,
);
