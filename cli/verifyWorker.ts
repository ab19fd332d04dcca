// A verify pool worker (pool.ts): one compiled core for all its traces, one trace at a time, outcomes posted
// back with the trace's index so the main thread prints them in input order.
import { parentPort, workerData } from "node:worker_threads";
import { Readable } from "node:stream";
import { checkTrace, type TraceJob } from "./verifyTrace.js";
import type { Trace } from "./inputs.js";
import type { Io } from "./io.js";
import { createCore } from "../src/index.js";

const port = parentPort!;
const job = workerData as Omit<TraceJob, "core">;
// Workers never read stdin ("-" is checked in the main thread) nor write: outcomes go back as messages.
const io: Io = { out: () => {}, err: () => {}, stdin: Readable.from([]) };
const core = await createCore();

port.on("message", (m: { index: number; trace: Trace }) => {
  void checkTrace(m.trace, { ...job, core }, io).then((outcome) =>
    port.postMessage({ index: m.index, outcome }),
  );
});
