// The hostile-input defects of issue 13, each at the place a user meets it (the CLI, the JSON, the terminal):
// every test here failed before its fix. (More than 256 pcapng interfaces: test/core/many-interfaces.test.ts;
// timestamps: time.test.ts; memory at scale: `npm run bench`; the lists' caps: bounded.test.ts.)
import { describe, it, expect } from "vitest";
import path from "node:path";
import { cli } from "../helpers/cli.js";
import { urbCapture } from "../../builder/capture.js";
import { widgetDevice } from "../helpers/widgetDevice.js";
import { monBin } from "../urb/helpers/build.js";
import { MAX_QUOTED } from "../../src/usb/quote.js";
import { request, type IncomingHttpHeaders } from "node:http";
import { startViewerServer } from "../../cli/commands/view.js";
import { repoRoot } from "../helpers/paths.js";

/** pcap (µs, little-endian, LINKTYPE 220) holding `records`. */
function usbmonPcap(records: Uint8Array[]): Uint8Array {
  const parts: number[] = [];
  const head = new DataView(new ArrayBuffer(24));
  head.setUint32(0, 0xa1b2c3d4, true);
  head.setUint16(4, 2, true);
  head.setUint16(6, 4, true);
  head.setUint32(16, 65535, true);
  head.setUint32(20, 220, true);
  parts.push(...new Uint8Array(head.buffer));
  records.forEach((r, i) => {
    const h = new DataView(new ArrayBuffer(16));
    h.setUint32(0, 1_700_000_000, true);
    h.setUint32(4, i, true);
    h.setUint32(8, r.length, true);
    h.setUint32(12, r.length, true);
    parts.push(...new Uint8Array(h.buffer), ...r);
  });
  return Uint8Array.from(parts);
}

interface Doc {
  findings: { rule: string; message: string; packet?: number; offset?: number }[];
  summary: { recordAccounting: { read: number; analysed: number; urbRecords: Record<string, number> } };
  devices: { descriptors: { strings: Record<string, string> } }[];
}

describe("FMT_TEXT_MALFORMED quotes a bad token at a bounded length", () => {
  // A good line, then ten usbmon text lines with a 1 MiB tag: every finding stays short, and says how long the token was.
  const tag = "g".repeat(1 << 20);
  const text =
    "ffff88003b7d4e00 1000 S Ci:1:002:0 s 80 06 0100 0000 0012 18 <\n" +
    Array.from({ length: 10 }, () => `${tag} 1000 S Ci:1:002:0 s 80 06 0100 0000 0012 18 <\n`).join("");
  it("analyze --json: each finding is short and states the full length", async () => {
    const r = await cli(["analyze", "--json", "-"], text);
    expect(r.out.length).toBeLessThan(20_000);
    const doc = JSON.parse(r.out) as Doc;
    const bad = doc.findings.filter((f) => f.rule === "FMT_TEXT_MALFORMED");
    expect(bad).toHaveLength(10);
    for (const f of bad) {
      expect(f.message.length).toBeLessThan(MAX_QUOTED * 2 + 120);
      expect(f.message).toContain(`(${tag.length} characters)`);
      expect(f.message).toMatch(/bad URB tag g{40}… \(1048576 characters\)/);
    }
  });
  it("live prints short lines to the terminal", async () => {
    const r = await cli(["live", "-"], text);
    const lines = r.out.split("\n");
    expect(lines.filter((l) => /^\s+warning\s+FMT_TEXT_MALFORMED/.test(l))).toHaveLength(10);
    for (const l of lines) expect(l.length).toBeLessThan(600);
  });
});

describe("a usbmon record of an unknown type", () => {
  // 22 records: 10 URBs (S and C), one record of type 'X', one mmap filler ('@').
  const records: Uint8Array[] = [];
  for (let i = 0; i < 10; i++) {
    const id = 0xffff880000000000n + BigInt(i) * 0x40n;
    records.push(monBin({ id, type: "S", xferType: 1, epnum: 0x81, status: -115, length: 8 }));
    records.push(monBin({ id, type: "C", xferType: 1, epnum: 0x81, status: 0, length: 2, data: [1, 2] }));
  }
  records.splice(7, 0, monBin({ id: 1n, type: "X" }));
  records.push(monBin({ id: 2n, type: "@" }));
  it("is a finding of its own at its record index, and counted: none disappears", async () => {
    const r = await cli(["analyze", "--json", "-"], usbmonPcap(records));
    const doc = JSON.parse(r.out) as Doc;
    const unknown = doc.findings.filter((f) => f.rule === "URB_UNKNOWN_TYPE");
    expect(unknown).toHaveLength(1);
    const offset = 24 + records.slice(0, 7).reduce((n, r) => n + 16 + r.length, 0);
    expect(unknown[0]).toMatchObject({ packet: 7, offset });
    expect(unknown[0]!.message).toContain("0x58 ('X') is not S, C or E");
    const a = doc.summary.recordAccounting;
    expect(a).toMatchObject({ read: 22, analysed: 22 });
    expect(a.urbRecords).toEqual({ events: 20, filler: 1, unparsed: 1 });
    expect(r.code).toBe(1);
  });
  it("mmap filler alone is read and counted, with no finding", async () => {
    const r = await cli(
      ["analyze", "--json", "-"],
      usbmonPcap([...records.slice(0, 7), ...records.slice(8)]),
    );
    const doc = JSON.parse(r.out) as Doc;
    expect(doc.findings.filter((f) => f.rule === "URB_UNKNOWN_TYPE")).toEqual([]);
    expect(doc.summary.recordAccounting.urbRecords).toEqual({ events: 20, filler: 1, unparsed: 0 });
  });
});

/** A character a terminal acts on, tab and newline aside. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe("what reaches a terminal", () => {
  it("stderr: a file name's control characters and escape sequences are not printed", async () => {
    const r = await cli(["analyze", "/nope\n\u001b[31mred\u009b2J"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe("usbscope: cannot read /nopered: no such file\n");
    const v = await cli(["verify", "/nope/\u001b]0;title\u0007x"]);
    expect(v.out).not.toMatch(CONTROL);
    const u = await cli(["analyze", "--max-findings", "\u001b[2J"]);
    expect(u.code).toBe(2);
    expect(u.err).not.toMatch(CONTROL);
  });
  it("JSON: U+202E, C1 and DEL in a device string are escaped as \\uXXXX and parse back to what the device sent", async () => {
    const product = "Evil\u202eFDP.exe\u009b31m\u007f\u2066";
    const { bytes } = urbCapture({ format: "usbmon64" }, (h) =>
      h.enumerate({ ...widgetDevice, strings: { 2: product } }),
    );
    for (const args of [
      ["analyze", "--json", "-"],
      ["descriptors", "--json", "-"],
      ["live", "--json", "-"],
    ]) {
      const r = await cli(args, bytes);
      expect(r.out, args.join(" ")).not.toMatch(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      expect(r.out).toContain("Evil\\u202eFDP.exe\\u009b31m\\u007f\\u2066");
      if (args[0] === "live") {
        const device = r.out.split("\n").find((l) => l.startsWith('{"type":"device"'))!;
        expect(JSON.parse(device)).toMatchObject({ type: "device", product });
      } else expect((JSON.parse(r.out) as Doc).devices[0]!.descriptors.strings["2"]).toBe(product);
    }
  });
});

describe("usbscope view", () => {
  /** A raw GET with its Host header: the status and the response headers. */
  function get(
    port: number,
    p: string,
    host = `127.0.0.1:${port}`,
  ): Promise<{ status: number; headers: IncomingHttpHeaders }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path: p, headers: { Host: host } }, (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      });
      req.on("error", reject);
      req.end();
    });
  }
  it("sends the CSP as a header with frame-ancestors, X-Frame-Options and Referrer-Policy on every response", async () => {
    const server = await startViewerServer({
      file: path.join(repoRoot, "captures/enumeration-ok/capture.pcapng"),
    });
    try {
      for (const [p, host, status] of [
        ["/viewer/", undefined, 200],
        ["/capture", undefined, 200],
        ["/viewer/../package.json", undefined, 404],
        ["/viewer/", "evil.example:80", 421],
      ] as const) {
        const { status: got, headers: h } = await get(server.port, p, host);
        expect(got, p).toBe(status);
        expect(h["content-security-policy"], p).toContain("frame-ancestors 'none'");
        expect(h["content-security-policy"], p).toContain("default-src 'self'");
        expect(h["x-frame-options"], p).toBe("DENY");
        expect(h["referrer-policy"], p).toBe("no-referrer");
        expect(h["x-content-type-options"], p).toBe("nosniff");
      }
    } finally {
      await server.close();
    }
  });
});
