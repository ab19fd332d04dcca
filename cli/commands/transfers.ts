import { Command, InvalidArgumentError, Option } from "commander";
import type { Io } from "../io.js";
import { analyzeInput, exitCodeFor } from "../analyzeInput.js";
import { withBytesOptions, type BytesFlags } from "./bytesOptions.js";
import { prepareFilter, reportNeverMatched, withFilterOptions, type FilterFlags } from "./filterOptions.js";
import { findingFilter, withFindingFilter, type FindingFilterFlags } from "../findingFilter.js";
import {
  busEventJson,
  busEventText,
  dfuSessionsSection,
  jsonText,
  renderTransfer,
  sanitizeTerminal,
  transferJson,
  type BusEventItem,
  type TransferSummary,
} from "../../src/index.js";

/**
 * `usbscope transfers FILE`: the transfer → transaction → packet tree, streamed as transfers end. URB
 * captures list every URB (control, bulk, interrupt, isochronous) as a transfer, repeats folded.
 */
export function transfersCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command("transfers")
    .description("print transfers, their transactions and packets as a tree, in capture order")
    .argument("<file>", "pcap, pcapng or usbmon text capture; - reads stdin")
    .addOption(
      new Option("--depth <n>", "1: transfers, 2: + transactions (URBs: iso packets), 3: + packets")
        .default(2)
        .argParser((v) => {
          if (v !== "1" && v !== "2" && v !== "3") throw new InvalidArgumentError("1, 2 or 3");
          return Number(v) as 1 | 2 | 3;
        }),
    )
    .option("--json", "one JSON object per transfer (NDJSON)")
    .option("--no-fold", "list every URB, also the runs of repeats");
  withFilterOptions(cmd, "transfers");
  withFindingFilter(cmd);
  return withBytesOptions(cmd, "each transfer's payload (each data packet's at --depth 3)").action(
    async (
      file: string,
      opts: BytesFlags &
        FilterFlags &
        FindingFilterFlags & { depth: 1 | 2 | 3; json?: boolean; fold: boolean },
    ) => {
      const filter = await prepareFilter(file, opts, io, setExit);
      if (filter === null) return;
      let any = false;
      const devicesSeen = new Uint8Array(128);
      const bytes = { hex: opts.hex, maxBytes: opts.maxBytes };
      const onTransfer = (t: TransferSummary) => {
        if (filter) {
          if (t.device >= 0) devicesSeen[t.device & 0x7f] = 1;
          if (!filter.transfer(t)) return;
        }
        any = true;
        if (opts.json) io.out(jsonText(transferJson(t, opts.depth, { data: opts.data })) + "\n");
        else io.out(renderTransfer(t, opts.depth, bytes).split("\n").map(sanitizeTerminal).join("\n") + "\n");
      };
      // The sniffer's bus events between the transfers, as Packetry lists them (keepalives, one per ms, are not).
      // With a filter they are left out: they belong to no device or endpoint.
      const onBusEvent = (e: BusEventItem) => {
        if (!filter) io.out((opts.json ? jsonText(busEventJson(e)) : busEventText(e)) + "\n");
      };
      const r = await analyzeInput(file, io, setExit, {
        onTransfer,
        onBusEvent,
        keepControlTransfers: false,
        transferData:
          opts.hex === true || (opts.json === true && opts.data === true) || filter?.needsData === true,
        foldRepeats: opts.fold,
        onFirstTime: (t) => {
          if (filter) filter.env.origin = t;
        },
        // The exit status counts only the findings asked for.
        findingFilter: findingFilter(opts),
      });
      if (!r) return;
      if (filter && !any) reportNeverMatched(filter, devicesSeen, io);
      if (!any && !opts.json)
        io.out(filter ? "no transfers match the filter\n" : "no transfers in this capture\n");
      // The DFU downloads and uploads the transfers made, in words, after them (analyze --json has the objects).
      const sessions = opts.json || filter ? [] : dfuSessionsSection(r);
      if (sessions.length) io.out(sessions.join("\n") + "\n");
      setExit(exitCodeFor(r));
    },
  );
}
