import { Command, Option } from "commander";
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
import {
  analyzeSource,
  ExpectationError,
  jsonText,
  junitXml,
  parseExpectation,
  sanitizeTerminal,
  verdictDetails,
  verdictJson,
  verdictLine,
  verifyCapture,
  type Expectation,
  type JunitCase,
} from "../../src/index.js";

interface VerifyFlags {
  junit?: string;
  json?: boolean;
  expect?: string;
  failOn: "error" | "warning";
  verbose?: boolean;
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

/**
 * CI batch mode: many captures, one line each, optional JUnit XML. Without --expect a capture fails on a rule
 * finding at --fail-on severity; with it, on any difference from the product the expectations file describes.
 */
export function verifyCommand(io: Io, setExit: (code: number) => void): Command {
  return new Command("verify")
    .description("check many captures for CI: one line per file, JUnit XML with --junit, --expect a product")
    .argument("<files...>", "captures to check")
    .option(
      "--expect <product.json>",
      "check each capture's device against this expectations file (usbscope expect writes one)",
    )
    .addOption(
      new Option("--fail-on <severity>", "the lowest finding severity that fails a capture")
        .choices(["error", "warning"])
        .default("error"),
    )
    .option("--junit <path>", "write JUnit XML to this file")
    .option("--json", "one JSON line per file (NDJSON)")
    .option("--verbose", "every difference under a failing capture's line, not only the first")
    .action(async (files: string[], opts: VerifyFlags) => {
      let expectation: Expectation | undefined;
      if (opts.expect) {
        try {
          expectation = loadExpectation(opts.expect);
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          io.err(`usbscope: ${e.message}\n`);
          setExit(EXIT_USAGE);
          return;
        }
      }
      const start = performance.now();
      const cases: JunitCase[] = [];
      const counts = { passed: 0, failed: 0, errors: 0 };
      let worst = EXIT_OK;
      const inputError = (file: string, message: string, seconds: number) => {
        cases.push({ file, error: message, seconds });
        counts.errors++;
        worst = Math.max(worst, EXIT_USAGE);
        io.out(
          opts.json ? jsonText({ file, error: message }) + "\n" : `ERROR ${sanitizeTerminal(message)}\n`,
        );
      };
      for (const file of files) {
        const t0 = performance.now();
        try {
          const { source, name } = await openInput(file, io);
          // Verdicts only: no control transfer list is needed (JUnit lists findings).
          const result = await analyzeSource(source, name, { keepControlTransfers: false });
          await source.close();
          const seconds = (performance.now() - t0) / 1000;
          const problem = inputProblem(result);
          if (problem) {
            inputError(file, problem, seconds);
            continue;
          }
          if (expectation) {
            const verdict = verifyCapture(result, expectation, { failOn: opts.failOn });
            if (opts.junit) cases.push({ file, verdict, seconds });
            counts[verdict.ok ? "passed" : "failed"]++;
            if (!verdict.ok) worst = Math.max(worst, EXIT_FINDINGS);
            io.out(
              opts.json
                ? jsonText(verdictJson(file, verdict)) + "\n"
                : verdictLine(file, verdict) + "\n" + (opts.verbose ? verdictDetails(verdict) : ""),
            );
            continue;
          }
          // Only JUnit needs the results once their line is printed: without --junit none is kept.
          if (opts.junit) cases.push({ file, result, seconds });
          const c = result.findings.countBySeverity;
          const failed = c.error > 0 || (opts.failOn === "warning" && c.warning > 0);
          counts[failed ? "failed" : "passed"]++;
          if (failed) worst = Math.max(worst, EXIT_FINDINGS);
          const rules = [...result.findings.countByRule.entries()].map(([r, n]) => `${r}×${n}`).join(" ");
          io.out(
            opts.json
              ? jsonText({
                  file,
                  ok: !failed,
                  errors: c.error,
                  warnings: c.warning,
                  infos: c.info,
                  records: result.capture.records,
                  rules: Object.fromEntries(result.findings.countByRule),
                }) + "\n"
              : `${failed ? "FAIL " : "ok   "} ${sanitizeTerminal(file)}: ${c.error} errors, ${c.warning} warnings, ${c.info} info${rules ? `  (${rules})` : ""}\n`,
          );
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          inputError(file, e.message, (performance.now() - t0) / 1000);
        }
      }
      if (opts.junit) writeFileSync(opts.junit, junitXml(cases));
      const seconds = (performance.now() - start) / 1000;
      const total = counts.passed + counts.failed + counts.errors;
      if (!opts.json)
        io.out(
          `${total} capture${total === 1 ? "" : "s"}: ${counts.passed} passed, ${counts.failed} failed, ${counts.errors} unreadable in ${seconds.toFixed(2)} s\n`,
        );
      // An unreadable file in a batch is the batch's failure, not a usage error of the command.
      setExit(worst === EXIT_USAGE ? EXIT_FINDINGS : worst);
    });
}
