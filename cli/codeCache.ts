// The bundled command line (dist/usbscope.cjs) run as one vm.Script with a V8 code cache made by
// `npm run build` (scripts/bundleCli.ts): V8 then takes the compiled bytecode of everything a short command
// runs from the cache instead of parsing and compiling ~850 KB of JavaScript on every start.
// Node 20 has no module.enableCompileCache, and a cache is only good for the V8 version and flags that made
// it: V8 checks both and rejects a cache that does not fit, and the script is then compiled as usual.
import { readFileSync, statSync } from "node:fs";
import vm from "node:vm";

/** The CommonJS wrapper of the bundle; `usbscopeUrl` stands in for import.meta.url (esbuild define). */
export function wrapBundle(source: string): string {
  // The shebang line stays a line (a comment), so line numbers in stack traces are the bundle's own.
  return `(function (exports, require, module, __filename, __dirname, usbscopeUrl) {${source.replace(/^#!/, "//")}\n})`;
}

/** The code cache beside `bundle`, unless it is missing or older than the bundle (a rebuilt bundle). */
export function readCodeCache(bundle: string): Buffer | undefined {
  try {
    const cache = `${bundle}.cache`;
    if (statSync(cache).mtimeMs < statSync(bundle).mtimeMs) return undefined;
    return readFileSync(cache);
  } catch {
    return undefined;
  }
}

/**
 * Compile the bundle at `file` with `cachedData` when V8 accepts it (`script.cachedDataRejected` tells).
 * The build checks the bundle is ASCII (esbuild's default charset), so latin1 reads it as it is, without
 * UTF-8 decoding.
 */
export function compileBundle(file: string, cachedData?: Buffer): vm.Script {
  return new vm.Script(wrapBundle(readFileSync(file, "latin1")), {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
}
