import { Command, InvalidArgumentError, Option } from "commander";
import { EXIT_USAGE, readErrorMessage, type Io } from "../io.js";
import {
  describeUsbmonError,
  nodeUsbmonFs,
  USBMON_DIR,
  usbmonFile,
  type UsbmonFs,
  liveFileSource,
  liveStreamSource,
  nodeOpen,
  type LiveSource,
  type OpenFile,
  LiveSession,
} from "../../src/index.js";

/** What the command touches outside itself, injectable for tests. */
export interface LiveDeps {
  open?: OpenFile;
  fs?: UsbmonFs;
  /** Where SIGINT and SIGTERM come from (default: the process). */
  signals?: Pick<NodeJS.EventEmitter, "once" | "removeListener">;
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

export function liveCommand(io: Io, setExit: (code: number) => void, deps: LiveDeps = {}): Command {
  return new Command("live")
    .description(
      "watch USB traffic as it happens: each enumeration and finding when it is made, a summary on Ctrl-C",
    )
    .argument(
      "[input]",
      "usbmon text or pcap/pcapng stream: a FIFO or file, - for stdin (tcpdump -U -i usbmon1 -w - | usbscope live -); default: usbmon in debugfs",
    )
    .addOption(
      new Option("--bus <n>", "usbmon bus to read (0: all buses)").argParser((v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0 || n > 255)
          throw new InvalidArgumentError("a bus number (0 for all buses)");
        return n;
      }),
    )
    .option("--json", "print NDJSON events: device, finding, summary")
    .addOption(new Option("--usbmon-dir <dir>", "usbmon directory in debugfs").default(USBMON_DIR).hideHelp())
    .action(async (input: string | undefined, opts: { bus?: number; json?: boolean; usbmonDir: string }) => {
      if (input !== undefined && opts.bus !== undefined) {
        io.err("usbscope: --bus selects a usbmon bus; it cannot be used with an input file or stdin\n");
        setExit(EXIT_USAGE);
        return;
      }
      const session = new LiveSession({ out: io.out, json: opts.json });
      const signals = deps.signals ?? process;
      const handlers = SIGNALS.map((sig) => {
        const h = () => session.stop(sig);
        signals.once(sig, h);
        return [sig, h] as const;
      });
      try {
        const name = input ?? usbmonFile(opts.usbmonDir, opts.bus ?? 0);
        let source: LiveSource;
        try {
          source =
            input === "-" ? liveStreamSource(io.stdin) : await liveFileSource(name, deps.open ?? nodeOpen);
        } catch (e) {
          const message =
            input === undefined
              ? await describeUsbmonError(e, name, opts.usbmonDir, deps.fs ?? nodeUsbmonFs)
              : readErrorMessage(name, e);
          io.err(`usbscope: ${message}\n`);
          setExit(EXIT_USAGE);
          return;
        }
        if (!opts.json)
          io.err(`usbscope live: reading ${name === "-" ? "stdin" : name}; Ctrl-C for the summary\n`);
        const summary = await session.run(source, name);
        if (summary.format === "unknown" && summary.bytes > 0) {
          io.err(`usbscope: ${name}: not a pcap, pcapng or usbmon text stream\n`);
          setExit(EXIT_USAGE);
          return;
        }
        setExit(summary.exitCode);
      } finally {
        for (const [sig, h] of handlers) signals.removeListener(sig, h);
      }
    });
}
