import { open as openFile } from "node:fs/promises";
import path from "node:path";
import { Command } from "commander";
import { EXIT_OK, EXIT_USAGE, InputError, openInput, readErrorMessage, shownName, type Io } from "../io.js";
import { filterErrorText, reportNeverMatched, withFilterOptions, type FilterFlags } from "./filterOptions.js";
import {
  compileFilterOptions,
  exportCapture,
  ExportError,
  FilterError,
  type ExportResult,
} from "../../src/index.js";

/** `usbscope export FILE -o OUT`: what the filter selects, as pcapng with findings as comments. */
export function exportCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command("export")
    .description(
      "write the records a filter selects as pcapng (original link type, time, interface), usbscope's findings as comments on the records they concern",
    )
    .argument("<file>", "pcap or pcapng capture (read three times: not stdin)")
    .requiredOption("-o, --output <out>", "the pcapng file to write; - writes to stdout")
    .option(
      "--no-whole",
      "only the records selected, not the rest of their transactions, control transfers and URBs",
    );
  withFilterOptions(cmd, "records");
  return cmd.action(async (file: string, opts: FilterFlags & { output: string; whole: boolean }) => {
    const fail = (message: string) => {
      io.err(`usbscope: ${message}\n`);
      setExit(EXIT_USAGE);
    };
    if (file === "-") return fail("export reads the capture three times: give a file, not stdin");
    if (opts.output !== "-" && path.resolve(opts.output) === path.resolve(file))
      return fail("export would overwrite the capture it reads: give another -o");
    if (opts.output === "-" && !io.outBytes) return fail("-o - needs a binary stdout");
    try {
      compileFilterOptions(opts);
    } catch (e) {
      if (!(e instanceof FilterError)) throw e;
      io.err(filterErrorText(e));
      setExit(EXIT_USAGE);
      return;
    }
    let out: Awaited<ReturnType<typeof openFile>> | undefined;
    let result: ExportResult;
    try {
      // Opened before reading: a wrong -o fails at once, not after the analysis.
      if (opts.output !== "-") out = await openFile(opts.output, "w");
      const write = out
        ? async (chunk: Uint8Array) => void (await out!.write(chunk))
        : async (chunk: Uint8Array) => {
            io.outBytes!(chunk);
            await io.drain?.();
          };
      result = await exportCapture(async () => (await openInput(file, io)).source, file, {
        makeFilter: (facts) => compileFilterOptions(opts, facts),
        whole: opts.whole,
        write,
        application: "usbscope 0.1.0 export",
      });
    } catch (e) {
      if (e instanceof InputError || e instanceof ExportError)
        return fail(`${shownName(file)}: ${e.message}`);
      const code = (e as NodeJS.ErrnoException).code;
      if (typeof code === "string")
        return fail(readErrorMessage(opts.output, e).replace(/^cannot read/, "cannot write"));
      throw e;
    } finally {
      await out?.close();
    }
    if (result.filter && result.written === 0) {
      const seen = new Uint8Array(128);
      seen.fill(1);
      reportNeverMatched(result.filter, seen, io);
    }
    const where = opts.output === "-" ? "stdout" : shownName(opts.output);
    io.err(
      `usbscope export: ${result.written} of ${result.read} records to ${where}, ${result.comments} findings as comments${
        result.error ? `; the capture ends in a framing error at byte offset ${result.error.offset}` : ""
      }\n`,
    );
    setExit(EXIT_OK);
  });
}
