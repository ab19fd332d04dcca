// A verify pool worker (pool.ts): one compiled core for all its traces, checked one at a time in the order they
// come (several can be waiting: the pool sends a few at once), outcomes posted back with the trace's index so
// the main thread prints them in input order.
import { parentPort, workerData } from "node:worker_threads";
import { Readable } from "node:stream";
import { checkTrace, type TraceJob } from "./verifyTrace.js";
import type { Trace } from "./inputs.js";
import type { Io } from "./io.js";
import { createCore } from "../src/index.js";

const port = parentPort!;
// Workers never read stdin ("-" is checked in the main thread) nor write: outcomes go back as messages.
const io: Io = { out: () => {}, err: () => {}, stdin: Readable.from([]) };
const job: TraceJob = { ...(workerData as Omit<TraceJob, "core">), core: await createCore() };
const waiting: { index: number; trace: Trace }[] = [];
let busy = false;

/** One trace at a time: the core is reset for each, so two must never interleave. */
async function work(): Promise<void> {
  busy = true;
  for (let m = waiting.shift(); m; m = waiting.shift())
    port.postMessage({ index: m.index, outcome: await checkTrace(m.trace, job, io) });
  busy = false;
}

port.on("message", (batch: { index: number; trace: Trace }[]) => {
  waiting.push(...batch);
  if (!busy) void work();
});
