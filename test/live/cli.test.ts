// `usbscope live` in-process: stdin, replayed files, --json, input errors, a stop before any data.
import { describe, expect, it } from "vitest";
import { EventEmitter } from "node:events";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { Command } from "commander";
import { liveCommand } from "../../cli/commands/live.js";
import { cli } from "../helpers/cli.js";
import {
  MemorySink,
  XferType,
  UrbHost,
  UsbmonPcapWriter,
  UsbmonTextWriter,
  configuration,
  deviceDescriptor,
  endpointDesc,
  interfaceDesc,
  type DeviceModel,
  type UrbSink,
} from "../../builder/index.js";
import { makeFifo } from "./helpers.js";

function model(product: string): DeviceModel {
  return {
    speed: "full",
    address: 3,
    deviceDescriptor: deviceDescriptor({ idVendor: 0x0483, idProduct: 0x5740, iProduct: 2 }),
    configDescriptor: configuration({}, [
      interfaceDesc({}, [endpointDesc({ bEndpointAddress: 0x81, bmAttributes: 2, wMaxPacketSize: 64 })]),
    ]),
    strings: { 2: product },
  };
}

// usbmon text shows 32 data bytes at most, so product strings here stay within 15 characters.
function session(sink: UrbSink, product = "STM32 VCP", stall = false): void {
  const h = new UrbHost(sink, { busnum: 3 });
  h.enumerate(model(product), stall ? { faults: { config9: { stall: "data" } } } : {});
  h.bulkIn(3, 1, Uint8Array.of(0x41));
}

function text(product?: string, stall?: boolean): string {
  const w = new UsbmonTextWriter();
  session(w, product, stall);
  return w.text();
}

describe("usbscope live (in-process)", () => {
  it("reads usbmon text from stdin (-) to its end: device line, summary, exit 0", async () => {
    const r = await cli(["live", "-"], text());
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^ {2}device +bus 3 dev 3 +0483:5740 "STM32 VCP" +full speed +configured in [\d.]+ ms \(\d+ requests\)$/m,
    );
    expect(r.out).toContain("usbscope live: stopped (end of input)");
    expect(r.out).toContain("devices       1 seen, 1 ok, 0 failed");
    expect(r.out).toContain("findings      0 errors, 0 warnings, 0 info");
    expect(r.out).not.toContain("by rule");
    expect(r.err).toContain("reading stdin");
  });

  it("reads a usbmon pcap stream from stdin; an error finding makes the exit status 1", async () => {
    const mem = new MemorySink();
    const w = new UsbmonPcapWriter(mem.sink, { linktype: 220 });
    session(w, "Faulty", true);
    w.close();
    const r = await cli(["live", "-"], mem.toBytes());
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/error +CFG_READ_FAIL /);
    expect(r.out).toMatch(/^ {2}FAIL +bus 3 dev 3 +0483:5740 "Faulty"/m);
    expect(r.out).toMatch(
      /^ {11}configured with errors: the device STALLed GET_DESCRIPTOR\(CONFIGURATION 0\)/m,
    );
    expect(r.out).toMatch(/format +pcap, \d+ bytes/);
  });

  it("a product string with terminal escapes is sanitized in text and kept (JSON-escaped) in --json", async () => {
    const hostile = "Ev\u001b[2J\u0007il\u202e";
    const t = await cli(["live", "-"], text(hostile));
    expect(t.out).toContain(`"Evil"`);
    expect(t.out).not.toContain("\u001b");
    const j = await cli(["live", "--json", "-"], text(hostile));
    const lines = j.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.type)).toEqual(["device", "summary"]);
    expect(lines[0]!.product).toBe(hostile);
    expect(j.out).not.toContain("\u001b");
    expect(j.err).toBe("");
  });

  it("at the end of the input (not a signal), a submission never completed stays a finding", async () => {
    const w = new UsbmonTextWriter();
    const h = new UrbHost(w, { busnum: 3 });
    h.enumerate(model("VCP"));
    h.emit({
      id: 0xffff8880deadbe00n,
      type: "S",
      xferType: XferType.BULK,
      epnum: 0x81,
      devnum: 3,
      status: -115,
      length: 64,
      data: new Uint8Array(0),
    });
    const r = await cli(["live", "-"], w.text());
    expect(r.out).toMatch(/info +FMT_URB_UNPAIRED .*has no completion/);
    expect(r.out).toContain("findings      0 errors, 0 warnings, 1 info");
  });

  it("a control request still waiting for its device when SIGINT comes is not a failure: no findings, exit 0", async () => {
    const w = new UsbmonTextWriter();
    const h = new UrbHost(w, { busnum: 3 });
    h.enumerate(model("VCP"), { stopAfter: "device18" });
    // Drop the last completion: GET_DESCRIPTOR(DEVICE, 18) is in flight.
    const lines = w.text().trimEnd().split("\n").slice(0, -1);
    expect(lines[lines.length - 1]).toMatch(/ S Ci:3:003:0 s 80 06 0100 0000 0012 /);
    const stdin = new PassThrough();
    stdin.write(lines.join("\n") + "\n");
    const signals = new EventEmitter();
    let out = "";
    let code = -1;
    const cmd = liveCommand({ out: (t) => void (out += t), err: () => {}, stdin }, (c) => (code = c), {
      signals,
    });
    const done = new Command("usbscope").addCommand(cmd).parseAsync(["live", "-"], { from: "user" });
    await new Promise((r) => setTimeout(r, 300));
    signals.emit("SIGINT");
    await done;
    expect(out).toContain("usbscope live: stopped (SIGINT)");
    expect(out).toContain("findings      0 errors, 0 warnings, 0 info");
    expect(out).toMatch(
      /^ {2}device +bus 3 dev 3 +0483:5740 +speed unknown +addressed when stopped in [\d.]+ ms \(2 requests\)$/m,
    );
    expect(code).toBe(0);
  });

  it("replays a file to its end", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "usbscope-live-"));
    const file = path.join(dir, "bus3.mon");
    writeFileSync(file, text());
    const r = await cli(["live", "--json", file]);
    expect(r.code).toBe(0);
    const last = JSON.parse(r.out.trim().split("\n").pop()!) as Record<string, unknown>;
    expect(last).toMatchObject({
      type: "summary",
      reason: "end of input",
      format: "usbmon-text",
      devices: 1,
      devicesOk: 1,
      errors: 0,
      exitCode: 0,
    });
  });

  it("a missing input file is an input error, exit 2", async () => {
    const r = await cli(["live", "/nonexistent/usbmon.txt"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe("usbscope: cannot read /nonexistent/usbmon.txt: no such file\n");
  });

  it("a directory as input is an input error, exit 2", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "usbscope-live-"));
    const r = await cli(["live", dir]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`usbscope: cannot read ${dir}: is a directory\n`);
  });

  it("input that is neither pcap, pcapng nor usbmon text is an input error, exit 2", async () => {
    const r = await cli(["live", "-"], "hello, this is not a capture at all\n".repeat(4));
    expect(r.code).toBe(2);
    expect(r.err).toContain("not a pcap, pcapng or usbmon text stream");
  });

  it("SIGINT before any writer opened the FIFO ends at once with an empty summary, exit 0", async () => {
    const fifo = makeFifo();
    const signals = new EventEmitter();
    let out = "";
    let code = -1;
    const cmd = liveCommand(
      { out: (t) => void (out += t), err: () => {}, stdin: Readable.from([]) },
      (c) => (code = c),
      { signals },
    );
    const done = new Command("usbscope").addCommand(cmd).parseAsync(["live", fifo], { from: "user" });
    await new Promise((r) => setTimeout(r, 200));
    expect(out).toBe("");
    signals.emit("SIGINT");
    await done;
    expect(code).toBe(0);
    expect(out).toContain("usbscope live: stopped (SIGINT)");
    expect(out).toContain("devices       0 seen");
    expect(signals.listenerCount("SIGINT") + signals.listenerCount("SIGTERM")).toBe(0);
  });

  it("--save on stdin keeps the input byte for byte, which analyze reads back alike; an unwritable path is exit 2 before reading", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "usbscope-live-save-"));
    const input = text();
    const saved = path.join(dir, "saved.mon");
    const r = await cli(["live", "--save", saved, "-"], input);
    expect(r.code).toBe(0);
    expect(readFileSync(saved, "utf8")).toBe(input);
    expect(r.err).toContain(`saving to ${saved}: the input byte for byte, as read`);
    expect(r.err).toContain(`saved ${Buffer.byteLength(input)} bytes to ${saved}`);
    const again = await cli(["analyze", saved]);
    expect(again.out).toMatch(/0483:5740 "STM32 VCP"/);
    const bad = await cli(["live", "--save", path.join(dir, "no/such/dir/x.pcapng"), "-"], input);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^usbscope: cannot write .*no\/such\/dir\/x\.pcapng: /);
    expect(bad.out).toBe("");
  });
});
