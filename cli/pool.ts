// A pool of worker threads for verify (node:worker_threads), with this thread as one more checker: it starts on
// the first trace at once, while the workers are still starting (a worker takes a few hundred milliseconds to
// load the analysis and to warm up, a small trace a millisecond), and takes the next trace whenever it is free.
// Each worker holds a few traces at a time, so it never waits for this thread to hand it the next one; a slow
// trace holds up one thread, not the batch. Results arrive in any order; the caller puts them back in input
// order. A worker that dies fails the trace it was on, not the run: the traces it held go to the others.
import { Worker } from "node:worker_threads";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The worker script: the bundled one beside the bundled command line (dist/NAME.mjs, scripts/bundleCli.ts: one
 * file to load instead of ~150 modules), else the compiled module next to this one in dist/cli/, or dist/cli/
 * when this runs from source (tests).
 */
export function workerScript(name: string): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const beside of [path.join(here, `${name}.mjs`), path.join(here, `${name}.js`)])
    if (existsSync(beside)) return beside;
  return path.resolve(here, "..", "dist", "cli", `${name}.js`);
}

/**
 * Traces a worker holds at most: enough that it does not run dry while this thread checks one of its own (on a
 * loaded machine that can take several of the worker's), few enough that the threads end together.
 */
const HELD = 16;

export interface PoolOptions<T, R> {
  /** The worker script (workerScript): gets `{ index, trace: item }[]` messages, answers `{ index, outcome }` per item, in order. */
  script: string;
  /** The workers' workerData. */
  data: unknown;
  items: readonly T[];
  /** Worker threads besides this one. */
  workers: number;
  /** Check one item in this thread; absent: only the workers check. */
  here?: (item: T) => Promise<R>;
  /** Called once per item, in completion order. */
  onResult: (index: number, outcome: R) => void;
  /** The outcome of an item whose worker died on it. */
  onCrash: (index: number, error: Error) => R;
}

/** Check every item once, in this thread and `workers` worker threads. */
export async function runPool<T, R>(o: PoolOptions<T, R>): Promise<void> {
  const { items } = o;
  let next = 0;
  /** Items a dead worker held beyond the one it died on, to be taken first. */
  const retry: number[] = [];
  let done = 0;
  /** Workers not stopped yet, and whether this thread is checking. */
  let live = 0;
  let hereBusy = false;
  const take = (): number | undefined => retry.pop() ?? (next < items.length ? next++ : undefined);
  await new Promise<void>((resolve) => {
    if (!items.length) return resolve();
    const finish = (index: number, outcome: R) => {
      o.onResult(index, outcome);
      if (++done === items.length) resolve();
    };
    const start = () => {
      const w = new Worker(o.script, { workerData: o.data });
      live++;
      /** The items sent and not answered, in the order the worker checks them. */
      const held: number[] = [];
      let over = false;
      const stop = () => {
        if (over) return;
        over = true;
        live--;
        void w.terminate();
      };
      const feed = () => {
        const send: number[] = [];
        // Near the end, a fair share of what is left, so no thread sits idle while another holds several.
        const left = items.length - next + retry.length;
        const most = Math.min(HELD, Math.max(1, Math.ceil(left / (2 * (o.workers + (o.here ? 1 : 0))))));
        while (held.length + send.length < most) {
          const i = take();
          if (i === undefined) break;
          send.push(i);
        }
        if (send.length) {
          held.push(...send);
          w.postMessage(send.map((index) => ({ index, trace: items[index] })));
        }
        if (!held.length) stop();
      };
      w.on("message", (m: { index: number; outcome: R }) => {
        const at = held.indexOf(m.index);
        if (at < 0) return;
        held.splice(at, 1);
        feed();
        finish(m.index, m.outcome);
      });
      // Its error comes first; what it posted before dying is all in once it has exited (Node drains the port
      // before "exit"), so the first trace still held then is the one it died on.
      let error: Error | undefined;
      w.on("error", (e) => void (error ??= e));
      w.on("exit", (code) => {
        if (over) return;
        stop();
        if (!held.length) return;
        const lost = held.shift()!;
        // The others it held go back, to be checked elsewhere.
        retry.push(...held.reverse());
        held.length = 0;
        // Nobody left to take them (the others ran out and stopped): this thread does, or a fresh worker.
        if (live === 0 && !hereBusy && (retry.length || next < items.length)) {
          if (o.here) void checkHere(o.here);
          else start();
        }
        finish(lost, o.onCrash(lost, error ?? new Error(`the worker stopped (exit code ${code})`)));
      });
      feed();
    };
    const checkHere = async (here: (item: T) => Promise<R>) => {
      hereBusy = true;
      for (let i = take(); i !== undefined; i = take()) {
        finish(i, await here(items[i]!));
        // Let the workers' answers in: each gets its next traces now, not when this thread runs out.
        await new Promise<void>((r) => setImmediate(r));
      }
      hereBusy = false;
    };
    for (let i = 0; i < Math.min(o.workers, items.length); i++) start();
    if (o.here) void checkHere(o.here);
  });
}
