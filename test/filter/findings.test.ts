// --filter and the shortcuts on the commands that report findings and devices: analyze and live.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { publicDir } from "../helpers/paths.js";

const DFU = path.join(publicDir, "real/220-cdc-msc-dfu-bootloader-linux.pcapng");
const HACKRF = path.join(publicDir, "real/288-hackrf-restart-enum-failure.pcap");

// The first line of each finding, spaces squeezed (the rule column is as wide as the widest ID listed, so
// the message wraps at a different word: only what comes before it is compared).
const findingLines = (out: string) =>
  out
    .split("\n")
    .filter((l) => /^ {2}(error|warning|info) +[A-Z_0-9]+ /.test(l))
    .map((l) => l.replace(/(?<=\S) +/g, " ").replace(/( dev \d+ ).*$/, "$1"));

describe("analyze --filter", () => {
  it("--device keeps the findings and the device it names, and only those", async () => {
    // --all: one line per finding (the text report groups repeats otherwise).
    const all = await cli(["analyze", "--all", DFU]);
    const mine = findingLines(all.out).filter((l) => / dev 10 /.test(l));
    expect(mine.length).toBeGreaterThan(10);
    expect(findingLines(all.out).length).toBeGreaterThan(mine.length);
    const r = await cli(["analyze", "--all", DFU, "--device", "1209:db42"]);
    expect(findingLines(r.out)).toEqual(mine);
    const devices = r.out
      .slice(r.out.indexOf("Devices"), r.out.indexOf("Findings"))
      .trim()
      .split("\n")
      .slice(1);
    expect(devices).toEqual([expect.stringContaining("device 10 1209:db42")]);
    expect(r.out).toMatch(/^filter: vidpid==1209:db42 \(left out: \d+ findings, 3 devices\)/);
    // The same device by address.
    expect(findingLines((await cli(["analyze", "--all", DFU, "--filter", "dev==10"])).out)).toEqual(mine);
  });

  it("severity and rule select findings; the counts and the exit status follow", async () => {
    const all = await cli(["analyze", "--json", HACKRF]);
    const doc = JSON.parse(all.out);
    expect(doc.findings.map((f: { severity: string }) => f.severity)).toEqual(["info"]);
    const r = await cli(["analyze", "--json", HACKRF, "--filter", "severity>=warning"]);
    const filtered = JSON.parse(r.out);
    expect(filtered.findings).toEqual([]);
    expect(filtered.filter).toEqual({
      expression: "severity>=warning",
      findingsLeftOut: 1,
      devicesLeftOut: 0,
    });
    const rule = JSON.parse(
      (await cli(["analyze", "--json", DFU, "--filter", "rule==FMT_URB_UNPAIRED"])).out,
    );
    expect(rule.findings.length).toBeGreaterThan(0);
    for (const f of rule.findings) expect(f.rule).toBe("FMT_URB_UNPAIRED");
    // An error finding filtered away does not make analyze exit 1.
    const crcs = path.join(publicDir, "real/288-bad-crcs.pcap");
    expect((await cli(["analyze", crcs])).code).toBe(1);
    expect((await cli(["analyze", crcs, "--filter", "!(rule==CRC5)"])).code).toBe(0);
  });

  it("a device not in the capture: said on stderr, nothing listed, exit 0", async () => {
    const r = await cli(["analyze", HACKRF, "--device", "1209:0001"]);
    expect(r.code).toBe(0);
    expect(findingLines(r.out)).toEqual([]);
    expect(r.err).toContain("no device 1209:0001");
  });
});

describe("live --filter", () => {
  it("prints only the findings selected and the devices named", async () => {
    const r = await cli(["live", DFU, "--filter", "dev==10 && rule==CTRL_STALL"]);
    const lines = findingLines(r.out);
    expect(lines.length).toBe(3);
    for (const l of lines) expect(l).toMatch(/^ {2}info CTRL_STALL .* dev 10 /);
    expect(r.out.match(/^ {2}device /gm)).toEqual(["  device "]);
    const all = await cli(["live", DFU]);
    expect(all.out.match(/^ {2}device /gm)!.length).toBe(4);
    expect(findingLines(all.out).some((l) => !/ dev 10 /.test(l))).toBe(true);
  });
  it("a bad filter is a usage error before anything is read", async () => {
    const r = await cli(["live", DFU, "--filter", "dev=="]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/column 6\)/);
    expect(r.out).toBe("");
  });
});
