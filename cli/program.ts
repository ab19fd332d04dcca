// The usbscope command line: one file per command, actions return an exit code through setExit,
// and only cli/main.ts calls process.exit (STYLE convention 10).
import { Command, CommanderError } from "commander";
import { analyzeCommand } from "./commands/analyze.js";
import { packetsCommand } from "./commands/packets.js";
import { verifyCommand } from "./commands/verify.js";
import { expectCommand } from "./commands/expect.js";
import { diffCommand } from "./commands/diff.js";
import { descriptorsCommand } from "./commands/descriptors.js";
import { transfersCommand } from "./commands/transfers.js";
import { rulesCommand } from "./commands/rules.js";
import { viewCommand } from "./commands/view.js";
import { reportCommand } from "./commands/report.js";
import { liveCommand } from "./commands/live.js";
import { filterCommand } from "./commands/filter.js";
import { exportCommand } from "./commands/export.js";
import { EXIT_USAGE, type Io } from "./io.js";
import { sanitizeLines } from "../src/index.js";

export function buildProgram(rawIo: Io, setExit: (code: number) => void): Command {
  // Everything on stderr can carry what the user typed (a file name, an unknown option): a name can hold an
  // escape sequence (analyze $'\e[31mred'), so each line is made safe for the terminal before it is written.
  const io: Io = { ...rawIo, err: (t) => rawIo.err(sanitizeLines(t)) };
  const program = new Command("usbscope")
    .description(
      "WebAssembly-accelerated USB 2.0 protocol analyzer: what your firmware did wrong, with the spec section",
    )
    .version("0.1.0")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  for (const cmd of [
    analyzeCommand(io, setExit),
    packetsCommand(io, setExit),
    transfersCommand(io, setExit),
    descriptorsCommand(io, setExit),
    verifyCommand(io, setExit),
    expectCommand(io, setExit),
    diffCommand(io, setExit),
    rulesCommand(io, setExit),
    viewCommand(io, setExit),
    reportCommand(io, setExit),
    liveCommand(io, setExit),
    filterCommand(io, setExit),
    exportCommand(io, setExit),
  ]) {
    cmd.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
    program.addCommand(cmd);
  }
  return program;
}

/** Run usbscope with `argv` (without node and the script); resolves to the exit status. */
export async function run(argv: string[], io: Io): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; anything else commander rejects is a usage error.
      return e.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    throw e;
  }
  return code;
}
