import { Command, InvalidArgumentError, Option } from "commander";
import { closeSync, openSync, writeSync } from "node:fs";
import { EXIT_USAGE, paced, readErrorMessage, shownName, textLayout, type Io } from "../io.js";
import { findingFilter, withFindingFilter, type FindingFilterFlags } from "../findingFilter.js";
import {
  describeUsbmonError,
  hostLittleEndian,
  nodeUsbmonFs,
  textFallbackNote,
  USBMON_DEV_DIR,
  USBMON_DIR,
  usbmonDevice,
  usbmonDeviceProblem,
  usbmonFile,
  type UsbmonFs,
  liveFileSource,
  liveStreamSource,
  nodeOpen,
  type LiveSource,
  type OpenFile,
  LiveSession,
  UsbmonPcapngSaver,
} from "../../src/index.js";
import { prepareLiveFilter, withFilterOptions, type FilterFlags } from "./filterOptions.js";

/** What the command touches outside itself, injectable for tests. */
export interface LiveDeps {
  open?: OpenFile;
  fs?: UsbmonFs;
  /** Where SIGINT and SIGTERM come from (default: the process). */
  signals?: Pick<NodeJS.EventEmitter, "once" | "removeListener">;
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** A --save in progress: what it writes, how it ended. */
interface Saving {
  /** What the file holds, in words. */
  what: string;
  /** The write error that stopped the saving (and the session), if any. */
  error?: string;
  /** What was saved, in words, once the session is over. */
  done(): string;
  close(): void;
}

/**
 * Start saving what `source` reads to `file`, or say why not (a message for stderr): the binary usbmon device
 * as pcapng, anything else byte for byte. A write error stops the session: a capture that cannot be kept is
 * not silently watched on.
 */
function startSaving(
  file: string,
  source: LiveSource,
  name: string,
  binary: boolean,
  usbmonText: boolean,
): Saving | string {
  if (binary && !hostLittleEndian())
    return "--save writes a little-endian pcapng; the usbmon headers of this big-endian host would need converting, which usbscope does not do: record with tcpdump -i usbmonN -w FILE";
  let fd: number;
  try {
    fd = openSync(file, "w");
  } catch (e) {
    return `cannot write ${shownName(file)}: ${(e as Error).message}`;
  }
  let bytes = 0;
  const write = (chunk: Uint8Array) => {
    for (let at = 0; at < chunk.length;) at += writeSync(fd, chunk, at);
    bytes += chunk.length;
  };
  const saver = binary ? new UsbmonPcapngSaver(write, name.replace(/^.*\//, "")) : undefined;
  let open = true;
  const saving: Saving = {
    what: saver
      ? "pcapng, LINKTYPE_USB_LINUX_MMAPPED (220), as tcpdump -i usbmonN -w writes"
      : usbmonText
        ? "usbmon text lines as read (usbscope analyze and verify read them; Wireshark does not); the binary device (sudo modprobe usbmon) gives pcapng"
        : "the input byte for byte, as read",
    done() {
      if (!saver) return `${bytes} bytes to ${shownName(file)}`;
      const cut = saver.unfinished
        ? `; the last ${saver.unfinished} bytes, an event cut short, left out`
        : "";
      const broken = saver.broken
        ? "; the stream went out of step (a len_cap no kernel writes) and the rest was not saved"
        : "";
      return `${saver.records} URB events (${bytes} bytes of pcapng) to ${shownName(file)}${cut}${broken}`;
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
  const read = source.read.bind(source);
  source.read = async (into: Uint8Array) => {
    const n = await read(into);
    if (n > 0 && !saving.error) {
      try {
        if (saver) await saver.push(into.subarray(0, n));
        else write(into.subarray(0, n));
      } catch (e) {
        saving.error = `cannot write ${shownName(file)}: ${(e as Error).message}`;
        source.stop();
        return 0;
      }
    }
    return n;
  };
  return saving;
}

export function liveCommand(io: Io, setExit: (code: number) => void, deps: LiveDeps = {}): Command {
  const cmd = new Command("live")
    .description(
      "watch USB traffic as it happens: each enumeration and finding when it is made, a summary on Ctrl-C",
    )
    .argument(
      "[input]",
      "usbmon text or pcap/pcapng stream: a FIFO or file, - for stdin (tcpdump -U -i usbmon1 -w - | usbscope live -); default: the binary usbmon device /dev/usbmonN (every data byte), or the text interface in debugfs when it is missing",
    )
    .addOption(
      new Option("--bus <n>", "usbmon bus to read (0: all buses)").argParser((v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0 || n > 255)
          throw new InvalidArgumentError("a bus number (0 for all buses)");
        return n;
      }),
    )
    .option(
      "--save <file>",
      "also write what is read to FILE: the binary usbmon device as pcapng (LINKTYPE 220), any other input byte for byte",
    )
    .option("--json", "print NDJSON events: device, finding, summary")
    .addOption(new Option("--usbmon-dir <dir>", "usbmon directory in debugfs").default(USBMON_DIR).hideHelp())
    .addOption(
      new Option("--usbmon-dev <dir>", "directory of the usbmonN devices").default(USBMON_DEV_DIR).hideHelp(),
    );
  withFilterOptions(cmd, "findings (and the devices it names)");
  withFindingFilter(cmd);
  return cmd.action(
    async (
      input: string | undefined,
      opts: FilterFlags &
        FindingFilterFlags & {
          bus?: number;
          json?: boolean;
          save?: string;
          usbmonDir: string;
          usbmonDev: string;
        },
    ) => {
      if (input !== undefined && opts.bus !== undefined) {
        io.err("usbscope: --bus selects a usbmon bus; it cannot be used with an input file or stdin\n");
        setExit(EXIT_USAGE);
        return;
      }
      const filter = prepareLiveFilter(opts, io, setExit);
      if (filter === null) return;
      const session = new LiveSession({
        out: io.out,
        json: opts.json,
        filter,
        layout: textLayout(io, Infinity),
        findingFilter: findingFilter(opts),
      });
      const signals = deps.signals ?? process;
      const handlers = SIGNALS.map((sig) => {
        const h = () => session.stop(sig);
        signals.once(sig, h);
        return [sig, h] as const;
      });
      try {
        const open = deps.open ?? nodeOpen;
        let source: LiveSource;
        let name: string;
        let binary = false;
        if (input !== undefined) {
          name = input;
          try {
            source = input === "-" ? liveStreamSource(io.stdin) : await liveFileSource(name, open);
          } catch (e) {
            io.err(`usbscope: ${readErrorMessage(name, e)}\n`);
            setExit(EXIT_USAGE);
            return;
          }
        } else {
          // The binary device keeps every byte; the text interface is the fallback when its node is missing.
          const bus = opts.bus ?? 0;
          const device = usbmonDevice(opts.usbmonDev, bus);
          const textFile = usbmonFile(opts.usbmonDir, bus);
          try {
            source = await liveFileSource(device, open);
            name = device;
            binary = true;
          } catch (e) {
            const problem = usbmonDeviceProblem((e as NodeJS.ErrnoException).code, device);
            if (problem !== undefined) {
              io.err(`usbscope: ${problem}\n`);
              setExit(EXIT_USAGE);
              return;
            }
            try {
              source = await liveFileSource(textFile, open);
              name = textFile;
            } catch (e2) {
              const message = await describeUsbmonError(
                e2,
                textFile,
                opts.usbmonDir,
                deps.fs ?? nodeUsbmonFs,
              );
              io.err(`usbscope: ${message}\n`);
              setExit(EXIT_USAGE);
              return;
            }
            io.err(`usbscope live: ${textFallbackNote(device, textFile)}\n`);
          }
        }
        let save: Saving | undefined;
        if (opts.save !== undefined) {
          const started = startSaving(opts.save, source, name, binary, input === undefined);
          if (typeof started === "string") {
            await source.close();
            io.err(`usbscope: ${started}\n`);
            setExit(EXIT_USAGE);
            return;
          }
          save = started;
        }
        if (!opts.json)
          io.err(
            `usbscope live: reading ${name === "-" ? "stdin" : shownName(name)}${binary ? " (binary usbmon: every data byte)" : ""}; Ctrl-C for the summary\n`,
          );
        if (save && !opts.json) io.err(`usbscope live: saving to ${shownName(opts.save!)}: ${save.what}\n`);
        // Read only as fast as the output drains (Io.drain): a slow terminal or pipe never piles it up.
        let summary;
        try {
          summary = await session.run(
            paced(source, io),
            name,
            binary ? { littleEndian: hostLittleEndian() } : undefined,
          );
        } finally {
          save?.close();
        }
        if (save?.error) {
          io.err(`usbscope: ${save.error}\n`);
          setExit(EXIT_USAGE);
          return;
        }
        if (save && !opts.json) io.err(`usbscope live: saved ${save.done()}\n`);
        if (summary.format === "unknown" && summary.bytes > 0) {
          io.err(`usbscope: ${shownName(name)}: not a pcap, pcapng or usbmon text stream\n`);
          setExit(EXIT_USAGE);
          return;
        }
        setExit(summary.exitCode);
      } finally {
        for (const [sig, h] of handlers) signals.removeListener(sig, h);
      }
    },
  );
}
