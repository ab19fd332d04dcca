import { Command, InvalidArgumentError, Option } from "commander";
import type { Io } from "../io.js";
import { analyzeInput, exitCodeFor } from "../analyzeInput.js";
import {
  busEventJson,
  busEventText,
  renderTransfer,
  sanitizeTerminal,
  transferJson,
  urbControlTransferJson,
  urbControlTransferText,
  type BusEventItem,
  type ControlTransfer,
  type TransferSummary,
} from "../../src/index.js";

/** `usbscope transfers FILE`: the transfer → transaction → packet tree, streamed as transfers end. */
export function transfersCommand(io: Io, setExit: (code: number) => void): Command {
  return new Command("transfers")
    .description("print transfers, their transactions and packets as a tree, in capture order")
    .argument("<file>", "pcap, pcapng or usbmon text capture; - reads stdin")
    .addOption(
      new Option("--depth <n>", "1: transfers, 2: + transactions, 3: + packets").default(2).argParser((v) => {
        if (v !== "1" && v !== "2" && v !== "3") throw new InvalidArgumentError("1, 2 or 3");
        return Number(v) as 1 | 2 | 3;
      }),
    )
    .option("--json", "one JSON object per transfer (NDJSON)")
    .action(async (file: string, opts: { depth: 1 | 2 | 3; json?: boolean }) => {
      let raw = false;
      const onTransfer = (t: TransferSummary) => {
        raw = true;
        if (opts.json) io.out(JSON.stringify(transferJson(t, opts.depth)) + "\n");
        else io.out(renderTransfer(t, opts.depth).split("\n").map(sanitizeTerminal).join("\n") + "\n");
      };
      const onControlTransfer = (ct: ControlTransfer) => {
        if (ct.source !== "urb") return;
        if (opts.json) io.out(JSON.stringify(urbControlTransferJson(ct)) + "\n");
        else io.out(sanitizeTerminal(urbControlTransferText(ct)) + "\n");
      };
      // The sniffer's bus events between the transfers, as Packetry lists them (keepalives, one per ms, are not).
      const onBusEvent = (e: BusEventItem) =>
        io.out((opts.json ? JSON.stringify(busEventJson(e)) : busEventText(e)) + "\n");
      const r = await analyzeInput(file, io, setExit, {
        onTransfer,
        onControlTransfer,
        onBusEvent,
        keepControlTransfers: false,
      });
      if (!r) return;
      if (!raw && r.controlTransferCount === 0 && !opts.json) io.out("no transfers in this capture\n");
      setExit(exitCodeFor(r));
    });
}
