import { Command, InvalidArgumentError, Option } from "commander";
import { readFileSync, writeFileSync } from "node:fs";
import {
  EXIT_FINDINGS,
  EXIT_OK,
  EXIT_USAGE,
  InputError,
  openInput,
  readErrorMessage,
  type Io,
} from "../io.js";
import { inputProblem } from "../analyzeInput.js";
import { expandInputs, listLines, type Trace } from "../inputs.js";
import {
  analyzeSource,
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
  verifyCapture,
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
      const inputError = (t: Trace, message: string, seconds: number) => {
        cases.push({ file: t.name, error: message, seconds });
        counts.errors++;
        worst = Math.max(worst, EXIT_USAGE);
        io.out(
          opts.json
            ? jsonText({ file: t.path, name: t.name, error: message }) + "\n"
            : `ERROR ${sanitizeTerminal(message)}\n`,
        );
      };
      for (const t of traces) {
        const t0 = performance.now();
        if (t.problem) {
          inputError(t, t.problem, 0);
          continue;
        }
        try {
          const { source, name } = await openInput(t.path, io);
          let result;
          try {
            // Verdicts only: no control transfer list is needed (JUnit lists findings).
            result = await analyzeSource(source, name, { keepControlTransfers: false });
          } finally {
            await source.close();
          }
          const seconds = (performance.now() - t0) / 1000;
          const problem = inputProblem(result);
          if (problem) {
            inputError(t, problem, seconds);
            continue;
          }
          if (expectation) {
            const verdict = verifyCapture(result, expectation, { failOn: opts.failOn });
            if (opts.junit) cases.push({ file: t.name, verdict, seconds });
            counts[verdict.ok ? "passed" : "failed"]++;
            if (!verdict.ok) worst = Math.max(worst, EXIT_FINDINGS);
            io.out(
              opts.json
                ? jsonText({ ...verdictJson(t.path, verdict), name: t.name }) + "\n"
                : verdictLine(t.path, verdict) + "\n" + (opts.verbose ? verdictDetails(verdict) : ""),
            );
            continue;
          }
          // Only JUnit needs the results once their line is printed: without --junit none is kept.
          if (opts.junit) cases.push({ file: t.name, result, seconds });
          const c = result.findings.countBySeverity;
          const failed = c.error > 0 || (opts.failOn === "warning" && c.warning > 0);
          counts[failed ? "failed" : "passed"]++;
          if (failed) worst = Math.max(worst, EXIT_FINDINGS);
          const rules = [...result.findings.countByRule.entries()].map(([r, n]) => `${r}×${n}`).join(" ");
          io.out(
            opts.json
              ? jsonText({
                  file: t.path,
                  name: t.name,
                  ok: !failed,
                  errors: c.error,
                  warnings: c.warning,
                  infos: c.info,
                  records: result.capture.records,
                  rules: Object.fromEntries(result.findings.countByRule),
                }) + "\n"
              : `${failed ? "FAIL " : "ok   "} ${sanitizeTerminal(t.path)}: ${c.error} errors, ${c.warning} warnings, ${c.info} info${rules ? `  (${rules})` : ""}\n`,
          );
        } catch (e) {
          // One trace that cannot be read (or that breaks the analysis) is that trace's error; the run goes on.
          const message =
            e instanceof InputError
              ? e.message
              : `${shownPath(t.path)}: internal error: ${e instanceof Error ? e.message : String(e)}`;
          inputError(t, message, (performance.now() - t0) / 1000);
        }
      }
      if (opts.junit) writeFileSync(opts.junit, junitXml(cases));
      const seconds = (performance.now() - start) / 1000;
      const total = counts.passed + counts.failed + counts.errors;
      if (!opts.json)
        io.out(
          `${total} capture${total === 1 ? "" : "s"}${opts.shard ? ` (shard ${opts.shard.index}/${opts.shard.count})` : ""}: ${counts.passed} passed, ${counts.failed} failed, ${counts.errors} unreadable in ${seconds.toFixed(2)} s\n`,
        );
      // An unreadable file in a batch is the batch's failure, not a usage error of the command.
      setExit(worst === EXIT_USAGE ? EXIT_FINDINGS : worst);
    });
}

const shownPath = (p: string) => sanitizeTerminal(p);
