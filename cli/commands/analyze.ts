import { Command, InvalidArgumentError, Option } from "commander";
import type { Io } from "../io.js";
import { analyzeInput, exitCodeFor } from "../analyzeInput.js";
import { analysisJson, analysisText, jsonText } from "../../src/index.js";

export function analyzeCommand(io: Io, setExit: (code: number) => void): Command {
  return new Command("analyze")
    .description("decode a capture and report what the device and host did wrong")
    .argument("<file>", "pcap, pcapng or usbmon text capture; - reads stdin")
    .option("--json", "print the JSON document (DESIGN.md contract)")
    .addOption(
      new Option("--max-findings <n>", "findings listed per rule (all are counted)")
        .default(1000)
        .argParser((v) => {
          const n = Number(v);
          if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("a whole number");
          return n;
        }),
    )
    .action(async (file: string, opts: { json?: boolean; maxFindings: number }) => {
      const r = await analyzeInput(file, io, setExit, { maxFindingsPerRule: opts.maxFindings });
      if (!r) return;
      io.out(opts.json ? jsonText(analysisJson(r), 2) + "\n" : analysisText(r));
      setExit(exitCodeFor(r));
    });
}
