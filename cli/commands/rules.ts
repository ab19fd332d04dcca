import { Command } from "commander";
import { EXIT_OK, type Io } from "../io.js";
import { allRules, jsonText } from "../../src/index.js";

const SEV = { error: "E", warning: "W", info: "I" } as const;

/** `usbscope rules`: every check with its ID, severity, layer and source. */
export function rulesCommand(io: Io, setExit: (code: number) => void): Command {
  return new Command("rules")
    .description("list every rule: ID, severity, layer, what it checks and its source")
    .option("--json", "as a JSON array")
    .action((opts: { json?: boolean }) => {
      const rules = allRules();
      if (opts.json) io.out(jsonText(rules, 2) + "\n");
      else
        for (const r of rules)
          io.out(`${r.id.padEnd(26)} ${SEV[r.severity]}  ${r.layer.padEnd(10)} ${r.title}  [${r.spec}]\n`);
      setExit(EXIT_OK);
    });
}
