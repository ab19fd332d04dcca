// A pool of worker threads for verify (node:worker_threads): each worker takes one trace at a time and gets
// the next as soon as it answers, so a slow trace holds up one worker, not the batch. Results arrive in any
// order; the caller puts them back in input order. A worker that dies fails its trace, not the run.
import { Worker } from "node:worker_threads";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The compiled worker script: next to this module in dist/, or dist/cli/ when this runs from source (tests). */
export function workerScript(name: string): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const beside = path.join(here, `${name}.js`);
  if (existsSync(beside)) return beside;
  return path.resolve(here, "..", "dist", "cli", `${name}.js`);
}

/**
 * Run `items` through `workers` threads of `script` (started with `data`): each gets `{ index, trace: item }`
 * messages and answers `{ index, outcome }`. `onResult` is called once per item, in completion order;
 * `onCrash` makes the outcome of an item whose worker died.
 */
export async function runPool<T, R>(
  script: string,
  data: unknown,
  items: readonly T[],
  workers: number,
  onResult: (index: number, outcome: R) => void,
  onCrash: (index: number, error: Error) => R,
): Promise<void> {
  let next = 0;
  let done = 0;
  await new Promise<void>((resolve) => {
    if (!items.length) return resolve();
    const finish = () => {
      if (++done === items.length) resolve();
    };
    const start = () => {
      const w = new Worker(script, { workerData: data });
      let current = -1;
      const feed = () => {
        if (next >= items.length) {
          current = -1;
          void w.terminate();
          return;
        }
        current = next++;
        w.postMessage({ index: current, trace: items[current] });
      };
      w.on("message", (m: { index: number; outcome: R }) => {
        onResult(m.index, m.outcome);
        finish();
        feed();
      });
      w.on("error", (e) => {
        if (current < 0) return;
        const lost = current;
        current = -1;
        onResult(lost, onCrash(lost, e));
        finish();
        // The trace that broke it is failed; a fresh worker takes the rest.
        if (next < items.length) start();
      });
      feed();
    };
    for (let i = 0; i < Math.min(workers, items.length); i++) start();
  });
}
