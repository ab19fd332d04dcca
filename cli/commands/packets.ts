import { Command } from "commander";
import { EXIT_OK, EXIT_USAGE, EXIT_FINDINGS, InputError, openInput, shownName, type Io } from "../io.js";
import { withBytesOptions, type BytesFlags } from "./bytesOptions.js";
import { prepareFilter, reportNeverMatched, withFilterOptions, type FilterFlags } from "./filterOptions.js";
import { readCapture, PacketLines } from "../../src/index.js";

/**
 * `usbscope packets FILE`: one line per record. Raw captures: one per packet; URB captures (usbmon
 * binary and text, USBPcap): one per URB event (S, C, E).
 */
export function packetsCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command("packets")
    .description(
      "print one line per record: a packet (PID, address.endpoint or frame, length, status) or a URB event (S/C/E, bus.device.endpoint, direction, type, status, length)",
    )
    .argument("<file>", "pcap, pcapng or usbmon text capture; - reads stdin")
    .option("--json", "one JSON object per record (NDJSON)");
  withFilterOptions(cmd, "records");
  return withBytesOptions(cmd, "each record's bytes (a URB's payload)").action(
    async (file: string, opts: BytesFlags & FilterFlags & { json?: boolean }) => {
      try {
        const filter = await prepareFilter(file, opts, io, setExit);
        if (filter === null) return;
        const { source, name } = await openInput(file, io);
        const lines = new PacketLines((t) => io.out(t), {
          json: opts.json,
          hex: opts.hex,
          maxBytes: opts.maxBytes,
          data: opts.data,
          filter,
        });
        const info = await readCapture(source, [lines], {
          onFormat: (_format, bigEndian) => lines.setByteOrder(bigEndian),
          text: lines.textSink(),
        });
        await source.close();
        if (filter && lines.selected === 0 && info.bytes > 0)
          reportNeverMatched(filter, lines.devicesSeen, io);
        if (info.bytes === 0) {
          io.err(`usbscope: ${shownName(name)}: empty input\n`);
          setExit(EXIT_USAGE);
        } else if (info.error) {
          const unknown = info.records === 0 && info.error.offset === 0;
          io.err(
            unknown
              ? `usbscope: ${shownName(name)}: ${info.error.message}\n`
              : `usbscope: ${shownName(name)}: ${info.error.message} at byte offset ${info.error.offset} (after ${info.records} records)\n`,
          );
          setExit(unknown ? EXIT_USAGE : EXIT_FINDINGS);
        } else setExit(EXIT_OK);
      } catch (e) {
        if (e instanceof InputError) {
          io.err(`usbscope: ${e.message}\n`);
          setExit(EXIT_USAGE);
          return;
        }
        throw e;
      }
    },
  );
}
