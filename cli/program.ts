// The usbscope command line: one file per command, actions return an exit code through setExit,
// and only cli/main.ts calls process.exit (STYLE convention 10).
import { Command, CommanderError } from "commander";
import { EXIT_USAGE, type Io } from "./io.js";
import { sanitizeLines } from "../src/index.js";

type CommandFactory = (io: Io, setExit: (code: number) => void) => Command;

/**
 * Every command, in the order `usbscope --help` lists them, each loaded only when needed: a run of one
 * command evaluates that command's module alone, so `analyze` does not load the viewer's HTTP server, the
 * verify worker pool or report's hashing (their Node modules cost more start-up than the analysis of a
 * tiny capture; bench/PERFORMANCE.md "verify and start-up").
 */
const COMMANDS: readonly (readonly [string, () => Promise<CommandFactory>])[] = [
  ["analyze", async () => (await import("./commands/analyze.js")).analyzeCommand],
  ["packets", async () => (await import("./commands/packets.js")).packetsCommand],
  ["transfers", async () => (await import("./commands/transfers.js")).transfersCommand],
  ["descriptors", async () => (await import("./commands/descriptors.js")).descriptorsCommand],
  ["verify", async () => (await import("./commands/verify.js")).verifyCommand],
  ["expect", async () => (await import("./commands/expect.js")).expectCommand],
  ["diff", async () => (await import("./commands/diff.js")).diffCommand],
  ["rules", async () => (await import("./commands/rules.js")).rulesCommand],
  ["view", async () => (await import("./commands/view.js")).viewCommand],
  ["report", async () => (await import("./commands/report.js")).reportCommand],
  ["live", async () => (await import("./commands/live.js")).liveCommand],
  ["filter", async () => (await import("./commands/filter.js")).filterCommand],
  ["export", async () => (await import("./commands/export.js")).exportCommand],
];

/**
 * The program for `argv`: when its first word names a command, only that command is built (what a run of
 * it parses and prints is its own); anything else (no command, --help, help, a misspelt command) gets every
 * command, for the command list and the suggestion.
 */
export async function buildProgram(
  rawIo: Io,
  setExit: (code: number) => void,
  argv: readonly string[] = [],
): Promise<Command> {
  // Everything on stderr can carry what the user typed (a file name, an unknown option): a name can hold an
  // escape sequence (analyze $'\e[31mred'), so each line is made safe for the terminal before it is written.
  // rawIo is the prototype, not spread: processIo's getters (stdin, status) run only when a command uses them.
  const io: Io = Object.create(rawIo, {
    err: { value: (t: string) => rawIo.err(sanitizeLines(t)), enumerable: true },
  }) as Io;
  const program = new Command("usbscope")
    .description(
      "WebAssembly-accelerated USB 2.0 protocol analyzer: what your firmware did wrong, with the spec section",
    )
    .version("0.1.0")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  const named = COMMANDS.filter(([name]) => name === argv[0]);
  const factories = await Promise.all((named.length ? named : COMMANDS).map(([, load]) => load()));
  for (const factory of factories) {
    const cmd = factory(io, setExit);
    cmd.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
    program.addCommand(cmd);
  }
  return program;
}

/** Run usbscope with `argv` (without node and the script); resolves to the exit status. */
export async function run(argv: string[], io: Io): Promise<number> {
  let code = 0;
  const program = await buildProgram(io, (c) => (code = c), argv);
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
