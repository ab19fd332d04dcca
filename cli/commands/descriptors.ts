import { Command } from "commander";
import { EXIT_FINDINGS, EXIT_OK, type Io } from "../io.js";
import { analyzeInput } from "../analyzeInput.js";
import { parseVidPid } from "./expect.js";
import { descriptorsDocument, jsonText, renderDevice, type DeviceChoice } from "../../src/index.js";

/** `usbscope descriptors FILE`: every device's descriptors as an lsusb -v style tree, findings inline. */
export function descriptorsCommand(io: Io, setExit: (code: number) => void): Command {
  return new Command("descriptors")
    .description(
      "print each device's descriptors as a tree (lsusb -v style) with findings next to their fields",
    )
    .argument("<file>", "pcap, pcapng or usbmon text capture; - reads stdin")
    .option("--json", "devices, descriptors and descriptor findings as JSON (stable field order)")
    .option("--device <vid:pid>", "only the device with this idVendor:idProduct (hex)", parseVidPid)
    .action(async (file: string, opts: { json?: boolean; device?: DeviceChoice }) => {
      const r = await analyzeInput(file, io, setExit);
      if (!r) return;
      let d = r.descriptors;
      if (opts.device) {
        // parseVidPid sets both.
        const vid = opts.device.idVendor!;
        const pid = opts.device.idProduct!;
        const keep = d.tracked.map(
          (dev) => dev.device?.descriptor.idVendor === vid && dev.device?.descriptor.idProduct === pid,
        );
        d = {
          ...d,
          devices: d.devices.filter((_, i) => keep[i]),
          diagnoses: d.diagnoses.filter((_, i) => keep[i]),
          tracked: d.tracked.filter((_, i) => keep[i]),
          hitsByDevice: d.hitsByDevice.filter((_, i) => keep[i]),
        };
        d.hits = d.hitsByDevice.flat();
        if (d.tracked.length === 0) {
          const vp = `${vid.toString(16).padStart(4, "0")}:${pid.toString(16).padStart(4, "0")}`;
          io.err(`usbscope: no device ${vp} (by its device descriptor) in this capture\n`);
        }
      }
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
