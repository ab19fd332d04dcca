import { Command } from "commander";
import { EXIT_FINDINGS, EXIT_OK, type Io } from "../io.js";
import { analyzeInput } from "../analyzeInput.js";
import { descriptorsDocument, jsonText, renderDevice } from "../../src/index.js";

/** `usbscope descriptors FILE`: every device's descriptors as an lsusb -v style tree, findings inline. */
export function descriptorsCommand(io: Io, setExit: (code: number) => void): Command {
  return new Command("descriptors")
    .description(
      "print each device's descriptors as a tree (lsusb -v style) with findings next to their fields",
    )
    .argument("<file>", "pcap, pcapng or usbmon text capture; - reads stdin")
    .option("--json", "devices, descriptors and descriptor findings as JSON (stable field order)")
    .action(async (file: string, opts: { json?: boolean }) => {
      const r = await analyzeInput(file, io, setExit);
      if (!r) return;
      const d = r.descriptors;
      if (opts.json) {
        io.out(jsonText(descriptorsDocument(r.file, d), 2) + "\n");
      } else if (d.tracked.length === 0) {
        io.out("no device descriptors in this capture\n");
      } else {
        io.out(d.tracked.map((dev, i) => renderDevice(dev, d.hitsByDevice[i])).join("\n"));
      }
      setExit(d.hits.some((h) => h.finding.severity === "error") ? EXIT_FINDINGS : EXIT_OK);
    });
}
