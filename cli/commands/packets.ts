import { Command } from "commander";
import { EXIT_OK, EXIT_USAGE, EXIT_FINDINGS, InputError, openInput, type Io } from "../io.js";
import { readCapture, PacketLines } from "../../src/index.js";

export function packetsCommand(io: Io, setExit: (code: number) => void): Command {
  return new Command("packets")
    .description("print one line per record: index, time, PID, address.endpoint or frame, length, status")
    .argument("<file>", "pcap or pcapng capture; - reads stdin")
    .option("--json", "one JSON object per record (NDJSON)")
    .action(async (file: string, opts: { json?: boolean }) => {
      try {
        const { source, name } = await openInput(file, io);
        const lines = new PacketLines((t) => io.out(t), !!opts.json);
        const info = await readCapture(source, [lines]);
        await source.close();
        if (info.bytes === 0) {
          io.err(`usbscope: ${name}: empty input\n`);
          setExit(EXIT_USAGE);
        } else if (info.error) {
          io.err(
            `usbscope: ${name}: ${info.error.message} at byte offset ${info.error.offset} (after ${info.records} records)\n`,
          );
          setExit(info.records === 0 && info.error.offset === 0 ? EXIT_USAGE : EXIT_FINDINGS);
        } else setExit(EXIT_OK);
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
