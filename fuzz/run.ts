// `npm run fuzz`: mutation fuzzing of every reader and layer, in worker threads (README "Reliability").
//
//   npm run fuzz -- [--minutes N | --execs N] [--seed N] [--workers N] [--tshark-every N] [--save DIR]
//
// Each worker runs its share of the executions in-process (fuzz/worker.ts) under a heap limit; the runner
// watches them: a worker stuck on one input is a hang, one that runs out of heap a memory failure. Every
// failure is made again from (seed, execution), minimised (fuzz/minimise.ts) and saved as a regression capture
// with a JSON note of the invariant it broke (default test/fuzz/regressions/, which test/reliability/fuzz.test.ts
// runs). Prints executions per second at the end; exits 1 when anything failed.
import { Worker } from "node:worker_threads";
import { createHash } from "node:crypto";
import { cpus } from "node:os";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadSeeds } from "./corpus.js";
import { mutateInput, rngFor } from "./mutate.js";
import { timeLimitMs, type Invariant, type Verdict } from "./invariants.js";
import { minimise } from "./minimise.js";
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

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository root, from dist/fuzz/ (compiled) or fuzz/ (source). */
const repoRoot =
  path.basename(path.dirname(here)) === "dist" ? path.resolve(here, "../..") : path.resolve(here, "..");
const workerJs = path.join(here, "worker.js");

/** Heap each worker may use: far above what any input needs (the analysis is bounded), far below the machine. */
export const WORKER_HEAP_MB = 384;
/** A worker on one input this many times its time limit is hung. */
const HANG_FACTOR = 5;

interface Args {
  execs: number;
  minutes: number;
  seed: number;
  workers: number;
  tsharkEvery: number;
  save: string;
}

function parseArgs(argv: string[]): Args {
  const num = (flag: string): number | undefined => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const n = Number(argv[i + 1]);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a number`);
    return n;
  };
  const execs = num("--execs");
  const minutes = num("--minutes");
  return {
    execs: execs ?? Number.MAX_SAFE_INTEGER,
    minutes: minutes ?? (execs === undefined ? 1 : Infinity),
    seed: num("--seed") ?? Math.floor(Math.random() * 0x7fffffff),
    workers: num("--workers") ?? cpus().length,
    tsharkEvery: num("--tshark-every") ?? 5000,
    save: argv.includes("--save")
      ? argv[argv.indexOf("--save") + 1]!
      : path.join(repoRoot, "test/fuzz/regressions"),
  };
}

const log = (msg: string) => process.stderr.write(`fuzz: ${msg}\n`);

interface Found {
  exec: number;
  verdict: Verdict;
}

/** Run the workers until the executions or the time are used up; returns the failures and the counts. */
async function runWorkers(
  args: Args,
): Promise<{ found: Found[]; execs: number; bytes: number; seconds: number }> {
  const state = new SharedArrayBuffer(args.workers * SLOTS * 8);
  const slots = new Float64Array(state);
  const deadline = Number.isFinite(args.minutes)
    ? Date.now() + args.minutes * 60_000
    : Number.MAX_SAFE_INTEGER;
  const found: Found[] = [];
  const t0 = performance.now();
  let finishedExecs = 0;
  let finishedBytes = 0;
  await Promise.all(
    Array.from({ length: args.workers }, (_, index) => {
      return new Promise<void>((resolve) => {
        const start = (from: number) => {
          const slot = index * SLOTS;
          slots[slot + SLOT_EXEC] = -1;
          const job: WorkerJob = {
            repoRoot,
            seed: args.seed,
            start: from,
            stride: args.workers,
            end: args.execs,
            deadline,
            tsharkEvery: args.tsharkEvery,
            state,
            index,
          };
          const w = new Worker(workerJs, {
            workerData: { job },
            resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: 64 },
          });
          let settled = false;
          const restartAfter = (exec: number, invariant: Invariant, message: string) => {
            if (settled) return;
            settled = true;
            clearInterval(watch);
            found.push({ exec, verdict: { broken: invariant, message, ms: 0, exit: 3 } });
            finishedExecs += slots[slot + SLOT_DONE]!;
            finishedBytes += slots[slot + SLOT_BYTES_DONE]!;
            slots[slot + SLOT_DONE] = 0;
            slots[slot + SLOT_BYTES_DONE] = 0;
            void w.terminate();
            if (exec + args.workers < args.execs && Date.now() < deadline) start(exec + args.workers);
            else resolve();
          };
          // The watchdog: an execution far past its time limit is a hang; the worker is replaced.
          const watch = setInterval(() => {
            const exec = slots[slot + SLOT_EXEC]!;
            if (exec < 0) return;
            const limit = HANG_FACTOR * timeLimitMs(slots[slot + SLOT_BYTES]!);
            if (Date.now() - slots[slot + SLOT_STARTED]! > limit)
              restartAfter(exec, "hang", `no result after ${limit} ms on ${slots[slot + SLOT_BYTES]} bytes`);
          }, 250);
          w.on("message", (m: FailureMessage | { type: "done" }) => {
            if (m.type === "failure") found.push({ exec: m.exec, verdict: m.verdict });
          });
          w.on("error", (e: Error & { code?: string }) => {
            const exec = slots[slot + SLOT_EXEC]!;
            const memory = e.code === "ERR_WORKER_OUT_OF_MEMORY";
            restartAfter(
              exec,
              memory ? "memory" : "exception",
              memory ? `heap over ${WORKER_HEAP_MB} MB` : String(e.stack ?? e),
            );
          });
          w.on("exit", () => {
            if (settled) return;
            settled = true;
            clearInterval(watch);
            finishedExecs += slots[slot + SLOT_DONE]!;
            finishedBytes += slots[slot + SLOT_BYTES_DONE]!;
            resolve();
          });
        };
        start(index);
      });
    }),
  );
  // Progress counters of workers still counted in their slots (none after all exits, but be exact).
  return { found, execs: finishedExecs, bytes: finishedBytes, seconds: (performance.now() - t0) / 1000 };
}

/** A checker worker for the minimiser: one input at a time, with the run's limits; replaced when it hangs or dies. */
class Checker {
  private w: Worker | undefined;
  async verdict(bytes: Uint8Array): Promise<Verdict> {
    const w = (this.w ??= new Worker(workerJs, {
      workerData: { check: { repoRoot } },
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: 64 },
    }));
    return new Promise((resolve) => {
      const limit = HANG_FACTOR * timeLimitMs(bytes.length);
      const done = (v: Verdict) => {
        clearTimeout(timer);
        w.off("message", onMessage);
        w.off("error", onError);
        resolve(v);
      };
      const onMessage = (m: Verdict | { type: "ready" }) => {
        if ("type" in m) return;
        done(m);
      };
      const onError = (e: Error & { code?: string }) => {
        this.w = undefined;
        done({ broken: e.code === "ERR_WORKER_OUT_OF_MEMORY" ? "memory" : "exception", ms: 0, exit: 3 });
      };
      const timer = setTimeout(() => {
        this.w = undefined;
        void w.terminate();
        done({ broken: "hang", ms: limit, exit: 3 });
      }, limit);
      w.on("message", onMessage);
      w.on("error", onError);
      w.postMessage(bytes);
    });
  }
  close(): void {
    void this.w?.terminate();
  }
}

/** The file extension a capture of these bytes would have. */
function extension(b: Uint8Array): string {
  const m = b.length >= 4 ? (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0 : 0;
  if (m === 0x0a0d0d0a) return "pcapng";
  if ([0xa1b2c3d4, 0xa1b23c4d, 0xd4c3b2a1, 0x4d3cb2a1].includes(m)) return "pcap";
  return "mon";
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const seeds = loadSeeds(repoRoot);
  log(
    `seed ${args.seed}, ${args.workers} workers, ${seeds.length} seed captures, ${Number.isFinite(args.minutes) ? `${args.minutes} min` : `${args.execs} executions`}${args.tsharkEvery ? `, tshark every ${args.tsharkEvery}` : ""}`,
  );
  const run = await runWorkers(args);
  // One regression capture per invariant and first message line: a bug found a thousand times is one bug.
  const unique = new Map<string, Found>();
  for (const f of run.found.sort((a, b) => a.exec - b.exec)) {
    const key = `${f.verdict.broken}|${(f.verdict.message ?? "").split("\n")[0]!.replace(/U\+[0-9a-f]{4}|\d+/gi, "N")}`;
    if (!unique.has(key)) unique.set(key, f);
  }
  const checker = new Checker();
  mkdirSync(args.save, { recursive: true });
  for (const f of unique.values()) {
    const input = mutateInput(seeds, rngFor(args.seed, f.exec));
    const invariant = f.verdict.broken!;
    const small = await minimise(input, async (c) => (await checker.verdict(c)).broken === invariant);
    const name = `${invariant}-${createHash("sha256").update(small).digest("hex").slice(0, 12)}`;
    writeFileSync(path.join(args.save, `${name}.${extension(small)}`), small);
    writeFileSync(
      path.join(args.save, `${name}.json`),
      `${JSON.stringify({ invariant, message: f.verdict.message, seed: args.seed, exec: f.exec, bytes: input.length, minimised: small.length }, null, 2)}\n`,
    );
    log(
      `FAILED ${invariant} at execution ${f.exec}: ${(f.verdict.message ?? "").split("\n")[0]} -> ${name} (${input.length} -> ${small.length} bytes)`,
    );
  }
  checker.close();
  const rate = run.execs / run.seconds;
  const perInvariant = new Map<string, number>();
  for (const f of run.found)
    perInvariant.set(f.verdict.broken!, (perInvariant.get(f.verdict.broken!) ?? 0) + 1);
  log(
    `${run.execs} executions in ${run.seconds.toFixed(1)} s: ${rate.toFixed(0)} per second (${(run.bytes / run.execs / 1024).toFixed(1)} KiB each, ${(run.bytes / run.seconds / 1e6).toFixed(1)} MB/s); ${run.found.length === 0 ? "no failure" : `failures: ${[...perInvariant].map(([k, n]) => `${k} ${n}`).join(", ")}`}`,
  );
  return run.found.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`fuzz: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(3);
  },
);
