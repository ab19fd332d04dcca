import { Command } from "commander";
import { writeFileSync } from "node:fs";
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, InputError, openInput, type Io } from "../io.js";
import { inputProblem } from "../analyzeInput.js";
import { analyzeSource, jsonText, junitXml, type JunitCase, sanitizeTerminal } from "../../src/index.js";

/** CI batch mode: many captures, one line each, optional JUnit XML; exit 1 if any has an error finding. */
export function verifyCommand(io: Io, setExit: (code: number) => void): Command {
  return new Command("verify")
    .description("check many captures for CI: one line per file, JUnit XML with --junit")
    .argument("<files...>", "captures to check")
    .option("--junit <path>", "write JUnit XML to this file")
    .option("--json", "one JSON line per file (NDJSON)")
    .action(async (files: string[], opts: { junit?: string; json?: boolean }) => {
      const cases: JunitCase[] = [];
      let worst = EXIT_OK;
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
            cases.push({ file, error: problem, seconds });
            worst = Math.max(worst, EXIT_USAGE);
            io.out(
              opts.json
                ? jsonText({ file, error: problem }) + "\n"
                : `ERROR ${sanitizeTerminal(file)}: ${sanitizeTerminal(problem)}\n`,
            );
            continue;
          }
          // Only JUnit needs the results once their line is printed: without --junit none is kept.
          if (opts.junit) cases.push({ file, result, seconds });
          const c = result.findings.countBySeverity;
          if (c.error > 0) worst = Math.max(worst, EXIT_FINDINGS);
          const rules = [...result.findings.countByRule.entries()].map(([r, n]) => `${r}×${n}`).join(" ");
          io.out(
            opts.json
              ? jsonText({
                  file,
                  errors: c.error,
                  warnings: c.warning,
                  infos: c.info,
                  records: result.capture.records,
                  rules: Object.fromEntries(result.findings.countByRule),
                }) + "\n"
              : `${c.error > 0 ? "FAIL " : "ok   "} ${sanitizeTerminal(file)}: ${c.error} errors, ${c.warning} warnings, ${c.info} info${rules ? `  (${rules})` : ""}\n`,
          );
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          cases.push({ file, error: e.message, seconds: (performance.now() - t0) / 1000 });
          worst = Math.max(worst, EXIT_USAGE);
          io.out(
            opts.json
              ? jsonText({ file, error: e.message }) + "\n"
              : `ERROR ${sanitizeTerminal(e.message)}\n`,
          );
        }
      }
      if (opts.junit) writeFileSync(opts.junit, junitXml(cases));
      // An unreadable file in a batch is the batch's failure, not a usage error of the command.
      setExit(worst === EXIT_USAGE ? EXIT_FINDINGS : worst);
    });
}
