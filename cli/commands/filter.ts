import { Command } from "commander";
import { EXIT_OK, EXIT_USAGE, type Io } from "../io.js";
import { compileFilterOptions, FilterError, filterHelp } from "../../src/index.js";
import { filterErrorText } from "./filterOptions.js";

/** `usbscope filter [EXPR]`: the filter language's help; with EXPR, check it (exit 0 when it compiles, 2 with a caret when not). */
export function filterCommand(io: Io, setExit: (code: number) => void): Command {
  return new Command("filter")
    .description(
      "the filter language of --filter (packets, transfers, analyze, live, export); with EXPR, check it",
    )
    .argument("[expr]", "a filter expression to check")
    .addHelpText("after", "\n" + filterHelp() + "\n")
    .action((expr: string | undefined, _opts: unknown, cmd: Command) => {
      if (expr === undefined) {
        io.out(cmd.helpInformation() + "\n" + filterHelp() + "\n");
        setExit(EXIT_OK);
        return;
      }
      try {
        compileFilterOptions({ filter: expr });
        io.out("ok\n");
        setExit(EXIT_OK);
      } catch (e) {
        if (!(e instanceof FilterError)) throw e;
        io.err(filterErrorText(e));
        setExit(EXIT_USAGE);
      }
    });
}
