import { Command, InvalidArgumentError, Option } from "commander";
import { analyzeSource, type AnalysisResult } from "../../src/analyze.js";
import { analysisJson } from "../../src/report/json.js";
import { analysisText } from "../../src/report/text.js";
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, InputError, openInput, type Io } from "../io.js";

/** Exit status for an analysis: 2 when nothing could be read, 1 on any error finding. */
export function exitCodeFor(r: AnalysisResult): number {
  if (r.capture.error && r.capture.records === 0 && r.urbEvents === 0 && r.capture.error.offset === 0) return EXIT_USAGE;
  return r.findings.countBySeverity.error > 0 ? EXIT_FINDINGS : EXIT_OK;
}

/** Unknown format or an empty input: a usage/input error, not a finding. */
export function inputProblem(r: AnalysisResult): string | undefined {
  if (r.capture.bytes === 0) return `${r.file}: empty input`;
  if (r.capture.error && r.capture.error.offset === 0 && r.capture.records === 0) return `${r.file}: ${r.capture.error.message}`;
  return undefined;
}

export function analyzeCommand(io: Io, setExit: (code: number) => void): Command {
  return new Command("analyze")
    .description("decode a capture and report what the device and host did wrong")
    .argument("<file>", "pcap, pcapng or usbmon text capture; - reads stdin")
    .option("--json", "print the JSON document (DESIGN.md contract)")
    .addOption(new Option("--max-findings <n>", "findings listed per rule (all are counted)").default(1000).argParser((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("a whole number");
      return n;
    }))
    .action(async (file: string, opts: { json?: boolean; maxFindings: number }) => {
      try {
        const { source, name } = await openInput(file, io);
        const r = await analyzeSource(source, name, { maxFindingsPerRule: opts.maxFindings });
        await source.close();
        const problem = inputProblem(r);
        if (problem) {
          io.err(`usbscope: ${problem}\n`);
          setExit(EXIT_USAGE);
          return;
        }
        io.out(opts.json ? JSON.stringify(analysisJson(r), null, 2) + "\n" : analysisText(r));
        setExit(exitCodeFor(r));
      } catch (e) {
        if (e instanceof InputError) {
          io.err(`usbscope: ${e.message}\n`);
          setExit(EXIT_USAGE);
          return;
        }
        throw e;
      }
    });
}
