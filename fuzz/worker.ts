// One fuzzing worker thread (fuzz/run.ts starts them, each under a heap limit): executions start, start +
// stride, start + 2·stride, ... of the run's seed, each input made again from (seed, execution) and checked
// in-process (fuzz/invariants.ts). What it is doing is written to shared memory, so the runner can tell a
// hang from a slow input and knows which input a killed worker was on; failures are posted as they happen.
//
// A worker started with `check` instead runs one given input and posts its verdict (the minimiser's use).
import { parentPort, workerData } from "node:worker_threads";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadSeeds } from "./corpus.js";
import { mutateInput, rngFor } from "./mutate.js";
import { checkInput, fuzzCore, tsharkDifference } from "./invariants.js";
import {
  SLOT_BYTES,
  SLOT_BYTES_DONE,
  SLOT_DONE,
  SLOT_EXEC,
  SLOT_STARTED,
  SLOTS,
  type FailureMessage,
  type WorkerJob,
} from "./protocol.js";

/** tshark's frame count for `bytes`, or undefined when tshark does not read the file whole. */
function tsharkFrames(bytes: Uint8Array): number | undefined {
  const dir = mkdtempSync(path.join(tmpdir(), "usbscope-fuzz-"));
  try {
    const file = path.join(dir, "input.pcapng");
    writeFileSync(file, bytes);
    const r = spawnSync("tshark", ["-r", file, "-n", "-T", "fields", "-e", "frame.number"], {
      encoding: "utf8",
      maxBuffer: 1 << 28,
      timeout: 60_000,
    });
    // Anything on stderr but the root warning means tshark did not read the file whole.
    const err = (r.stderr ?? "").replace(/^Running as user "root".*\n?/m, "").trim();
    if (r.status !== 0 || err !== "") return undefined;
    return r.stdout.split("\n").filter(Boolean).length;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** pcap or pcapng by its magic: tshark reads those (usbmon text it does not). */
function isPcapFamily(b: Uint8Array): boolean {
  if (b.length < 4) return false;
  const m = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  return [0xa1b2c3d4, 0xa1b23c4d, 0xd4c3b2a1, 0x4d3cb2a1, 0x0a0d0d0a].includes(m);
}

async function fuzz(job: WorkerJob): Promise<void> {
  const seeds = loadSeeds(job.repoRoot);
  const core = await fuzzCore();
  const state = new Float64Array(job.state, job.index * SLOTS * 8, SLOTS);
  let n = 0;
  for (let exec = job.start; exec < job.end; exec += job.stride) {
    if ((n & 15) === 0 && Date.now() > job.deadline) break;
    const input = mutateInput(seeds, rngFor(job.seed, exec));
    state[SLOT_STARTED] = Date.now();
    state[SLOT_BYTES] = input.length;
    state[SLOT_EXEC] = exec;
    let verdict = await checkInput(input, core);
    if (
      !verdict.broken &&
      job.tsharkEvery > 0 &&
      n % job.tsharkEvery === job.index % job.tsharkEvery &&
      isPcapFamily(input)
    ) {
      const frames = tsharkFrames(input);
      const why = frames === undefined ? undefined : tsharkDifference(verdict, frames);
      if (why) verdict = { ...verdict, broken: "tshark", message: why };
    }
    state[SLOT_EXEC] = -1;
    state[SLOT_DONE]! += 1;
    state[SLOT_BYTES_DONE]! += input.length;
    n++;
    if (verdict.broken) parentPort!.postMessage({ type: "failure", exec, verdict } satisfies FailureMessage);
  }
  parentPort!.postMessage({ type: "done" });
}

async function check(repoRoot: string): Promise<void> {
  const core = await fuzzCore();
  parentPort!.on("message", async (bytes: Uint8Array) => {
    parentPort!.postMessage(await checkInput(bytes, core));
  });
  parentPort!.postMessage({ type: "ready", repoRoot });
}

const data = workerData as { job?: WorkerJob; check?: { repoRoot: string } };
if (data.job) await fuzz(data.job);
else if (data.check) await check(data.check.repoRoot);
