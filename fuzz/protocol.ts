// What the fuzzing runner (fuzz/run.ts) and its workers (fuzz/worker.ts) share: the job, the messages, and the
// layout of the shared memory each worker writes its progress to.
import type { Verdict } from "./invariants.js";

/** Slots of the shared Float64Array, per worker: the execution in progress (-1: none), its start (ms), its size. */
export const SLOT_EXEC = 0;
export const SLOT_STARTED = 1;
export const SLOT_BYTES = 2;
export const SLOT_DONE = 3;
export const SLOT_BYTES_DONE = 4;
export const SLOTS = 5;

export interface WorkerJob {
  repoRoot: string;
  seed: number;
  /** First execution, and the step to the next (the number of workers). */
  start: number;
  stride: number;
  /** Stop before this execution... */
  end: number;
  /** ...or at this time (Date.now() ms). */
  deadline: number;
  /** Every this many executions, a pcap/pcapng input is also read by tshark and compared (0: never). */
  tsharkEvery: number;
  state: SharedArrayBuffer;
  index: number;
}

export interface FailureMessage {
  type: "failure";
  exec: number;
  verdict: Verdict;
}
