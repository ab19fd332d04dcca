import { Command } from "commander";
import { readFileSync } from "node:fs";
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, shownName, type Io } from "../io.js";
import { analyzeInput } from "../analyzeInput.js";
import { parseVidPid } from "./expect.js";
import {
  diffInputs,
  diffJson,
  diffText,
  ExpectationError,
  jsonText,
  parseExpectation,
  type DeviceChoice,
  type DiffInput,
} from "../../src/index.js";

/** An expectations file starts with "{"; no capture format does (pcap and pcapng magics, usbmon text tags). */
function looksLikeJson(file: string): boolean {
  if (file === "-") return false;
  try {
    return readFileSync(file).subarray(0, 64).toString("utf8").trimStart().startsWith("{");
  } catch {
    return false;
  }
}

/** `usbscope diff A B`: the same product in two captures, or an expectations file and a capture. */
export function diffCommand(io: Io, setExit: (code: number) => void): Command {
  return new Command("diff")
    .description(
      "compare a product in two captures (or an expectations file and a capture): descriptors, enumeration timeline, findings",
    )
    .argument("<a>", "the good side: a capture or an expectations file")
    .argument("<b>", "the side to explain: a capture or an expectations file; - reads stdin")
    .option("--device <vid:pid>", "the product, when a capture holds several devices (hex)", parseVidPid)
    .option("--json", "the differences as one JSON document")
    .action(async (a: string, b: string, opts: { device?: DeviceChoice; json?: boolean }) => {
      const load = async (file: string): Promise<DiffInput | undefined> => {
        if (looksLikeJson(file)) {
          try {
            return { name: file, expectation: parseExpectation(readFileSync(file, "utf8")) };
          } catch (e) {
            if (!(e instanceof ExpectationError)) throw e;
            io.err(`usbscope: ${shownName(file)}: ${e.message}\n`);
            setExit(EXIT_USAGE);
            return undefined;
          }
        }
        const result = await analyzeInput(file, io, setExit, { keepControlTransfers: false });
        return result && { name: file, result };
      };
      if (a === "-" && b === "-") {
        io.err("usbscope: diff reads at most one side from stdin\n");
        setExit(EXIT_USAGE);
        return;
      }
      const sa = await load(a);
      if (!sa) return;
      const sb = await load(b);
      if (!sb) return;
      const d = diffInputs(sa, sb, opts.device ?? {});
      if ("problem" in d) {
        io.err(`usbscope: ${d.problem}\n`);
        setExit(EXIT_USAGE);
        return;
      }
      io.out(opts.json ? jsonText(diffJson(a, b, d), 2) + "\n" : diffText(a, b, d));
      // As diff(1): 0 when the two are the same, 1 when they differ.
      setExit(d.same ? EXIT_OK : EXIT_FINDINGS);
    });
}
