// @ts-check
// The analysis the viewer runs, in a Web Worker (worker.js) or, when workers are unavailable, on
// the page: the same WASM core and library code as the CLI (dist/src), fed from memory.
import {
  analysisJson,
  analyzeSource,
  bufferSource,
  secondsBetween,
  setCoreModule,
} from "../dist/src/index.js";
import { TrafficHistogram } from "./traffic.js";

/** @type {Promise<void> | null} */
let coreReady = null;

/** Fetch and compile build/usbscope.wasm once; the library then never touches node:fs. */
function loadCore() {
  coreReady ??= (async () => {
    const url = new URL("../build/usbscope.wasm", import.meta.url);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`cannot load ${url.pathname}: HTTP ${response.status}`);
    const module = await WebAssembly.compile(await response.arrayBuffer());
    setCoreModule(module);
  })();
  return coreReady;
}

/**
 * @param {Uint8Array} bytes the whole capture
 * @param {string} name shown as the file name
 */
export async function analyzeBytes(bytes, name) {
  await loadCore();
  const started = performance.now();
  // The traffic chart counts the same record batches, in the same pass.
  const traffic = new TrafficHistogram();
  const r = await analyzeSource(bufferSource(bytes), name, { sinks: [traffic] });
  const doc = analysisJson(r);
  // Finding and bus-event times relative to the first record, for the chart (same order as
  // doc.findings and doc.busEvents.events).
  const t0 = r.firstTime;
  /** @param {{ sec: number, nsec: number } | undefined} t */
  const since = (t) => (t && t0 ? secondsBetween(t0, t) : null);
  const findingTimes = r.findings.sorted().map((f) => since(f.time));
  const busEventTimes = r.busEvents.list.map((e) => since(e.time));
  return { doc, findingTimes, busEventTimes, traffic: traffic.toJSON(), millis: performance.now() - started };
}
