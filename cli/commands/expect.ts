import { Command, InvalidArgumentError } from "commander";
import { EXIT_OK, EXIT_USAGE, type Io } from "../io.js";
import { analyzeInput } from "../analyzeInput.js";
import { expectationOf, expectationText, type DeviceChoice } from "../../src/index.js";

/** "1209:0001" (hex, as lsusb prints it) → VID and PID. */
export function parseVidPid(s: string): DeviceChoice {
  const m = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(s.trim());
  if (!m) throw new InvalidArgumentError(`expected VID:PID in hex, like 1209:0001`);
  return { idVendor: parseInt(m[1]!, 16), idProduct: parseInt(m[2]!, 16) };
}

/** `usbscope expect GOOD_CAPTURE > product.json`: the expectations file of a known-good capture's device. */
export function expectCommand(io: Io, setExit: (code: number) => void): Command {
  return new Command("expect")
    .description(
      "write an expectations file (JSON, on stdout) from a known-good capture, for verify --expect",
    )
    .argument("<file>", "a capture of the product enumerating as it should; - reads stdin")
    .option(
      "--device <vid:pid>",
      "the product, when the capture holds several devices (hex, e.g. 1209:0001)",
      parseVidPid,
    )
    .action(async (file: string, opts: { device?: DeviceChoice }) => {
      const r = await analyzeInput(file, io, setExit, { keepControlTransfers: false });
      if (!r) return;
      const made = expectationOf(r, opts.device ?? {});
      if ("problem" in made) {
        io.err(`usbscope: ${made.problem}\n`);
        setExit(EXIT_USAGE);
        return;
      }
      for (const n of made.notes) io.err(`usbscope: note: ${n}\n`);
      const e = made.expectation;
      const errors = r.findings.countBySeverity.error;
      if (errors > 0) {
        const rules = [...new Set(r.findings.kept.filter((f) => f.severity === "error").map((f) => f.rule))];
        io.err(
          `usbscope: note: the capture has ${errors} error finding${errors === 1 ? "" : "s"} (${rules.join(", ")}): verify fails on them unless tolerances.allowRules lists them with a reason\n`,
        );
      }
      io.out(expectationText(e));
      setExit(EXIT_OK);
    });
}
