// verify over a batch: directories, globs and --files-from lists; a trace that cannot be read is an error test
// case and the run goes on; JUnit parsed with a real XML parser, its names stable run after run; --shard
// disjoint and covering; NDJSON one object per trace.
import { describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { XMLParser } from "fast-xml-parser";
import { cli } from "../helpers/cli.js";
import { repoRoot } from "../helpers/paths.js";
import { PcapWriter } from "../../builder/pcap.js";
import { MemorySink } from "../../builder/sink.js";
import { buildCapture, tempDir, writeCapture } from "./helpers.js";

/** A pcap of Ethernet frames (LINKTYPE 1): readable, but no link type usbscope reads: an input error (issue 11). */
function ethernetPcap(): Uint8Array {
  const m = new MemorySink();
  const w = new PcapWriter(m.sink, { linktype: 1 });
  w.addPacket(0n, new Uint8Array(60));
  w.close();
  return m.toBytes();
}

/** A tree of traces: good and bad ones in subdirectories, a text file, a FIFO, an Ethernet capture, a hidden file. */
function tree(): { root: string; expectations: string } {
  const root = tempDir();
  const t = path.join(root, "traces");
  for (const d of ["a", "b", "c/sub"]) mkdirSync(path.join(t, d), { recursive: true });
  writeCapture(t, "a/good.pcap", buildCapture("pcap"));
  writeCapture(t, "b/bad.pcapng", buildCapture("pcapng", { bulkIn: { wMaxPacketSize: 32 } }));
  writeCapture(t, "c/sub/good.mon", buildCapture("text"));
  writeCapture(t, "c/notes.txt", "not a capture\n");
  writeCapture(t, "c/ethernet.pcap", ethernetPcap());
  writeCapture(t, ".hidden.pcap", "skipped");
  execFileSync("mkfifo", [path.join(t, "c/fifo")]);
  return { root, expectations: path.join(root, "product.json") };
}

async function expectationsFile(root: string): Promise<string> {
  const good = writeCapture(root, "good-source.pcap", buildCapture("pcap"));
  const r = await cli(["expect", good]);
  return writeCapture(root, "product.json", r.out);
}

interface TestCase {
  "@_classname": string;
  "@_name": string;
  failure?: unknown;
  error?: { "@_message": string };
  skipped?: unknown;
}

function junitCases(file: string): TestCase[] {
  const doc = new XMLParser({
    ignoreAttributes: false,
    isArray: (n) => n === "testsuite" || n === "testcase",
  }).parse(readFileSync(file, "utf8")) as { testsuites: { testsuite: { testcase: TestCase[] }[] } };
  return doc.testsuites.testsuite.flatMap((s) => s.testcase);
}

describe("verify: inputs", () => {
  it("a directory is searched recursively and in order; an unreadable trace is an error and the run goes on", async () => {
    const { root } = tree();
    const product = await expectationsFile(root);
    const t = path.join(root, "traces");
    const r = await cli(["verify", "--expect", product, t]);
    expect(r.code).toBe(1);
    const lines = r.out.trimEnd().split("\n");
    expect(lines).toEqual([
      `ok    ${t}/a/good.pcap`,
      `FAIL  ${t}/b/bad.pcapng: configuration 1, interface 1 (CDC Data), endpoint 0x83: wMaxPacketSize expected 64, got 32`,
      `ERROR ${t}/c/ethernet.pcap: link type 1 is not one usbscope reads (it reads usbmon 189/220, USBPcap 249, USB 2.0 packets 288/293/294/295)`,
      `ERROR ${t}/c/fifo is a FIFO, not a capture file`,
      expect.stringMatching(new RegExp(`^ERROR ${t}/c/notes.txt: `)),
      `ok    ${t}/c/sub/good.mon`,
      expect.stringMatching(/^6 captures: 2 passed, 1 failed, 3 unreadable in \d+\.\d\d s$/),
    ]);
  });

  it("glob patterns and --files-from - give the same traces as the directory", async () => {
    const { root } = tree();
    const product = await expectationsFile(root);
    const t = path.join(root, "traces");
    const byDir = await cli(["verify", "--json", "--expect", product, t]);
    const byGlob = await cli(["verify", "--json", "--expect", product, `${t}/**/*`]);
    const list = ["a/good.pcap", "b/bad.pcapng", "c/ethernet.pcap", "c/fifo", "c/notes.txt", "c/sub/good.mon"]
      .map((f) => path.join(t, f))
      .join("\n");
    const byList = await cli(["verify", "--json", "--expect", product, "--files-from", "-"], list + "\n");
    const names = (out: string) =>
      out
        .trimEnd()
        .split("\n")
        .map((l) => (JSON.parse(l) as { name: string }).name);
    expect(names(byDir.out)).toEqual([
      "a/good.pcap",
      "b/bad.pcapng",
      "c/ethernet.pcap",
      "c/fifo",
      "c/notes.txt",
      "c/sub/good.mon",
    ]);
    expect(names(byGlob.out)).toEqual(names(byDir.out));
    // A list names each file itself: its names are the paths as written.
    expect(names(byList.out)).toEqual(list.split("\n"));
    const ok = (out: string) =>
      out
        .trimEnd()
        .split("\n")
        .map((l) => (JSON.parse(l) as { ok?: boolean }).ok);
    expect(ok(byGlob.out)).toEqual(ok(byDir.out));
    expect(ok(byList.out)).toEqual(ok(byDir.out));
    // A pattern that matches nothing is an error, not an empty success.
    const none = await cli(["verify", "--expect", product, `${t}/**/*.nothing`]);
    expect(none.code).toBe(1);
    expect(none.out).toContain(`ERROR no file matches ${t}/**/*.nothing`);
  });

  it("--files-from - with - among the inputs is a usage error; no inputs at all too", async () => {
    expect((await cli(["verify", "--files-from", "-", "-"], "")).code).toBe(2);
    const r = await cli(["verify"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no inputs/);
  });
});

describe("verify: JUnit", () => {
  it("parses as XML; one test case per trace and check, named by the path relative to the directory given; the same names on a second run", async () => {
    const { root } = tree();
    const product = await expectationsFile(root);
    const t = path.join(root, "traces");
    const first = path.join(root, "first.xml");
    const second = path.join(root, "second.xml");
    await cli(["verify", "--expect", product, "--junit", first, t]);
    await cli(["verify", "--expect", product, "--junit", second, `${t}/**/*`]);
    const a = junitCases(first);
    const names = (cs: TestCase[]) => cs.map((c) => `${c["@_classname"]} :: ${c["@_name"]}`);
    expect(names(junitCases(second))).toEqual(names(a));
    const checks = ["device", "state", "descriptors", "speed", "rules", "enumeration time"];
    expect(names(a)).toEqual([
      ...checks.map((c) => `a/good.pcap :: ${c}`),
      ...checks.map((c) => `b/bad.pcapng :: ${c}`),
      "c/ethernet.pcap :: read capture",
      "c/fifo :: read capture",
      "c/notes.txt :: read capture",
      ...checks.map((c) => `c/sub/good.mon :: ${c}`),
    ]);
    const failure = a.find((c) => c["@_classname"] === "b/bad.pcapng" && c.failure)!;
    expect(failure["@_name"]).toBe("descriptors");
    expect(a.filter((c) => c.error).map((c) => c["@_classname"])).toEqual([
      "c/ethernet.pcap",
      "c/fifo",
      "c/notes.txt",
    ]);
  });

  it("two directories holding the same relative path: each name carries its directory as given, none collide, the same on a second run", async () => {
    const root = tempDir();
    const product = await expectationsFile(root);
    for (const d of ["release/usb", "nightly/usb"]) mkdirSync(path.join(root, d), { recursive: true });
    writeCapture(path.join(root, "release"), "usb/enum.pcap", buildCapture("pcap"));
    writeCapture(
      path.join(root, "nightly"),
      "usb/enum.pcap",
      buildCapture("pcap", { bulkIn: { wMaxPacketSize: 32 } }),
    );
    writeCapture(path.join(root, "nightly"), "usb/other.pcapng", buildCapture("pcapng"));
    // The bin in the directory holding both, as a CI step runs it in its checkout.
    const run = (file: string, args: string[]) => {
      const r = spawnSync(
        process.execPath,
        [path.join(repoRoot, "dist/usbscope.mjs"), "verify", "--expect", product, "--junit", file, ...args],
        { cwd: root, encoding: "utf8" },
      );
      expect(r.status, r.stderr).toBe(1);
      return junitCases(path.join(root, file));
    };
    // Relative (as a CI step gives them), with a "./" and a trailing "/" that do not change the names.
    const first = run("first.xml", ["./release/", "nightly"]);
    const second = run("second.xml", ["release", "./nightly/"]);
    const classes = (cs: TestCase[]) => [...new Set(cs.map((c) => c["@_classname"]))];
    expect(classes(first)).toEqual([
      "release/usb/enum.pcap",
      "nightly/usb/enum.pcap",
      "nightly/usb/other.pcapng",
    ]);
    expect(second.map((c) => `${c["@_classname"]} :: ${c["@_name"]}`)).toEqual(
      first.map((c) => `${c["@_classname"]} :: ${c["@_name"]}`),
    );
    // The failure is the nightly one's, under its own name.
    expect(first.filter((c) => c.failure).map((c) => `${c["@_classname"]} :: ${c["@_name"]}`)).toEqual([
      "nightly/usb/enum.pcap :: descriptors",
    ]);
    // One directory alone keeps names relative to it, whatever the checkout directory.
    const alone = run("alone.xml", [path.join(root, "nightly")]);
    expect(classes(alone)).toEqual(["usb/enum.pcap", "usb/other.pcapng"]);
  });
});

describe("verify --shard", () => {
  it("shards are disjoint, their union is the whole, and a trace's shard does not depend on the rest of the batch", async () => {
    const root = tempDir();
    const t = path.join(root, "traces");
    mkdirSync(t);
    const bytes = buildCapture("pcap");
    const all: string[] = [];
    for (let i = 0; i < 24; i++) {
      writeCapture(t, `build-${i}.pcap`, bytes);
      all.push(`build-${i}.pcap`);
    }
    const names = async (args: string[]) =>
      (await cli(["verify", "--json", ...args])).out
        .trimEnd()
        .split("\n")
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { name: string }).name);
    for (const n of [1, 2, 3, 4]) {
      const shards: string[][] = [];
      for (let i = 1; i <= n; i++) shards.push(await names(["--shard", `${i}/${n}`, t]));
      expect(shards.flat().sort()).toEqual([...all].sort());
      expect(new Set(shards.flat()).size).toBe(all.length);
      if (n === 4) {
        expect(shards.every((s) => s.length > 0 && s.length < all.length)).toBe(true);
        // The same shard of half the batch holds exactly the traces of that half it held before.
        const half = await names(["--shard", `2/4`, `${t}/build-1*.pcap`]);
        expect(half).toEqual(shards[1]!.filter((x) => x.startsWith("build-1")));
      }
    }
    for (const bad of ["0/4", "5/4", "1/0", "x", "1/2/3"])
      expect((await cli(["verify", "--shard", bad, t])).code).toBe(2);
  });
});
