// `npm run bench`: usbscope against line rate, tshark and a plain JavaScript baseline, in one run.
//
//   node dist/bench/run.js [--quick] [--no-2g] [--no-tshark] [--no-urb] [--no-live] [--no-viewer] [--viewer-packets N] [--bulk-mb N] [--small-mb N] [--big-mb N] [--slice-mb N] [--urb-events N]
//                          [--no-scale | --scale-only] [--no-10g] [--raw-gb N] [--scale-transfers N] [--scale-devices N]
//                          [--no-verify | --verify-only] [--verify-traces N] [--no-packets | --packets-only]
//
// Captures are generated once into .cache/bench/ (git-ignored). Every usbscope and baseline
// measurement runs in its own child process (bench/worker.ts) for a clean heap and its own peak
// RSS. Nothing here asserts a target: the table is the result (issue 6: "measured by the
// benchmark, never asserted in a timed test").
import { spawnSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { closeSync, openSync, readFileSync, readSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureCapture, cacheDir, type CaptureKind } from "./generate.js";
import { ensureUrbCapture } from "./generateUrb.js";
import { ensureScaleCapture, type ScaleFormat, type ScaleKind } from "./scale.js";
import type { WorkerResult } from "./worker.js";
import { PACKETS_FILTER } from "./packetsFilter.js";
import { verifyBench, verifyNotes } from "./verifyBatch.js";

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repo root, from dist/bench/ (compiled) or bench/ (source). */
const repoRoot =
  path.basename(path.dirname(here)) === "dist" ? path.resolve(here, "../..") : path.resolve(here, "..");
const workerJs = path.join(here, "worker.js");

/** High-speed line rate: 480 Mbit/s (USB 2.0 §7.1.11) = 60 MB/s. */
const LINE_RATE = 60e6;
const MiB = 1 << 20;

interface Args {
  bulkMB: number;
  smallMB: number;
  bigMB: number;
  sliceMB: number;
  big: boolean;
  tshark: boolean;
  urb: boolean;
  /** The live latency line. */
  live: boolean;
  /** The viewer's analysis in headless Chromium against the CLI's. */
  viewer: boolean;
  /** Packets of the viewer's scale capture (load, memory, expand, scrolling; 0: not run). */
  viewerPackets: number;
  /** URB events in the usbmon capture. */
  urbEvents: number;
  /** Scale rows (README "Reliability"): run them, and nothing else. */
  scale: boolean;
  scaleOnly: boolean;
  /** The raw capture streamed through analyze, in GB (0: not run). */
  rawGB: number;
  scaleTransfers: number;
  scaleDevices: number;
  /** The verify rows (traces per second, start-up): run them; --verify-only runs nothing else. */
  verify: boolean;
  verifyOnly: boolean;
  verifyTraces: number;
  /** `packets` with and without --filter on the bulk capture; --packets-only runs nothing else. */
  packets: boolean;
  packetsOnly: boolean;
}

function parseArgs(argv: string[]): Args {
  const quick = argv.includes("--quick");
  const a: Args = {
    bulkMB: quick ? 64 : 512,
    smallMB: quick ? 32 : 256,
    bigMB: quick ? 256 : 2048,
    sliceMB: quick ? 8 : 32,
    big: !argv.includes("--no-2g"),
    tshark: !argv.includes("--no-tshark"),
    urb: !argv.includes("--no-urb"),
    viewer: !argv.includes("--no-viewer"),
    viewerPackets: argv.includes("--no-viewer") ? 0 : quick ? 1_000_000 : 10_000_000,
    live: !argv.includes("--no-live"),
    urbEvents: quick ? 400_000 : 4_000_000,
    scale: !argv.includes("--no-scale"),
    scaleOnly: argv.includes("--scale-only"),
    rawGB: argv.includes("--no-10g") ? 0 : quick ? 0.5 : 10,
    scaleTransfers: quick ? 100_000 : 10_000_000,
    scaleDevices: quick ? 2_000 : 100_000,
    verify: !argv.includes("--no-verify"),
    verifyOnly: argv.includes("--verify-only"),
    packets: !argv.includes("--no-packets"),
    packetsOnly: argv.includes("--packets-only"),
    verifyTraces: 1000,
  };
  const num = (flag: string): number | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  };
  a.bulkMB = num("--bulk-mb") ?? a.bulkMB;
  a.smallMB = num("--small-mb") ?? a.smallMB;
  a.bigMB = num("--big-mb") ?? a.bigMB;
  a.sliceMB = num("--slice-mb") ?? a.sliceMB;
  a.urbEvents = num("--urb-events") ?? a.urbEvents;
  a.viewerPackets = num("--viewer-packets") ?? a.viewerPackets;
  a.rawGB = num("--raw-gb") ?? a.rawGB;
  a.scaleTransfers = num("--scale-transfers") ?? a.scaleTransfers;
  a.scaleDevices = num("--scale-devices") ?? a.scaleDevices;
  a.verifyTraces = num("--verify-traces") ?? a.verifyTraces;
  return a;
}

/**
 * Read `file` before each measurement so it reads from the page cache: the rows compare parsers,
 * not this machine's disk (the first full run read the 2 GB capture from disk at ~200 MB/s). Before
 * each one, not once: this VM's kernel reclaims cold page cache (DAMON), so a file read a minute ago
 * may be partly back on disk.
 */
function warmPageCache(file: string): void {
  if (!file.endsWith(".pcap")) return;
  const buf = new Uint8Array(16 << 20);
  const fd = openSync(file, "r");
  try {
    while (readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

function runWorker(mode: string, file: string): WorkerResult {
  warmPageCache(file);
  const r = spawnSync(process.execPath, ["--no-deprecation", workerJs, mode, file], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`worker ${mode} ${file} failed: ${r.stderr}`);
  const line = r.stdout.trim().split("\n").pop()!;
  return JSON.parse(line) as WorkerResult;
}

/**
 * `packets` on `file` without a filter and with --filter PACKETS_FILTER, REPEATS fresh processes each,
 * alternating so both see the same machine: two rows (medians by CPU time) and the filter's cost.
 */
function packetsRows(file: string, label: string): string {
  const plain: WorkerResult[] = [];
  const filtered: WorkerResult[] = [];
  for (let k = 0; k < REPEATS; k++) {
    plain.push(runWorker("packets", file));
    filtered.push(runWorker("packetsFilter", file));
  }
  const median = (runs: WorkerResult[]) => {
    const sorted = [...runs].sort((a, b) => a.cpuSeconds - b.cpuSeconds);
    const rate = (r: WorkerResult) => (r.bytes / r.cpuSeconds / 1e6).toFixed(0);
    const mid = sorted[sorted.length >> 1]!;
    return {
      ...mid,
      maxRssKB: Math.max(...runs.map((r) => r.maxRssKB)),
      note: `${mid.note}; median of ${REPEATS} runs, CPU ${rate(sorted[sorted.length - 1]!)}–${rate(sorted[0]!)} MB/s`,
    };
  };
  const a = fromWorker("packets (lines formatted, not written)", label, median(plain));
  const b = fromWorker(`packets --filter '${PACKETS_FILTER}'`, label, median(filtered));
  const extra = ((b.cpuSeconds! / a.cpuSeconds! - 1) * 100).toFixed(0);
  return `- packets --filter '${PACKETS_FILTER}' on ${label}: ${extra}% CPU time against packets without a filter (target: at most 20% more)`;
}

/** Runs of each from-disk measurement: the row shows the median by CPU time, the note the range. */
const REPEATS = 5;

/** `mode` on `file` REPEATS times, each in a fresh process: the median run by CPU time, its note saying the spread. */
function runWorkerMedian(mode: string, file: string): WorkerResult {
  const runs = Array.from({ length: REPEATS }, () => runWorker(mode, file)).sort(
    (a, b) => a.cpuSeconds - b.cpuSeconds,
  );
  const mid = runs[runs.length >> 1]!;
  const rate = (r: WorkerResult) => (r.bytes / r.cpuSeconds / 1e6).toFixed(0);
  const spread = `median of ${REPEATS} runs, CPU ${rate(runs[runs.length - 1]!)}–${rate(runs[0]!)} MB/s`;
  return {
    ...mid,
    maxRssKB: Math.max(...runs.map((r) => r.maxRssKB)),
    note: mid.note ? `${mid.note}; ${spread}` : spread,
  };
}

/**
 * tshark over the whole file, fields as in issue 6, output discarded, under GNU time for its CPU
 * seconds and peak RSS (wall time alone when /usr/bin/time is missing).
 */
function runTshark(file: string): { seconds: number; cpuSeconds?: number; rssMB?: number; ok: boolean } {
  warmPageCache(file);
  const args = ["-r", file, "-T", "fields", "-e", "usbll.pid", "-e", "usbll.crc16.status"];
  const gnuTime = "/usr/bin/time";
  const useTime = spawnSync(gnuTime, ["-f", "%e", "true"]).status === 0;
  const t0 = performance.now();
  const r = useTime
    ? spawnSync(gnuTime, ["-f", "usbscope-time %e %U %S %M", "tshark", ...args], {
        stdio: ["ignore", "ignore", "pipe"],
        encoding: "utf8",
      })
    : spawnSync("tshark", args, { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const seconds = (performance.now() - t0) / 1000;
  const m = /usbscope-time (\S+) (\S+) (\S+) (\S+)/.exec(r.stderr ?? "");
  if (!m) return { seconds, ok: r.status === 0 };
  return {
    seconds: Number(m[1]),
    cpuSeconds: Number(m[2]) + Number(m[3]),
    rssMB: Number(m[4]) / 1024,
    ok: r.status === 0,
  };
}

interface Row {
  what: string;
  file: string;
  bytes: number;
  packets: number;
  seconds: number;
  cpuSeconds?: number;
  rssMB?: number;
  note?: string;
}

const rows: Row[] = [];
const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

function add(row: Row): Row {
  rows.push(row);
  const cpu = row.cpuSeconds !== undefined ? `, CPU ${fmtRate(row.bytes / row.cpuSeconds)}` : "";
  log(
    `${row.what} on ${row.file}: wall ${fmtRate(row.bytes / row.seconds)}${cpu}${row.rssMB !== undefined ? `, RSS ${row.rssMB.toFixed(0)} MB` : ""}`,
  );
  return row;
}

function fmtRate(bps: number): string {
  return bps >= 1e9 ? `${(bps / 1e9).toFixed(2)} GB/s` : `${(bps / 1e6).toFixed(bps >= 1e8 ? 0 : 1)} MB/s`;
}

/** A row from a worker; `mode` picks one CRC mode of a core/crc worker (whose RSS is not the pipeline's). */
function fromWorker(what: string, label: string, r: WorkerResult, mode?: string): Row {
  const [seconds, cpuSeconds] = mode !== undefined ? r.modes![mode]! : [r.seconds, r.cpuSeconds];
  const rssMB = mode !== undefined ? undefined : r.maxRssKB / 1024;
  return add({
    what,
    file: label,
    bytes: r.bytes,
    packets: r.packets,
    seconds,
    cpuSeconds,
    rssMB,
    note: r.note,
  });
}

/** Rate on the CPU clock when known, else on the wall clock. */
const cpuRate = (r: Row) => r.bytes / (r.cpuSeconds ?? r.seconds);

function machine(): string {
  let model = cpus()[0]?.model ?? "unknown CPU";
  try {
    const m = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m) model = m[1]!.trim();
  } catch {
    /* not Linux */
  }
  const tshark =
    spawnSync("tshark", ["--version"], { encoding: "utf8" }).stdout?.split("\n")[0] ?? "tshark not found";
  return `${cpus().length} cores (${model}), Node ${process.version}, ${tshark}`;
}

/** One scale measurement: a command of the CLI on a capture, its peak RSS and time (GNU time). */
interface ScaleRow {
  capture: string;
  size: string;
  command: string;
  seconds: number;
  rssMB: number;
  ok: boolean;
}

/** The commands whose memory must stay flat (README "Reliability"): their arguments before FILE. */
const SCALE_COMMANDS: [string, string[]][] = [
  ["analyze", ["analyze"]],
  ["analyze --json", ["analyze", "--json"]],
  ["transfers --json", ["transfers", "--json"]],
  ["verify", ["verify"]],
  ["live", ["live"]],
];

/** `usbscope ARGS` (ARGS ends with the input, - for stdin), its output to /dev/null, under GNU time. `feed`: a shell command piped in. */
function timeCli(args: string[], feed?: string): { seconds: number; rssMB: number; ok: boolean } {
  const cli = path.join(repoRoot, "dist/cli/main.js");
  const quote = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
  const timed = `/usr/bin/time -f 'usbscope-time %e %M' ${quote(process.execPath)} ${quote(cli)} ${args.map(quote).join(" ")} > /dev/null`;
  const r = spawnSync("bash", ["-c", `set -o pipefail; ${feed ? `${feed} | ` : ""}${timed}`], {
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
  const m = /usbscope-time (\S+) (\S+)/.exec(r.stderr ?? "");
  // Exit 1 is a finding (a polled device's capture has none; a 4096 s wrap in usbmon text is a warning).
  const ok = r.status === 0 || r.status === 1;
  if (!m) throw new Error(`usbscope ${args.join(" ")} failed: ${r.stderr}`);
  return { seconds: Number(m[1]), rssMB: Number(m[2]) / 1024, ok };
}

/**
 * The scale rows: peak RSS of every command on URB captures of `transfers` control transfers and of `devices`
 * devices (binary usbmon and usbmon text), and of analyze on a raw capture streamed from a generator, each at a
 * tenth of the size too, so flat memory shows as equal numbers.
 */
function scaleRows(args: Args): ScaleRow[] {
  const out: ScaleRow[] = [];
  const add = (row: ScaleRow) => {
    out.push(row);
    log(
      `scale: ${row.command} on ${row.capture} (${row.size}): ${row.seconds.toFixed(1)} s, RSS ${row.rssMB.toFixed(0)} MB${row.ok ? "" : " (FAILED)"}`,
    );
  };
  const urb: [ScaleKind, number, string][] = [
    ["transfers", args.scaleTransfers, "control transfers"],
    ["devices", args.scaleDevices, "devices"],
  ];
  for (const [kind, n, what] of urb) {
    if (n <= 0) continue;
    for (const format of ["usbmon", "text"] as ScaleFormat[]) {
      for (const size of [Math.max(1, Math.round(n / 10)), n]) {
        const file = ensureScaleCapture(repoRoot, kind, format, size, log);
        const capture = `${format === "usbmon" ? "binary usbmon (220)" : "usbmon text"}, ${what}`;
        const label = `${size.toLocaleString("en-US")} (${(statSync(file).size / 1e6).toFixed(0)} MB)`;
        for (const [command, cliArgs] of SCALE_COMMANDS)
          add({ capture, size: label, command, ...timeCli([...cliArgs, file]) });
      }
    }
  }
  if (args.rawGB > 0) {
    const stream = path.join(repoRoot, "dist/bench/stream.js");
    for (const gb of [args.rawGB / 10, args.rawGB]) {
      const mib = Math.round((gb * 1e9) / MiB);
      add({
        capture: "raw high-speed bulk (295), streamed from a generator into stdin",
        size: `${gb} GB`,
        command: "analyze",
        ...timeCli(["analyze", "-"], `'${process.execPath}' '${stream}' bulk ${mib}`),
      });
    }
  }
  return out;
}

/** The scale table (markdown): one row per capture and size, one column per command. */
function scaleTable(rows: ScaleRow[]): string[] {
  const out: string[] = [];
  const commands = [...new Set(rows.map((r) => r.command))];
  out.push(`| capture | size | ${commands.map((c) => `\`${c}\` MB (s)`).join(" | ")} |`);
  out.push(`|---|--:|${commands.map(() => "--:").join("|")}|`);
  const keys = [...new Set(rows.map((r) => `${r.capture}\u0000${r.size}`))];
  for (const k of keys) {
    const [capture, size] = k.split("\u0000") as [string, string];
    const cells = commands.map((c) => {
      const r = rows.find((x) => x.capture === capture && x.size === size && x.command === c);
      return r ? `${r.rssMB.toFixed(0)} (${r.seconds.toFixed(0)})${r.ok ? "" : " FAILED"}` : "–";
    });
    out.push(`| ${capture} | ${size} | ${cells.join(" | ")} |`);
  }
  return out;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const loadStart = loadavg()[0]!;
  const started = new Date();
  if (args.verifyOnly) {
    const v = verifyBench(repoRoot, args.verifyTraces, log);
    console.log(
      [
        `Machine: ${machine()}`,
        `Run: ${started.toISOString().slice(0, 16)}Z, 1-minute load average ${loadStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end`,
        "",
        ...verifyNotes(v),
      ].join("\n"),
    );
    return;
  }
  if (args.scaleOnly) {
    const text = [
      `Machine: ${machine()}`,
      `Run: ${started.toISOString().slice(0, 16)}Z`,
      "",
      "Peak RSS in MB (wall seconds):",
      "",
      ...scaleTable(scaleRows(args)),
    ].join("\n");
    console.log(text);
    writeFileSync(path.join(cacheDir(repoRoot), "last-scale-run.md"), `${text}\n`);
    return;
  }
  const files: Record<string, string> = {};
  const mb = (kind: CaptureKind, n: number) => ensureCapture(repoRoot, kind, n * MiB, log);
  const label = (f: string) => `${path.basename(f, ".pcap")} (${(statSync(f).size / 1e6).toFixed(0)} MB)`;
  if (args.packetsOnly) {
    const f = mb("bulk", args.bulkMB);
    const note = packetsRows(f, label(f));
    const text = [
      `Machine: ${machine()}`,
      `Run: ${started.toISOString().slice(0, 16)}Z, 1-minute load average ${loadStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end`,
      "",
      "| measurement | capture | MB/s wall | MB/s CPU | peak RSS MB | notes |",
      "|---|---|--:|--:|--:|---|",
      ...rows.map(
        (r) =>
          `| ${r.what} | ${r.file} | ${(r.bytes / r.seconds / 1e6).toFixed(0)} | ${(cpuRate(r) / 1e6).toFixed(0)} | ${r.rssMB!.toFixed(0)} | ${r.note ?? ""} |`,
      ),
      "",
      note,
    ].join("\n");
    console.log(text);
    return;
  }
  files.bulk = mb("bulk", args.bulkMB);
  files.small = mb("small", args.smallMB);
  // The slices are the same generator stopped early: byte-identical prefixes of the big files.
  files.bulkSlice = mb("bulk", args.sliceMB);
  files.smallSlice = mb("small", args.sliceMB);

  // The CRC16 paths alone (512-byte payloads), from a small module of their own.
  const crcWasm = path.join(cacheDir(repoRoot), "crc16bench.wasm");
  const asc = spawnSync(
    process.execPath,
    [
      path.join(repoRoot, "node_modules/assemblyscript/bin/asc.js"),
      path.join(repoRoot, "as/crc16bench.ts"),
      "-o",
      crcWasm,
      "-O3",
      "--runtime",
      "stub",
      "--noAssert",
      "--enable",
      "simd",
    ],
    { encoding: "utf8" },
  );
  if (asc.status === 0) {
    const r = runWorker("crc", crcWasm);
    const what = "CRC16 alone, 512-byte payloads in memory";
    fromWorker(`${what}: SIMD (mode 0)`, "–", r, "0");
    fromWorker(`${what}: slicing-by-8 (mode 2)`, "–", r, "2");
    fromWorker(`${what}: byte-at-a-time (mode 1)`, "–", r, "1");
  } else {
    log(`CRC micro-benchmark not built: ${asc.stderr}`);
  }
  // (a) the core alone, bytes already in WASM memory, three CRC16 paths.
  const coreResults: Record<string, WorkerResult> = {};
  const coreRows: Record<string, Row> = {};
  for (const kind of ["bulk", "small"] as const) {
    const r = (coreResults[kind] = runWorker("core", files[kind]!));
    coreRows[kind] = fromWorker(
      "core alone (bytes in WASM memory), SIMD CRC16 (mode 0)",
      label(files[kind]!),
      r,
      "0",
    );
    fromWorker("core alone, slicing-by-8 CRC16 (mode 2)", label(files[kind]!), r, "2");
    fromWorker("core alone, byte-at-a-time CRC16 (mode 1)", label(files[kind]!), r, "1");
  }
  // (b) from disk: the reader with a per-record sink, then the whole analyze pipeline, each the median
  // of REPEATS fresh processes; then analyze once more in a process that has analyzed the file already.
  const analyzeRows: Record<string, Row> = {};
  for (const kind of ["bulk", "small"] as const) {
    fromWorker(
      "reader + PID/status sink, from disk",
      label(files[kind]!),
      runWorkerMedian("reader", files[kind]!),
    );
    analyzeRows[kind] = fromWorker(
      "analyze, from disk",
      label(files[kind]!),
      runWorkerMedian("analyze", files[kind]!),
    );
    fromWorker(
      "analyze, from disk, second file in the process (JIT warm)",
      label(files[kind]!),
      runWorkerMedian("analyzeWarm", files[kind]!),
    );
  }
  // (b2) `packets` with and without a filter (issue 14: the filter costs at most 20% more).
  const packetsNote = args.packets ? packetsRows(files.bulk!, label(files.bulk!)) : undefined;
  // (c) peak RSS of analyze on a capture 4x larger.
  if (args.big) {
    files.big = mb("bulk", args.bigMB);
    fromWorker("analyze, from disk (peak RSS)", label(files.big), runWorker("analyze", files.big));
  }
  // (d) tshark and (e) the JavaScript baseline on the slices; usbscope analyze on the same slices.
  const sliceRows: Record<string, { tshark?: Row; js: Row; analyze: Row }> = {};
  for (const kind of ["bulk", "small"] as const) {
    const slice = kind === "bulk" ? files.bulkSlice! : files.smallSlice!;
    const an = fromWorker("analyze, from disk", label(slice), runWorker("analyze", slice));
    const jsr = fromWorker("JS baseline: pcap-parser + JS CRC", label(slice), runWorker("js", slice));
    let ts: Row | undefined;
    if (args.tshark) {
      const t = runTshark(slice);
      ts = add({
        what: `tshark -T fields usbll.pid,crc16.status${t.ok ? "" : " (FAILED)"}`,
        file: label(slice),
        bytes: statSync(slice).size,
        packets: an.packets,
        seconds: t.seconds,
        cpuSeconds: t.cpuSeconds,
        rssMB: t.rssMB,
      });
    }
    sliceRows[kind] = { tshark: ts, js: jsr, analyze: an };
  }

  // (f) a host capture: usbmon 220 with millions of URB events, analyzed, then listed as transfers.
  let urbRows: { analyze: Row; transfers: Row } | undefined;
  if (args.urb) {
    files.urb = ensureUrbCapture(repoRoot, args.urbEvents, log);
    urbRows = {
      analyze: fromWorker(
        "analyze, usbmon 220 URB capture, from disk",
        label(files.urb),
        runWorkerMedian("analyze", files.urb),
      ),
      transfers: fromWorker(
        "every URB as a transfer, repeats folded (transfers without printing)",
        label(files.urb),
        runWorkerMedian("urbTransfers", files.urb),
      ),
    };
  }

  // (h) the viewer: the same slices analysed in headless Chromium, in the page's worker, one run each,
  // against the CLI's analyze (a fresh process, one run) on the same file.
  const viewerLines: string[] = [];
  if (args.viewer) {
    for (const kind of ["bulk", "small"] as const) {
      const slice = kind === "bulk" ? files.bulkSlice! : files.smallSlice!;
      warmPageCache(slice);
      const r = spawnSync(process.execPath, [path.join(here, "viewerPage.js"), slice], {
        encoding: "utf8",
        maxBuffer: 1 << 20,
      });
      if (r.status !== 0) throw new Error(`viewer bench failed: ${r.stderr}`);
      const v = JSON.parse(r.stdout.trim().split("\n").pop()!) as {
        bytes: number;
        records: number;
        analysisSeconds: number;
        treeSeconds: number;
        engine: string;
      };
      const page = add({
        what: `viewer in headless Chromium (${v.engine}): analysis, one run`,
        file: label(slice),
        bytes: v.bytes,
        packets: v.records,
        seconds: v.analysisSeconds,
        note: `tree and timeline ready after ${v.treeSeconds.toFixed(2)} s (${(v.bytes / v.treeSeconds / 1e6).toFixed(0)} MB/s)`,
      });
      const cli = fromWorker(
        "analyze (CLI), one run, to compare with the viewer",
        label(slice),
        runWorker("analyze", slice),
      );
      viewerLines.push(
        `- viewer (${kind}): the page's analysis ${((page.bytes / page.seconds / (cli.bytes / cli.seconds)) * 100).toFixed(0)}% of the CLI's speed on the same file, wall clock (target: at least 80%); the tree and timeline ${((v.bytes / v.treeSeconds / (cli.bytes / cli.seconds)) * 100).toFixed(0)}%`,
      );
    }
  }

  // (h') the viewer at scale: millions of packets in the page (bench/viewerScale.ts), one run.
  if (args.viewerPackets > 0) {
    const r = spawnSync(
      process.execPath,
      [path.join(here, "viewerScale.js"), "--packets", String(args.viewerPackets)],
      { encoding: "utf8", maxBuffer: 1 << 20 },
    );
    if (r.status !== 0) throw new Error(`viewer scale bench failed: ${r.stderr}`);
    const v = JSON.parse(r.stdout.trim().split("\n").pop()!) as {
      file: string;
      records: number;
      topLevelRows: number;
      analysisSeconds: number;
      treeSeconds: number;
      rssIdleMB: number;
      rssPeakMB: number;
      expandTransfer: { millis: number; children: number } | null;
      expandSofRun: { kind: string; millis: number; children: number } | null;
      scroll: { medianFrameMs: number; p95FrameMs: number; maxFrameMs: number; jumpMs: number[] };
    };
    const ex = (e: { millis: number; children: number } | null) =>
      e ? `${e.millis.toFixed(0)} ms (${e.children} children)` : "none on screen";
    viewerLines.push(
      `- viewer at scale (${v.file}, ${(v.records / 1e6).toFixed(1)} M records, ${v.topLevelRows} top-level rows): analysis ${v.analysisSeconds.toFixed(1)} s, tree and timeline ${v.treeSeconds.toFixed(1)} s; browser peak RSS ${v.rssPeakMB.toFixed(0)} MB (${v.rssIdleMB.toFixed(0)} MB before the capture); expanding a transfer ${ex(v.expandTransfer)}, a run ${ex(v.expandSofRun)}; scrolling a screen a frame: median frame ${v.scroll.medianFrameMs.toFixed(1)} ms, 95th percentile ${v.scroll.p95FrameMs.toFixed(1)} ms; jumps to the middle and the end drawn in ${v.scroll.jumpMs.map((x) => x.toFixed(0)).join(", ")} ms`,
    );
  }

  // (g) live: how soon a device line follows the usbmon text line that completes its enumeration.
  let live: { events: number; medianMs: number; maxMs: number } | undefined;
  if (args.live) {
    const r = spawnSync(process.execPath, [path.join(here, "liveLatency.js")], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`live latency failed: ${r.stderr}`);
    live = JSON.parse(r.stdout) as typeof live;
    log(`live: median ${live!.medianMs.toFixed(1)} ms, max ${live!.maxMs.toFixed(1)} ms`);
  }

  // (h) verify: traces per second over a thousand small traces, and the start-up cost of one analyze.
  const verifyRows = args.verify ? verifyBench(repoRoot, args.verifyTraces, log) : undefined;

  // The table (markdown, so it pastes into PERFORMANCE.md as is).
  const out: string[] = [];
  out.push(`Machine: ${machine()}`);
  out.push(
    `Run: ${started.toISOString().slice(0, 16)}Z, 1-minute load average ${loadStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end (other work shares these cores).`,
  );
  out.push("");
  out.push(
    "| measurement | capture | MB/s wall | MB/s CPU | M packets/s CPU | × line rate (CPU) | peak RSS MB | notes |",
  );
  out.push("|---|---|--:|--:|--:|--:|--:|---|");
  for (const r of rows) {
    const wall = r.bytes / r.seconds;
    const cpu = cpuRate(r);
    const pps = r.packets / (r.cpuSeconds ?? r.seconds);
    out.push(
      `| ${r.what} | ${r.file} | ${(wall / 1e6).toFixed(0)} | ${r.cpuSeconds !== undefined ? (cpu / 1e6).toFixed(0) : "–"} | ${(pps / 1e6).toFixed(1)} | ${(cpu / LINE_RATE).toFixed(1)} | ${r.rssMB !== undefined ? r.rssMB.toFixed(0) : "–"} | ${r.note ?? ""} |`,
    );
  }
  out.push("");
  out.push(
    "Ratios on CPU time (robust to other load on the machine; wall-clock figures are in the table). Line rate = 480 Mbit/s = 60 MB/s.",
  );
  out.push(
    "tshark and the JS baseline ran on the slice; they are compared with usbscope analyze on the same slice, and with the core's MB/s on the full file.",
  );
  out.push("");
  for (const kind of ["bulk", "small"] as const) {
    const core = coreResults[kind]!;
    const coreRate = cpuRate(coreRows[kind]!);
    const s = sliceRows[kind]!;
    const parts = [
      `core ${(coreRate / LINE_RATE).toFixed(1)}× line rate`,
      `analyze ${(cpuRate(analyzeRows[kind]!) / LINE_RATE).toFixed(1)}× line rate`,
      `core with SIMD CRC16 ${(core.modes!["1"]![1] / core.modes!["0"]![1]).toFixed(2)}× the core with the byte-at-a-time CRC16`,
    ];
    if (s.tshark)
      parts.push(
        `analyze ${(cpuRate(s.analyze) / cpuRate(s.tshark)).toFixed(0)}× tshark`,
        `core ${(coreRate / cpuRate(s.tshark)).toFixed(0)}× tshark`,
      );
    parts.push(
      `analyze ${(cpuRate(s.analyze) / cpuRate(s.js)).toFixed(1)}× the JS baseline`,
      `core ${(coreRate / cpuRate(s.js)).toFixed(1)}× the JS baseline`,
    );
    out.push(`- ${kind}: ${parts.join("; ")}`);
  }
  if (urbRows) {
    const rate = (r: Row) => (r.packets / (r.cpuSeconds ?? r.seconds) / 1e6).toFixed(2);
    out.push(
      `- URB (usbmon 220, ${(urbRows.analyze.packets / 1e6).toFixed(1)} M URB events): analyze ${rate(urbRows.analyze)} M URB events/s, peak RSS ${urbRows.analyze.rssMB!.toFixed(0)} MB; every URB as a transfer ${rate(urbRows.transfers)} M URB events/s, peak RSS ${urbRows.transfers.rssMB!.toFixed(0)} MB`,
    );
  }
  if (packetsNote) out.push(packetsNote);
  out.push(...viewerLines);
  if (live)
    out.push(
      `- live (usbmon text into a FIFO): a device line ${live.medianMs.toFixed(1)} ms after the line that completes its enumeration (median of ${live.events}; max ${live.maxMs.toFixed(1)} ms)`,
    );
  if (verifyRows) out.push(...verifyNotes(verifyRows));
  if (args.scale) {
    out.push(
      "",
      'Scale (README "Reliability"): peak RSS in MB (wall seconds) of each command, at a tenth of the size and at the size:',
      "",
    );
    out.push(...scaleTable(scaleRows(args)));
  }
  const text = out.join("\n");
  console.log(text);
  writeFileSync(path.join(cacheDir(repoRoot), "last-run.md"), `${text}\n`);
}

main();
