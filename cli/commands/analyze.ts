import { Command, InvalidArgumentError, Option } from "commander";
import { textLayout, type Io } from "../io.js";
import { analyzeInput, exitCodeFor } from "../analyzeInput.js";
import { prepareFilter, reportNeverMatched, withFilterOptions, type FilterFlags } from "./filterOptions.js";
import { analysisJson, analysisText, jsonText, sanitizeTerminal, selectDevices } from "../../src/index.js";
import { findingFilter, withFindingFilter, type FindingFilterFlags } from "../findingFilter.js";

export function analyzeCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command("analyze")
    .description("decode a capture and report what the device and host did wrong")
    .argument("<file>", "pcap, pcapng or usbmon text capture; - reads stdin")
    .option("--json", 'print the JSON document (README "The JSON contract"); it lists every finding')
    .option("--all", "list every finding on its own line (the text report groups repeats)")
    .addOption(
      new Option("--max-findings <n>", "findings listed per rule (all are counted)")
        .default(1000)
        .argParser((v) => {
          const n = Number(v);
          if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("a whole number");
          return n;
        }),
    );
  withFilterOptions(cmd, "findings (and the devices it names)");
  withFindingFilter(cmd);
  return cmd.action(
    async (
      file: string,
      opts: FilterFlags & FindingFilterFlags & { json?: boolean; all?: boolean; maxFindings: number },
    ) => {
      const filter = await prepareFilter(file, opts, io, setExit);
      if (filter === null) return;
      let r = await analyzeInput(file, io, setExit, {
        maxFindingsPerRule: opts.maxFindings,
        findingFilter: findingFilter(opts, filter?.finding),
        onFirstTime: (t) => {
          if (filter) filter.env.origin = t;
        },
      });
      if (!r) return;
      let devicesOut = 0;
      if (filter) {
        const descriptors = selectDevices(r.descriptors, filter);
        devicesOut = descriptors.filteredOut;
        r = { ...r, descriptors };
        const seen = new Uint8Array(128);
        for (const d of r.descriptors.tracked) for (const a of d.addresses) seen[a & 0x7f] = 1;
        if (r.findings.kept.length === 0 && r.descriptors.tracked.length === 0)
          reportNeverMatched(filter, seen, io);
      }
      if (opts.json) {
        const doc = analysisJson(r) as unknown as Record<string, unknown>;
        if (filter)
          doc.filter = {
            expression: filter.text,
            findingsLeftOut: r.findings.filteredOut,
            devicesLeftOut: devicesOut,
          };
        io.out(jsonText(doc, 2) + "\n");
      } else {
        if (filter)
          io.out(
            `filter: ${sanitizeTerminal(filter.text)} (left out: ${r.findings.filteredOut} findings, ${devicesOut} devices)\n`,
          );
        io.out(analysisText(r, { ...textLayout(io), all: opts.all }));
      }
      setExit(exitCodeFor(r));
    },
  );
}
