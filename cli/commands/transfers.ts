import { Command, InvalidArgumentError, Option } from "commander";
import type { ControlTransfer, Timestamp } from "../../src/model.js";
import { isoTime } from "../../src/time.js";
import { sanitizeTerminal } from "../../src/descriptors/strings.js";
import { renderTransfer } from "../../src/transfers/renderTree.js";
import type { TransferSummary } from "../../src/transfers/transferSummary.js";
import type { Io } from "../io.js";
import { analyzeInput, exitCodeFor } from "../analyzeInput.js";

function hex(b: Uint8Array, max = 32): string {
  const s = Array.from(b.subarray(0, max), (x) => x.toString(16).padStart(2, "0")).join(" ");
  return b.length > max ? `${s} …` : s;
}

/** A URB capture has no transactions: its control transfers are the tree's only level. */
function urbControlLine(ct: ControlTransfer): string {
  const s = ct.setup;
  const dir = s.bmRequestType & 0x80 ? "IN" : "OUT";
  const bus = ct.bus !== undefined ? `${ct.bus}:` : "";
  const status = ct.status === "ok" ? "ok" : `${ct.status}${ct.urbStatus !== undefined ? ` (${ct.urbStatus})` : ""}`;
  const data = ct.data.length ? `: ${hex(ct.data)}` : "";
  return `Control transfer on ${bus}${ct.address}.0 ${dir}: ${ct.request}, ${ct.data.length} data bytes, ${status} [record ${ct.firstPacket}]${data}`;
}

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
        if (opts.json) {
          const out: Record<string, unknown> = { ...t };
          if (opts.depth < 2) delete out.transactions;
          else if (opts.depth < 3) out.transactions = t.transactions.map(({ packets: _p, ...rest }) => rest);
          io.out(JSON.stringify(out) + "\n");
        } else io.out(renderTransfer(t, opts.depth).split("\n").map(sanitizeTerminal).join("\n") + "\n");
      };
      const onControlTransfer = (ct: ControlTransfer) => {
        if (ct.source !== "urb") return;
        if (opts.json) {
          io.out(JSON.stringify({ kind: "control", source: "urb", bus: ct.bus, device: ct.address, endpoint: 0, direction: ct.setup.bmRequestType & 0x80 ? "in" : "out", request: ct.request, setup: ct.setup, dataLength: ct.data.length, outcome: ct.status, urbStatus: ct.urbStatus, firstPacket: ct.firstPacket, lastPacket: ct.lastPacket }) + "\n");
        } else io.out(sanitizeTerminal(urbControlLine(ct)) + "\n");
      };
      // The sniffer's bus events between the transfers, as Packetry lists them (keepalives, one per ms, are not).
      const onBusEvent = (e: { index: number; time: Timestamp; event: string }) => {
        if (opts.json) io.out(JSON.stringify({ kind: "event", event: e.event, index: e.index, time: isoTime(e.time) }) + "\n");
        else io.out(`Bus event: ${e.event} [record ${e.index}]\n`);
      };
      const r = await analyzeInput(file, io, setExit, { onTransfer, onControlTransfer, onBusEvent, keepControlTransfers: false });
      if (!r) return;
      if (!raw && r.controlTransferCount === 0 && !opts.json) io.out("no transfers in this capture\n");
      setExit(exitCodeFor(r));
    });
}
