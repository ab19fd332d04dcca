import { Command } from "commander";
import { EXIT_OK, textLayout, type Io } from "../io.js";
import { allRules, jsonText, SOURCE_TAGS, wrap } from "../../src/index.js";

const SEV = { error: "E", warning: "W", info: "I" } as const;

/** `usbscope rules`: every check with its ID, severity, layer and source; `--sources`: what the source tags mean. */
export function rulesCommand(io: Io, setExit: (code: number) => void): Command {
  return new Command("rules")
    .description("list every rule: ID, the severities it reports with, layer, what it checks and its source")
    .option("--json", "as a JSON array")
    .option("--sources", "what the source tags in brackets (K-CFG, AXL-T, ELL TD9.8...) stand for")
    .action((opts: { json?: boolean; sources?: boolean }) => {
      if (opts.sources) {
        if (opts.json) io.out(jsonText(SOURCE_TAGS, 2) + "\n");
        else {
          const width = Math.max(...SOURCE_TAGS.map((s) => s.tag.length));
          const layout = textLayout(io);
          for (const s of SOURCE_TAGS)
            io.out(wrap(`${s.tag.padEnd(width)}  `, `${s.what}: ${s.where}`, layout.width).join("\n") + "\n");
        }
        setExit(EXIT_OK);
        return;
      }
      const rules = allRules();
      if (opts.json) io.out(jsonText(rules, 2) + "\n");
      else
        for (const r of rules)
          io.out(
            `${r.id.padEnd(26)} ${r.severities
              .map((s) => SEV[s])
              .join("/")
              .padEnd(5)}  ${r.layer.padEnd(10)} ${r.title}  [${r.spec}]\n`,
          );
      setExit(EXIT_OK);
    });
}
