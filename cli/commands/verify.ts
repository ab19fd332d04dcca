import { Command, InvalidArgumentError, Option } from "commander";
import { readFileSync, writeFileSync } from "node:fs";
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, InputError, readErrorMessage, type Io } from "../io.js";
import { expandInputs, listLines, type Trace } from "../inputs.js";
import { checkTrace, type TraceJob, type TraceOutcome } from "../verifyTrace.js";
import { runPool, workerScript } from "../pool.js";
import { availableParallelism } from "node:os";
import {
  createCore,
  ExpectationError,
  inShard,
  jsonText,
  junitXml,
  parseExpectation,
  parseShard,
  sanitizeTerminal,
  verdictDetails,
  verdictJson,
  verdictLine,
  type Expectation,
  type JunitCase,
  type Shard,
} from "../../src/index.js";

interface VerifyFlags {
  junit?: string;
  json?: boolean;
  expect?: string;
  failOn: "error" | "warning";
  verbose?: boolean;
  filesFrom?: string;
  shard?: Shard;
  jobs?: number;
}

/** Below this many traces, worker start-up costs more than it saves: the batch runs in this thread. */
const SMALL_BATCH = 16;

function jobsOption(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new InvalidArgumentError("expected a number of workers, 1 to 256");
  return n;
}

/** The expectations file, or an input error naming what is wrong with it. */
function loadExpectation(file: string): Expectation {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError(readErrorMessage(file, e));
  }
  try {
    return parseExpectation(text);
  } catch (e) {
    if (e instanceof ExpectationError) throw new InputError(`${sanitizeTerminal(file)}: ${e.message}`);
    throw e;
  }
}

function shardOption(text: string): Shard {
  const s = parseShard(text);
  if (!s) throw new InvalidArgumentError("expected i/n with 1 ≤ i ≤ n, like 2/4");
  return s;
}

/** Read all of a stream (the --files-from list on stdin). */
async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * CI batch mode: many captures, one line each, optional JUnit XML. Without --expect a capture fails on a rule
 * finding at --fail-on severity; with it, on any difference from the product the expectations file describes.
 */
export function verifyCommand(io: Io, setExit: (code: number) => void): Command {
  return new Command("verify")
    .description(
      "check many captures for CI: one line per file, JUnit XML with --junit, --expect a product's expectations",
    )
    .argument("[inputs...]", "captures, directories (searched recursively) and glob patterns; - reads stdin")
    .option(
      "--expect <product.json>",
      "check each capture's device against this expectations file (usbscope expect writes one)",
    )
    .addOption(
      new Option("--fail-on <severity>", "the lowest finding severity that fails a capture")
        .choices(["error", "warning"])
        .default("error"),
    )
    .option("--files-from <list>", "read more inputs from this file, one a line (- reads stdin)")
    .option("--shard <i/n>", "check only shard i of n (stable by path: CI matrices)", shardOption)
    .option(
      "--jobs <n>",
      "threads checking traces: this one and n-1 workers (default: one per core; 1: this thread only)",
      jobsOption,
    )
    .option("--junit <path>", "write JUnit XML to this file")
    .option("--json", "one JSON line per file (NDJSON)")
    .option("--verbose", "every difference under a failing capture's line, not only the first")
    .action(async (args: string[], opts: VerifyFlags) => {
      let expectation: Expectation | undefined;
      const usage = (message: string) => {
        io.err(`usbscope: ${message}\n`);
        setExit(EXIT_USAGE);
      };
      if (opts.expect) {
        try {
          expectation = loadExpectation(opts.expect);
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          return usage(e.message);
        }
      }
      const inputs = [...args];
      if (opts.filesFrom !== undefined) {
        if (opts.filesFrom === "-" && args.includes("-"))
          return usage("--files-from - reads the list from stdin, so no capture can come from stdin too");
        try {
          inputs.push(
            ...listLines(
              opts.filesFrom === "-" ? await readAll(io.stdin) : readFileSync(opts.filesFrom, "utf8"),
            ),
          );
        } catch (e) {
          return usage(readErrorMessage(opts.filesFrom, e));
        }
      }
      if (!inputs.length)
        return usage("verify: no inputs (give captures, directories, patterns or --files-from)");
      let traces = await expandInputs(inputs);
      if (opts.shard) traces = traces.filter((t) => inShard(t.name, opts.shard!));
      const start = performance.now();
      const cases: JunitCase[] = [];
      const counts = { passed: 0, failed: 0, errors: 0 };
      let worst = EXIT_OK;
      const job: TraceJob = { expectation, failOn: opts.failOn, junit: opts.junit !== undefined };
      const total = traces.length;
      let lastStatus = 0;
      const status = () => {
        const now = performance.now();
        if (!io.status || now - lastStatus < 100) return;
        lastStatus = now;
        const n = counts.passed + counts.failed + counts.errors;
        io.status(
          `verify: ${n}/${total} traces, ${counts.failed} failed, ${counts.errors} unreadable, ${((now - start) / 1000).toFixed(1)} s`,
        );
      };
      /** One trace's line (and JUnit case), printed in input order. */
      // Lines are gathered and written a batch at a time (64 KiB, or every 200 ms so a CI log stays live): a
      // pipe takes each write synchronously on Linux, and a thousand small writes cost more than the checks.
      let pendingOut = "";
      let lastFlush = start;
      const flush = () => {
        if (pendingOut) io.out(pendingOut);
        pendingOut = "";
        lastFlush = performance.now();
      };
      const write = (text: string) => {
        pendingOut += text;
        if (pendingOut.length >= 65536 || performance.now() - lastFlush >= 200) flush();
      };
      const report = (t: Trace, o: TraceOutcome) => {
        if (o.kind === "error") {
          cases.push({ file: t.name, error: o.message, seconds: o.seconds });
          counts.errors++;
          worst = Math.max(worst, EXIT_USAGE);
          write(
            opts.json
              ? jsonText({ file: t.path, name: t.name, error: o.message }) + "\n"
              : `ERROR ${sanitizeTerminal(o.message)}\n`,
          );
        } else if (o.kind === "verdict") {
          const v = o.verdict;
          if (opts.junit) cases.push({ file: t.name, verdict: v, seconds: o.seconds });
          counts[v.ok ? "passed" : "failed"]++;
          if (!v.ok) worst = Math.max(worst, EXIT_FINDINGS);
          write(
            opts.json
              ? jsonText({ ...verdictJson(t.path, v), name: t.name }) + "\n"
              : verdictLine(t.path, v) + "\n" + (opts.verbose ? verdictDetails(v) : ""),
          );
        } else {
          if (opts.junit)
            cases.push({
              file: t.name,
              findings: { sorted: o.findings ?? [], countByRule: new Map(o.countByRule) },
              seconds: o.seconds,
            });
          const c = o.counts;
          counts[o.failed ? "failed" : "passed"]++;
          if (o.failed) worst = Math.max(worst, EXIT_FINDINGS);
          const rules = o.countByRule.map(([r, n]) => `${r}×${n}`).join(" ");
          write(
            opts.json
              ? jsonText({
                  file: t.path,
                  name: t.name,
                  ok: !o.failed,
                  errors: c.error,
                  warnings: c.warning,
                  infos: c.info,
                  records: o.records,
                  rules: Object.fromEntries(o.countByRule),
                }) + "\n"
              : `${o.failed ? "FAIL " : "ok   "} ${sanitizeTerminal(t.path)}: ${c.error} errors, ${c.warning} warnings, ${c.info} info${rules ? `  (${rules})` : ""}\n`,
          );
        }
        status();
      };
      // Threads: --jobs, by default one per core (this one and workers); a small batch (or one reading stdin) is
      // quicker in this thread alone.
      const threads = opts.jobs ?? (traces.length >= SMALL_BATCH ? availableParallelism() : 1);
      // One core for the batch in this thread: readCapture resets it for each trace.
      if (traces.length > 1) job.core = await createCore();
      if (threads <= 1 || traces.length <= 1 || traces.some((t) => t.path === "-")) {
        for (const t of traces) report(t, await checkTrace(t, job, io));
      } else {
        // Outcomes come back in any order; each is printed once all those before it are.
        const pending = new Map<number, TraceOutcome>();
        let next = 0;
        await runPool<Trace, TraceOutcome>({
          script: workerScript("verifyWorker"),
          data: { expectation, failOn: opts.failOn, junit: job.junit },
          items: traces,
          workers: threads - 1,
          here: (t) => checkTrace(t, job, io),
          onResult: (i, o) => {
            pending.set(i, o);
            while (pending.has(next)) {
              report(traces[next]!, pending.get(next)!);
              pending.delete(next++);
            }
          },
          onCrash: (i, e) => ({
            kind: "error",
            message: `${sanitizeTerminal(traces[i]!.path)}: internal error: ${e.message}`,
            seconds: 0,
          }),
        });
      }
      flush();
      io.status?.("");
      if (opts.junit) writeFileSync(opts.junit, junitXml(cases));
      const seconds = (performance.now() - start) / 1000;
      if (!opts.json)
        io.out(
          `${total} capture${total === 1 ? "" : "s"}${opts.shard ? ` (shard ${opts.shard.index}/${opts.shard.count})` : ""}: ${counts.passed} passed, ${counts.failed} failed, ${counts.errors} unreadable in ${seconds.toFixed(2)} s\n`,
        );
      // An unreadable file in a batch is the batch's failure, not a usage error of the command.
      setExit(worst === EXIT_USAGE ? EXIT_FINDINGS : worst);
    });
}
