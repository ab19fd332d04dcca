// The CLI as a firmware developer meets it: --min-severity and --rule on analyze, transfers and live; the
// report's width and colour from the terminal (COLUMNS, TTY, NO_COLOR); `rules --sources`; and the input
// errors (a directory, a FIFO, a device node, a link type usbscope does not read): exit 2 and one line.
/* eslint-disable no-control-regex -- the ANSI colour escapes are what some of these tests look for */
import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { run } from "../../cli/program.js";
import type { Io } from "../../cli/io.js";
import { cli } from "../helpers/cli.js";
import { publicDir, repoRoot } from "../helpers/paths.js";
import { PcapWriter } from "../../builder/pcap.js";
import { PcapngWriter } from "../../builder/pcapng.js";
import { MemorySink } from "../../builder/sink.js";
import { BusSim, pcapngInterface } from "../../builder/bus.js";
import { urbCapture } from "../../builder/capture.js";
import { UrbErrno } from "../../builder/urb.js";
import { widgetDevice } from "../helpers/widgetDevice.js";

const BAD_CRCS = path.join(publicDir, "real/288-bad-crcs.pcap");
const DFU_LINUX = path.join(publicDir, "real/220-cdc-msc-dfu-bootloader-linux.pcapng");
const STALL_MON = path.join(repoRoot, "captures/usbmon-config-stall/capture.mon");
const TEXT_ENUM = path.join(publicDir, "real/text-usbmon-film-scanner-enum.usbmon");
const TEXT_BULK_ERR = path.join(publicDir, "real/text-usbmon-film-scanner-bulk-err.mon");

/** Run the CLI with a terminal of our choosing. */
async function term(
  args: string[],
  terminal: Io["terminal"],
): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(args, {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    stdin: Readable.from([]),
    terminal,
  });
  return { code, out, err };
}

const tmp = mkdtempSync(path.join(tmpdir(), "usbscope-presentation-"));
function file(name: string, bytes: Uint8Array): string {
  const p = path.join(tmp, name);
  writeFileSync(p, bytes);
  return p;
}

/**
 * usbmon (64-byte headers): the full configuration read STALLed (CFG_READ_FAIL, an error), 2 bulk IN URBs
 * failed with -71 EPROTO (warnings), 4 killed with -2 ENOENT (info): every severity, and repeats.
 */
function messyCapture(): Uint8Array {
  return urbCapture({ format: "usbmon64", busnum: 1 }, (host) => {
    host.enumerate(widgetDevice, { faults: { configAll: { stall: "data" } } });
    host.idle(1_000_000);
    for (let i = 0; i < 4; i++)
      host.bulkIn(widgetDevice.address, 1, new Uint8Array(0), { status: UrbErrno.ENOENT });
    for (let i = 0; i < 2; i++)
      host.bulkIn(widgetDevice.address, 1, new Uint8Array(0), { status: UrbErrno.EPROTO });
  }).bytes;
}

/** A pcap of LINKTYPE 266 (macOS USB) records: bytes usbscope does not read. */
function darwinCapture(): Uint8Array {
  const m = new MemorySink();
  const w = new PcapWriter(m.sink, { linktype: 266 });
  for (let i = 0; i < 3; i++) w.addPacket({ sec: 1700000000, nsec: i * 1000 }, new Uint8Array(40).fill(i));
  w.close();
  return m.toBytes();
}

/** A pcapng with a full-speed raw interface (a clean enumeration) and a LINKTYPE 266 interface of 4 records. */
function mixedCapture(): Uint8Array {
  const m = new MemorySink();
  const w = new PcapngWriter(m.sink);
  const usb = w.addInterface({ linktype: 294, tsresol: "ns" });
  const other = w.addInterface({ linktype: 266, tsresol: "ns" });
  const sim = new BusSim(pcapngInterface(w, usb), { speed: "full" });
  sim.enumerate(widgetDevice);
  for (let i = 0; i < 4; i++) w.addPacket(other, 1_700_000_001_000_000_000n + BigInt(i), new Uint8Array(40));
  w.close();
  return m.toBytes();
}

describe("--min-severity and --rule", () => {
  it("analyze: only the findings asked for are listed, counted and decide the exit status", async () => {
    const MESSY = file("messy.pcap", messyCapture());
    const full = await cli(["analyze", "--json", MESSY]);
    const doc = JSON.parse(full.out);
    expect(doc.summary.infos).toBeGreaterThan(0);
    expect(doc.summary.warnings).toBeGreaterThan(0);
    const warn = JSON.parse((await cli(["analyze", "--json", "--min-severity", "warning", MESSY])).out);
    expect(warn.summary).toMatchObject({
      errors: doc.summary.errors,
      warnings: doc.summary.warnings,
      infos: 0,
    });
    expect(warn.findings.every((f: { severity: string }) => f.severity !== "info")).toBe(true);
    const text = await cli(["analyze", "--min-severity", "warning", MESSY]);
    expect(text.out).toContain(`findings      1 error, ${doc.summary.warnings} warnings, 0 info`);
    expect(text.out).not.toMatch(/^ {2}info /m);
    // --rule, repeatable, case-insensitive; exit status follows what is selected.
    const crc = await cli(["analyze", "--rule", "crc5", BAD_CRCS]);
    expect(crc.code).toBe(1);
    expect(crc.out).toMatch(/findings {6}3 errors, 0 warnings, 0 info/);
    const none = await cli(["analyze", "--rule", "CRC16", "--rule", "PID_INVALID", BAD_CRCS]);
    expect(none.code).toBe(0);
    expect(none.out).toContain("findings      0 errors, 0 warnings, 0 info");
    const errOnly = await cli(["analyze", "--min-severity", "error", MESSY]);
    expect(errOnly.code).toBe(1);
    expect(errOnly.out).toContain("CFG_READ_FAIL");
    expect(errOnly.out).not.toContain("URB_ERROR");
    // Only info asked for: no error left, exit 0.
    const enoent = await cli(["analyze", "--rule", "URB_ERROR", "--min-severity", "info", TEXT_BULK_ERR]);
    expect(enoent.code).toBe(0);
    expect(enoent.out).toMatch(/^ {2}info +URB_ERROR/m);
  });

  it("rejects an unknown rule or severity with exit 2 and one line", async () => {
    const r = await cli(["analyze", "--rule", "NO_SUCH_RULE", BAD_CRCS]);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toContain("no rule NO_SUCH_RULE (usbscope rules lists them)");
    const s = await cli(["analyze", "--min-severity", "fatal", BAD_CRCS]);
    expect(s.code).toBe(2);
    expect(s.err).toContain("error, warning, info");
  });

  it("transfers: the filter decides the exit status", async () => {
    expect((await cli(["transfers", BAD_CRCS])).code).toBe(1);
    expect((await cli(["transfers", "--rule", "CRC5", BAD_CRCS])).code).toBe(1);
    expect((await cli(["transfers", "--rule", "PID_INVALID", BAD_CRCS])).code).toBe(0);
    expect((await cli(["transfers", "--min-severity", "error", STALL_MON])).code).toBe(1);
  });

  it("live: only the findings asked for are printed and summed", async () => {
    const { bytes } = urbCapture({ format: "text", busnum: 1 }, (host) => {
      host.enumerate(widgetDevice, { faults: { configAll: { stall: "data" } } });
      host.bulkIn(widgetDevice.address, 1, new Uint8Array(0), { status: UrbErrno.ENOENT });
      host.bulkIn(widgetDevice.address, 1, new Uint8Array(0), { status: UrbErrno.EPROTO });
    });
    const all = await cli(["live", "-"], bytes);
    expect(all.out).toMatch(/^ {2}warning +URB_ERROR/m);
    expect(all.out).toMatch(/^ {2}info +URB_ERROR/m);
    const errors = await cli(["live", "--min-severity", "error", "-"], bytes);
    expect(errors.out).toMatch(/^ {2}error +CFG_READ_FAIL/m);
    expect(errors.out).not.toMatch(/^ {2}(warning|info) /m);
    expect(errors.out).toContain("findings      1 error, 0 warnings, 0 info");
    expect(errors.code).toBe(1);
    const info = await cli(["live", "--rule", "URB_ERROR", "--min-severity", "info", "-"], bytes);
    expect(info.out).not.toContain("CFG_READ_FAIL");
    expect(info.out).toMatch(/by rule +URB_ERROR \d+/);
    expect(info.out).toMatch(/^ {2}info +URB_ERROR/m);
    expect(info.code).toBe(0);
  });
});

describe("the report meets the terminal", () => {
  const longest = (s: string) => Math.max(...s.split("\n").map((l) => l.length));
  it("a TTY: its width and colour; NO_COLOR: no colour; COLUMNS wins over the terminal's width", async () => {
    const MESSY = file("messy-tty.pcap", messyCapture());
    const tty = await term(["analyze", MESSY], { isTTY: true, columns: 72, env: {} });
    expect(longest(tty.out.replace(/\u001b\[\d+m/g, ""))).toBeLessThanOrEqual(72);
    expect(tty.out).toContain("\u001b[33mwarning\u001b[0m");
    expect(tty.out).toContain("\u001b[31mFAIL\u001b[0m");
    const noColor = await term(["analyze", MESSY], { isTTY: true, columns: 72, env: { NO_COLOR: "1" } });
    expect(noColor.out).not.toContain("\u001b");
    expect(noColor.out).toBe(tty.out.replace(/\u001b\[\d+m/g, ""));
    const columns = await term(["analyze", DFU_LINUX], { isTTY: true, columns: 72, env: { COLUMNS: "130" } });
    expect(longest(columns.out.replace(/\u001b\[\d+m/g, ""))).toBeLessThanOrEqual(130);
    expect(longest(columns.out.replace(/\u001b\[\d+m/g, ""))).toBeGreaterThan(100);
  });

  it("a pipe: 100 columns (or COLUMNS), never colour", async () => {
    const piped = await term(["analyze", DFU_LINUX], { isTTY: false, env: {} });
    expect(piped.out).not.toContain("\u001b");
    expect(longest(piped.out)).toBeLessThanOrEqual(100);
    expect(longest(piped.out)).toBeGreaterThan(90);
    const narrow = await term(["analyze", DFU_LINUX], { isTTY: false, env: { COLUMNS: "60" } });
    expect(longest(narrow.out)).toBeLessThanOrEqual(60);
    // The JSON never wraps and never has colour.
    const json = await term(["analyze", "--json", DFU_LINUX], { isTTY: true, columns: 40, env: {} });
    expect(json.out).not.toContain("\u001b");
    expect(() => JSON.parse(json.out)).not.toThrow();
  });

  it("usbmon text findings show their time", async () => {
    const r = await cli(["analyze", TEXT_ENUM]);
    expect(r.out).toMatch(/FMT_TEXT_DATA_TRUNC +#5 \+\d+\.\d{6}s dev 2/);
    expect(r.out).toMatch(/URB events +\d+, \d+\.\d{6} s/);
  });

  it("rules --sources explains every tag the rules cite; analyze --help points at nothing the package lacks", async () => {
    const r = await cli(["rules", "--sources"]);
    expect(r.code).toBe(0);
    for (const tag of ["K-CFG", "AXL-T", "MS-D", "ELL", "WS-LL", "K-HUB", "K-MON"])
      expect(r.out).toMatch(new RegExp(`^${tag} +\\S`, "m"));
    expect(r.out).toContain("Linux drivers/usb/core/config.c");
    const help = await cli(["analyze", "--help"]);
    expect(help.out).not.toMatch(/DESIGN\.md|RULES\.md/);
    expect(help.out).toContain("--min-severity");
    expect(help.out).toContain("--rule");
    expect(help.out).toContain("--all");
  });
});

describe("input errors: exit 2 and one line", () => {
  const oneLine = (r: { code: number; out: string; err: string }, what: RegExp) => {
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toMatch(what);
    expect(r.err).not.toContain("internal error");
  };

  it("a directory, for every command that reads a capture", async () => {
    for (const cmd of ["analyze", "packets", "transfers", "descriptors"])
      oneLine(await cli([cmd, tmp]), /is a directory, not a capture file/);
  });

  it("verify goes on past a device node and reports it in the batch", async () => {
    const r = await cli(["verify", "/dev/null", BAD_CRCS]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^ERROR \/dev\/null.*not a capture file/m);
    expect(r.out).toMatch(/^FAIL +.*288-bad-crcs\.pcap/m);
  });

  it("a FIFO does not hang the open: it is refused at once", async () => {
    const fifo = path.join(tmp, "fifo");
    execFileSync("mkfifo", [fifo]);
    oneLine(await cli(["analyze", fifo]), /is a FIFO, not a capture file/);
  });

  it("a device node", async () => {
    oneLine(await cli(["analyze", "/dev/null"]), /\/dev\/null: is a device node, not a capture file/);
  });

  it("a capture of a link type usbscope does not read names the link type", async () => {
    const f = file("darwin.pcap", darwinCapture());
    oneLine(await cli(["analyze", f]), /link type 266 \(USB on macOS \(Darwin\)\) is not one usbscope reads/);
    oneLine(await cli(["transfers", f]), /link type 266/);
  });

  it("a capture mixing a read and an unread link type: an info with the record count, the rest analysed", async () => {
    const f = file("mixed.pcapng", mixedCapture());
    const r = await cli(["analyze", "--json", f]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    const other = doc.findings.filter((x: { rule: string }) => x.rule === "FMT_LINKTYPE_OTHER");
    expect(other).toHaveLength(1);
    expect(other[0]).toMatchObject({ severity: "info" });
    expect(other[0].message).toMatch(/^4 records of link type 266 \(USB on macOS \(Darwin\)\) not analysed/);
    expect(doc.summary).toMatchObject({ errors: 0, warnings: 0, infos: 1 });
    expect(doc.diagnoses.every((d: { ok: boolean }) => d.ok)).toBe(true);
    // A capture of read link types only: silent.
    const m = new MemorySink();
    const w = new PcapngWriter(m.sink);
    const sim = new BusSim(pcapngInterface(w, w.addInterface({ linktype: 294, tsresol: "ns" })), {
      speed: "full",
    });
    sim.enumerate(widgetDevice);
    w.close();
    const clean = JSON.parse((await cli(["analyze", "--json", file("clean.pcapng", m.toBytes())])).out);
    expect(clean.findings).toEqual([]);
  });
});
