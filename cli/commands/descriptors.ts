import { Command } from "commander";
import { analyzeSource } from "../../src/analyze.js";
import { renderDevice } from "../../src/descriptors/render.js";
import { findingJson } from "../../src/report/json.js";
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, InputError, openInput, type Io } from "../io.js";
import { inputProblem } from "./analyze.js";

/** `usbscope descriptors FILE`: every device's descriptors as an lsusb -v style tree, findings inline. */
export function descriptorsCommand(io: Io, setExit: (code: number) => void): Command {
  return new Command("descriptors")
    .description("print each device's descriptors as a tree (lsusb -v style) with findings next to their fields")
    .argument("<file>", "pcap, pcapng or usbmon text capture; - reads stdin")
    .option("--json", "devices, descriptors and descriptor findings as JSON (stable field order)")
    .action(async (file: string, opts: { json?: boolean }) => {
      try {
        const { source, name } = await openInput(file, io);
        const r = await analyzeSource(source, name);
        await source.close();
        const problem = inputProblem(r);
        if (problem) {
          io.err(`usbscope: ${problem}\n`);
          setExit(EXIT_USAGE);
          return;
        }
        const d = r.descriptors;
        if (opts.json) {
          const devices = d.devices.map((dev, i) => ({ ...dev, findings: d.hitsByDevice[i]!.map((h) => findingJson(h.finding)) }));
          io.out(JSON.stringify({ file: name, devices }, null, 2) + "\n");
        } else if (d.tracked.length === 0) {
          io.out("no device descriptors in this capture\n");
        } else {
          io.out(d.tracked.map((dev, i) => renderDevice(dev, d.hitsByDevice[i])).join("\n"));
        }
        setExit(d.hits.some((h) => h.finding.severity === "error") ? EXIT_FINDINGS : EXIT_OK);
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
