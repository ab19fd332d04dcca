// The real executable, as a shell runs it: large output through a pipe arrives whole, exit codes hold.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { publicDir, repoRoot } from "../helpers/paths.js";

const BIN = path.join(repoRoot, "dist/cli/main.js");

describe("dist/cli/main.js", () => {
  it("pipes a report larger than a pipe buffer in full before exiting", () => {
    const r = spawnSync(
      "node",
      [BIN, "analyze", "--json", path.join(publicDir, "real/text-usbmon-film-scanner-fw-update.mon")],
      { encoding: "utf8", maxBuffer: 1 << 28 },
    );
    expect(r.stdout.length).toBeGreaterThan(1 << 20);
    const doc = JSON.parse(r.stdout);
    expect(doc.format).toBe("usbmon-text");
    expect(r.status).toBe(doc.summary.errors > 0 ? 1 : 0);
  });
  it("prints one packets line per record through a pipe", () => {
    const r = spawnSync(
      "node",
      [BIN, "packets", path.join(publicDir, "real/288-iphone-address-reuse.pcap")],
      { encoding: "utf8", maxBuffer: 1 << 28 },
    );
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(8674);
  });
  it("exits 2 with a one-line message on a missing file", () => {
    const r = spawnSync("node", [BIN, "analyze", "/nonexistent.pcap"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("usbscope: cannot read /nonexistent.pcap: no such file\n");
  });
});
