// `usbscope live` end to end: the real CLI process reads a FIFO while this test writes usbmon text or a
// usbmon pcap stream into it, line by line or record by record; device and finding lines must show up
// after the write that completes them and with no further input (not when the next line or the end comes),
// SIGINT/SIGTERM print the summary, memory stays flat. How soon is measured in `npm run bench` (the live
// line), never asserted here: a timed test fails on a loaded machine, not on a slow analyzer.
import { afterEach, describe, expect, it } from "vitest";
import type { FileHandle } from "node:fs/promises";
import path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { repoRoot } from "../helpers/paths.js";
import {
  UrbHost,
  UsbmonPcapWriter,
  MemorySink,
  configuration,
  deviceDescriptor,
  encodeUsbmon,
  endpointDesc,
  interfaceDesc,
  usbmonTextLine,
  XferType,
  type DeviceModel,
  type UrbEvent,
} from "../../builder/index.js";
import { LiveProcess, makeFifo, median, openWriter, sleep } from "./helpers.js";

function device(address: number, product: string): DeviceModel {
  return {
    speed: "full",
    address,
    deviceDescriptor: deviceDescriptor({ idVendor: 0x1d50, idProduct: 0x6018, iProduct: 2 }),
    configDescriptor: configuration({}, [
      interfaceDesc({ bInterfaceClass: 3 }, [
        endpointDesc({ bEndpointAddress: 0x81, bmAttributes: 3, wMaxPacketSize: 8, bInterval: 10 }),
      ]),
    ]),
    strings: { 2: product },
  };
}

/** An event whose completion must produce output matching `expect` (text and JSON forms). */
interface Mark {
  index: number;
  text: RegExp;
  json: RegExp;
}

/**
 * A warm-up device at address 5 that enumerates cleanly, then three devices (6, 7, 8) whose
 * GET_DESCRIPTOR(CONFIGURATION, 9) STALLs (CFG_READ_FAIL with its -32 EPIPE, one finding for one cause, and a
 * FAIL device line at SET_CONFIGURATION) and whose interrupt endpoint then fails with -71 EPROTO (URB_ERROR).
 */
function scenario(): { events: UrbEvent[]; warmupEnd: number; marks: Mark[] } {
  const events: UrbEvent[] = [];
  const h = new UrbHost({ event: (e) => events.push(e) }, { busnum: 1 });
  const warm = h.enumerate(device(5, "Warm-up"));
  h.idle(50e6);
  const marks: Mark[] = [];
  for (const addr of [6, 7, 8]) {
    const s = h.enumerate(device(addr, `Faulty ${addr}`), { faults: { config9: { stall: "data" } } });
    marks.push({
      index: s.setConfiguration!.complete,
      text: new RegExp(
        `CFG_READ_FAIL .* dev ${addr} .*-32 EPIPE[^]*FAIL +bus 1 dev ${addr} +1d50:6018 "Faulty ${addr}"`,
      ),
      json: new RegExp(
        `"rule":"CFG_READ_FAIL".*-32 EPIPE.*"device":${addr}[^]*\\{"type":"device","bus":1,"address":${addr},`,
      ),
    });
    h.idle(20e6);
    h.interruptIn(addr, 1, Uint8Array.of(0, 0, 4, 0, 0, 0, 0, 0));
    const bad = h.interruptIn(addr, 1, new Uint8Array(0), { status: -71 });
    marks.push({
      index: bad.complete,
      text: new RegExp(`URB_ERROR .* dev ${addr} .*-71 EPROTO`),
      json: new RegExp(`"rule":"URB_ERROR".*-71 EPROTO.*"device":${addr}`),
    });
    h.idle(50e6);
  }
  // An interrupt URB still in flight when the signal comes: not a finding (see the summary checks).
  h.emit({
    id: 0xffff8880deadbe00n,
    type: "S",
    xferType: XferType.INTERRUPT,
    epnum: 0x81,
    devnum: 5,
    status: -115,
    length: 8,
    data: new Uint8Array(0),
    interval: 8,
  });
  return { events, warmupEnd: warm.setConfiguration!.complete, marks };
}

let proc: LiveProcess | undefined;
let writer: FileHandle | undefined;
afterEach(async () => {
  if (proc && proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill("SIGKILL");
  await writer?.close().catch(() => {});
  proc = undefined;
  writer = undefined;
});

/**
 * Write `pieces` (one per event) from index `from` into the FIFO; before each marked event, pause so everything
 * before it is processed and check its output is not there yet, then write its piece (split in two writes
 * 30 ms apart when `split`) and nothing more until the output shows: it must come from that piece alone.
 * Returns how many marked outputs came.
 */
async function feed(
  p: LiveProcess,
  w: FileHandle,
  pieces: Uint8Array[],
  from: number,
  marks: Mark[],
  json: boolean,
  split: boolean,
): Promise<number> {
  let shown = 0;
  let cursor = from;
  for (const m of marks) {
    if (m.index > cursor) await w.write(Buffer.concat(pieces.slice(cursor, m.index)));
    await sleep(150);
    const re = json ? m.json : m.text;
    const before = p.chunks.length;
    expect(p.stdout, `output for event ${m.index} before its completing piece`).not.toMatch(re);
    let piece = pieces[m.index]!;
    if (split) {
      await w.write(piece.subarray(0, piece.length >> 1));
      await sleep(30);
      piece = piece.subarray(piece.length >> 1);
    }
    await w.write(piece);
    // A hang guard, not a speed bound: nothing else is written until the output comes.
    await p.waitForOutput(re, p.chunks[before]?.at ?? performance.now(), 20_000);
    shown++;
    cursor = m.index + 1;
  }
  if (cursor < pieces.length) await w.write(Buffer.concat(pieces.slice(cursor)));
  return shown;
}

describe("usbscope live on a FIFO", () => {
  it("usbmon text: device and finding lines as soon as the completing line is written, with no further input (6 events), SIGINT prints the summary and exits 1 on error findings", async () => {
    const { events, warmupEnd, marks } = scenario();
    const lines = events.map((e) => Buffer.from(usbmonTextLine(e) + "\n"));
    const fifo = makeFifo();
    proc = new LiveProcess([fifo]);
    writer = await openWriter(fifo);
    // Start-up (node, the WASM core) is not measured: the warm-up device must appear first.
    await writer.write(Buffer.concat(lines.slice(0, warmupEnd + 1)));
    await proc.waitForOutput(
      /device +bus 1 dev 5 +1d50:6018 "Warm-up" .*configured in [\d.]+ ms \(\d+ requests\)/,
      0,
      15_000,
    );
    expect(await feed(proc, writer, lines, warmupEnd + 1, marks, false, false)).toBe(6);
    await sleep(100);
    proc.child.kill("SIGINT");
    const { code } = await proc.exited;
    expect(code).toBe(1);
    const out = proc.stdout;
    expect(out).toContain("usbscope live: stopped (SIGINT)");
    expect(out).toMatch(/URB events +\d+/);
    expect(out).toContain(`devices       4 seen, 1 ok, 3 failed`);
    expect(out).toContain(`findings      3 errors, 3 warnings, 0 info`);
    expect(out).toMatch(/by rule .*CFG_READ_FAIL 3.*URB_ERROR 3/);
    expect(out).not.toContain("FMT_URB_UNPAIRED");
    // Every device line once, before the summary.
    expect(out.match(/^ {2}(device|FAIL) /gm)).toHaveLength(4);
  }, 30_000);

  it("usbmon pcap stream (LINKTYPE 220), records written in halves, --json: NDJSON device and finding events from the completing record alone (6 events), SIGTERM ends with a summary event", async () => {
    const { events, warmupEnd, marks } = scenario();
    // The whole stream once, then cut into the 24-byte file header and one piece per record (16-byte header + usbmon record).
    const mem = new MemorySink();
    const pw = new UsbmonPcapWriter(mem.sink, { linktype: 220 });
    for (const e of events) pw.event(e);
    pw.close();
    const bytes = mem.toBytes();
    const pieces: Uint8Array[] = [];
    let at = 24;
    for (const e of events) {
      const n = 16 + encodeUsbmon(e, true, true).length;
      pieces.push(bytes.subarray(at, at + n));
      at += n;
    }
    expect(at).toBe(bytes.length);
    const fifo = makeFifo();
    proc = new LiveProcess(["--json", fifo]);
    writer = await openWriter(fifo);
    await writer.write(bytes.subarray(0, 24));
    await writer.write(Buffer.concat(pieces.slice(0, warmupEnd + 1)));
    await proc.waitForOutput(
      /\{"type":"device","bus":1,"address":5,.*"product":"Warm-up".*"reached":"configured"/,
      0,
      15_000,
    );
    expect(await feed(proc, writer, pieces, warmupEnd + 1, marks, true, true)).toBe(6);
    await sleep(100);
    proc.child.kill("SIGTERM");
    const { code } = await proc.exited;
    expect(code).toBe(1);
    const objects = proc.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const devices = objects.filter((o) => o.type === "device");
    expect(devices.map((d) => [d.address, d.ok, d.reached])).toEqual([
      [5, true, "configured"],
      [6, false, "configured"],
      [7, false, "configured"],
      [8, false, "configured"],
    ]);
    expect(devices[1]).toMatchObject({
      bus: 1,
      idVendor: 0x1d50,
      idProduct: 0x6018,
      product: "Faulty 6",
      addresses: [0, 6],
      enumerationSeen: true,
    });
    expect(String(devices[1]!.verdict)).toContain("STALLed GET_DESCRIPTOR(CONFIGURATION 0)");
    const findings = objects.filter((o) => o.type === "finding");
    expect(findings.filter((f) => f.rule === "CFG_READ_FAIL").map((f) => f.device)).toEqual([6, 7, 8]);
    expect(findings.filter((f) => f.rule === "URB_ERROR")).toHaveLength(3);
    for (const f of findings)
      expect(Object.keys(f).slice(0, 4)).toEqual(["type", "rule", "severity", "message"]);
    const last = objects[objects.length - 1]!;
    expect(last).toMatchObject({
      type: "summary",
      reason: "SIGTERM",
      format: "pcap",
      records: events.length,
      urbEvents: events.length,
      devices: 4,
      devicesOk: 1,
      devicesFailed: 3,
      errors: 3,
      warnings: 3,
      infos: 0,
      exitCode: 1,
    });
    expect(last.findingsByRule).toEqual({ CFG_READ_FAIL: 3, URB_ERROR: 3 });
  }, 30_000);

  it("stdin (-) from a pipe that stays open: the device line from its line alone, SIGINT still ends with the summary", async () => {
    const { events, warmupEnd } = scenario();
    const lines = events.slice(0, warmupEnd + 1).map((e) => usbmonTextLine(e) + "\n");
    proc = new LiveProcess(["-"], [], "pipe");
    await proc.waitForStderr(/reading stdin/);
    proc.child.stdin!.write(lines.slice(0, -1).join(""));
    await sleep(300);
    const device = /device +bus 1 dev 5 +1d50:6018 "Warm-up"/;
    expect(proc.stdout).not.toMatch(device);
    const t0 = performance.now();
    proc.child.stdin!.write(lines[lines.length - 1]!);
    // The pipe stays open: the line must come from the last line alone (a hang guard, not a speed bound).
    await proc.waitForOutput(device, t0, 20_000);
    proc.child.kill("SIGINT");
    const { code } = await proc.exited;
    expect(code).toBe(0);
    expect(proc.stdout).toContain("usbscope live: stopped (SIGINT)");
    expect(proc.stdout).toContain("devices       1 seen, 1 ok, 0 failed");
  }, 20_000);

  it("memory stays flat: 600k usbmon text lines of interrupt polling with a re-enumeration every 2000 URBs, written as fast as the pipe takes them, run in a 32 MB V8 heap, keep RSS under 150 MB and within 8 MB between the middle and the end", async () => {
    // Built in pieces of ~1000 lines so the test's own memory stays small too.
    const pieces: Buffer[] = [];
    let batch: string[] = [];
    const h = new UrbHost(
      {
        event: (e) => {
          batch.push(usbmonTextLine(e));
          if (batch.length >= 1000) {
            pieces.push(Buffer.from(batch.join("\n") + "\n"));
            batch = [];
          }
        },
      },
      { busnum: 2 },
    );
    const dev = device(9, "Soak");
    const report = Uint8Array.of(0, 0, 4, 0, 0, 0, 0, 0);
    let enumerations = 0;
    let errors = 0;
    for (let n = 0; h.events < 600_000; n++) {
      if (n % 2000 === 0) {
        h.enumerate(dev);
        enumerations++;
      }
      // A -71 every 500 URBs: findings are counted and printed, not kept.
      if (n % 500 === 250) {
        h.interruptIn(9, 1, new Uint8Array(0), { status: -71 });
        errors++;
      } else h.interruptIn(9, 1, report);
      h.idle(1e6);
    }
    if (batch.length) pieces.push(Buffer.from(batch.join("\n") + "\n"));
    const total = pieces.reduce((n, p) => n + p.length, 0);
    const fifo = makeFifo();
    // A heap this small turns a per-event leak (600k events) into a crash, whatever the GC timing.
    proc = new LiveProcess([fifo], ["--max-old-space-size=32"]);
    writer = await openWriter(fifo);
    const samples: { progress: number; kb: number }[] = [];
    let written = 0;
    const sampler = setInterval(() => {
      const kb = proc?.rssKb();
      if (kb !== undefined) samples.push({ progress: written / total, kb });
    }, 10);
    try {
      for (const p of pieces) {
        await writer.write(p);
        written += p.length;
      }
      await writer.close();
      writer = undefined;
      const { code } = await proc.exited;
      expect(code).toBe(0);
    } finally {
      clearInterval(sampler);
    }
    const out = proc.stdout;
    expect(out).toContain("usbscope live: stopped (end of input)");
    expect(out).toContain(`URB events    ${h.events}`);
    expect(out).toContain(`devices       ${enumerations} seen, ${enumerations} ok, 0 failed`);
    expect(out).toContain(`findings      0 errors, ${errors} warnings, 0 info`);
    expect(out.match(/^ {2}device +bus 2 dev 9 /gm)).toHaveLength(enumerations);
    const middle = samples.filter((s) => s.progress >= 0.4 && s.progress <= 0.6).map((s) => s.kb);
    const end = samples.filter((s) => s.progress >= 0.85).map((s) => s.kb);
    expect(middle.length, `samples: ${samples.length}`).toBeGreaterThan(2);
    expect(end.length).toBeGreaterThan(2);
    const shown = `${samples.length} samples; RSS kB middle ${median(middle)}, end ${median(end)}, max ${Math.max(...samples.map((s) => s.kb))}`;
    expect(Math.max(...samples.map((s) => s.kb)), shown).toBeLessThan(150 * 1024);
    expect(median(end) - median(middle), shown).toBeLessThan(8 * 1024);
    // A hang guard, not a speed bound (about 6 s on a quiet machine; speed is in npm run bench).
  }, 180_000);
});

describe("usbscope live --bus N on the binary usbmon device (a FIFO stands in for /dev/usbmonN)", () => {
  /**
   * A device whose configuration descriptor (41 bytes) says bNumInterfaces 1 but holds two interfaces: only a
   * reader that sees past byte 32 can tell (CFG_NUM_IFS). Then bulk traffic on its endpoints.
   */
  function events(): UrbEvent[] {
    const out: UrbEvent[] = [];
    const h = new UrbHost({ event: (e) => out.push(e) }, { busnum: 1 });
    const dev: DeviceModel = {
      speed: "full",
      address: 4,
      deviceDescriptor: deviceDescriptor({ idVendor: 0x1d50, idProduct: 0x6018, iProduct: 2 }),
      configDescriptor: configuration({ bNumInterfaces: 1 }, [
        interfaceDesc({ bInterfaceNumber: 0 }, [endpointDesc({ bEndpointAddress: 0x81, bmAttributes: 2 })]),
        interfaceDesc({ bInterfaceNumber: 1 }, [endpointDesc({ bEndpointAddress: 0x02, bmAttributes: 2 })]),
      ]),
      strings: { 2: "Binary" },
    };
    h.enumerate(dev);
    h.bulkOut(4, 2, new Uint8Array(100).fill(0x41));
    h.bulkIn(4, 1, new Uint8Array(64).fill(0x42));
    return out;
  }

  it("reads every data byte from records cut at arbitrary points: the device line and the finding past byte 32, then the summary on SIGINT", async () => {
    const all = events();
    const bytes = Buffer.concat(all.map((e) => encodeUsbmon(e, false, true)));
    const fifo = makeFifo("usbmon1");
    proc = new LiveProcess([
      "--bus",
      "1",
      "--usbmon-dev",
      path.dirname(fifo),
      "--usbmon-dir",
      "/nonexistent",
    ]);
    writer = await openWriter(fifo);
    await proc.waitForStderr(/reading .*usbmon1 \(binary usbmon: every data byte\); Ctrl-C for the summary/);
    // Cut the stream at arbitrary points (a seeded walk: pieces of 1 to 97 bytes, some inside headers).
    let seed = 12345;
    for (let at = 0; at < bytes.length;) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const n = 1 + (seed % 97);
      await writer.write(bytes.subarray(at, at + n));
      at += n;
      if (seed % 5 === 0) await sleep(2);
    }
    await proc.waitForOutput(/error +CFG_NUM_IFS .*bNumInterfaces is 1 but 2 interfaces follow/, 0, 15_000);
    await proc.waitForOutput(
      /^ {2}FAIL +bus 1 dev 4 +1d50:6018 "Binary" +full speed +configured/m,
      0,
      15_000,
    );
    await sleep(100);
    proc.child.kill("SIGINT");
    const { code } = await proc.exited;
    expect(code).toBe(1);
    expect(proc.stdout).toContain("usbscope live: stopped (SIGINT)");
    expect(proc.stdout).toContain(`format        usbmon-binary, ${bytes.length} bytes`);
    expect(proc.stdout).toContain(`URB events    ${all.length}`);
    expect(proc.stdout).not.toContain("FMT_TEXT_DATA_TRUNC");
    expect(proc.stderr).not.toContain("modprobe");
  }, 30_000);

  it("--save writes what it reads as a LINKTYPE 220 pcapng that usbscope and tshark read back: every URB, every byte", async () => {
    const all = events();
    const bytes = Buffer.concat(all.map((e) => encodeUsbmon(e, false, true)));
    const fifo = makeFifo("usbmon1");
    const saved = path.join(path.dirname(fifo), "saved.pcapng");
    proc = new LiveProcess([
      "--bus",
      "1",
      "--usbmon-dev",
      path.dirname(fifo),
      "--usbmon-dir",
      "/nonexistent",
      "--save",
      saved,
    ]);
    writer = await openWriter(fifo);
    await proc.waitForStderr(/saving to .*saved\.pcapng: pcapng, LINKTYPE_USB_LINUX_MMAPPED \(220\)/);
    for (let at = 0; at < bytes.length; at += 50) await writer.write(bytes.subarray(at, at + 50));
    await proc.waitForOutput(/^ {2}FAIL +bus 1 dev 4 +1d50:6018 "Binary"/m, 0, 15_000);
    await sleep(100);
    proc.child.kill("SIGINT");
    expect((await proc.exited).code).toBe(1);
    expect(proc.stderr).toContain(`saved ${all.length} URB events (`);
    // Read back: the same finding past byte 32, every URB event.
    const again = spawnSync(process.execPath, [path.join(repoRoot, "dist/usbscope.mjs"), "analyze", saved], {
      encoding: "utf8",
    });
    expect(again.status).toBe(1);
    expect(again.stdout).toMatch(/error +CFG_NUM_IFS .*bNumInterfaces is 1 but 2 interfaces/);
    const frames = execFileSync("tshark", ["-r", saved, "-T", "fields", "-e", "usb.data_len"], {
      encoding: "utf8",
    })
      .trimEnd()
      .split("\n");
    expect(frames).toHaveLength(all.length);
    expect(frames.map(Number)).toEqual(all.map((e) => e.data.length));
  }, 30_000);

  it("without the device node: says so and what to run, reads the text interface, which cannot see past byte 32", async () => {
    const all = events();
    const text = makeFifo("1u");
    const noDevices = path.dirname(makeFifo("unused"));
    const saved = path.join(noDevices, "saved.mon");
    proc = new LiveProcess([
      "--bus",
      "1",
      "--usbmon-dev",
      noDevices,
      "--usbmon-dir",
      path.dirname(text),
      "--save",
      saved,
    ]);
    writer = await openWriter(text);
    await proc.waitForStderr(/reading .*1u; Ctrl-C/);
    // --save on the text interface keeps its lines as read, and says that this is not pcapng.
    expect(proc.stderr).toContain(
      `saving to ${saved}: usbmon text lines as read (usbscope analyze and verify read them; Wireshark does not); the binary device (sudo modprobe usbmon) gives pcapng`,
    );
    expect(proc.stderr).toContain(
      `usbscope live: ${path.join(noDevices, "usbmon1")} does not exist, so usbscope reads the text interface ${text}, which shows at most 32 data bytes of each URB. For every byte, load the binary interface: sudo modprobe usbmon\n`,
    );
    const lines = all.map((e) => usbmonTextLine(e) + "\n").join("");
    await writer.write(lines);
    await proc.waitForOutput(/^ {2}device +bus 1 dev 4 +1d50:6018 "Binary"/m, 0, 15_000);
    await sleep(100);
    proc.child.kill("SIGINT");
    const { code } = await proc.exited;
    expect(code).toBe(0);
    // The text interface's 32-byte limit is a capture note: info, said once.
    expect(proc.stdout).toMatch(/info +FMT_TEXT_DATA_TRUNC .*capture note/);
    expect(proc.stdout).not.toContain("CFG_NUM_IFS");
    expect(readFileSync(saved, "utf8")).toBe(lines);
  }, 30_000);
});
