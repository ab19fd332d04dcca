// Property: whatever the bytes, every command ends with exit status 0, 1 or 2, never an exception,
// and the JSON it prints parses. Seeds are real captures of each input kind, mutated at random.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import path from "node:path";
import { cli } from "../helpers/cli.js";
import { publicDir } from "../helpers/paths.js";

const SEEDS = [
  "real/288-hackrf-lpc4330-dfu-enum.pcap",
  "real/294-fs-cdc-vcp-usbsniffer.pcapng",
  "real/220-elecom-mouse-usbmontools.pcap",
  "real/249-usbpcap-official-sample-digitech.pcap",
  "real/text-usbmon-film-scanner-enum.usbmon",
].map((f) => readFileSync(path.join(publicDir, f)));

const mutated = fc
  .tuple(
    fc.nat(SEEDS.length - 1),
    fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 30,
    }),
    fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
  )
  .map(([seed, edits, cut]) => {
    const src = SEEDS[seed]!;
    const bytes = Uint8Array.from(cut === null ? src : src.subarray(0, Math.floor(cut * src.length)));
    for (const [at, v] of edits) if (bytes.length) bytes[Math.floor(at * bytes.length) % bytes.length] = v;
    return bytes;
  });

describe("any input", () => {
  for (const command of ["analyze", "transfers", "descriptors"]) {
    it(`usbscope ${command} --json ends with 0, 1 or 2 and valid JSON on mutated captures`, async () => {
      await fc.assert(
        fc.asyncProperty(mutated, async (bytes) => {
          const r = await cli([command, "--json", "-"], bytes);
          expect([0, 1, 2]).toContain(r.code);
          if (r.code === 2) expect(r.err.trim().split("\n")).toHaveLength(1);
          else
            for (const doc of command === "transfers" ? r.out.trim().split("\n").filter(Boolean) : [r.out])
              JSON.parse(doc);
        }),
        { numRuns: 60 },
      );
    });
  }
});
