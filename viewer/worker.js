// @ts-check
// Module worker: analyzes one capture per message so the page stays responsive on large files.
import { analyzeBytes } from "./analysis.js";

self.onmessage = async (event) => {
  const { id, bytes, name } = event.data;
  try {
    const result = await analyzeBytes(new Uint8Array(bytes), name);
    const transfer = result.traffic.counts.map((c) => c.buffer);
    self.postMessage({ id, result }, { transfer });
  } catch (e) {
    self.postMessage({ id, error: e instanceof Error ? e.message : String(e) });
  }
};
