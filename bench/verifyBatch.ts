// The verify rows of `npm run bench` (issue 16): a thousand generated enumeration traces of the capture builder
// in all six formats (raw pcap and pcapng, usbmon 189 and 220, USBPcap, usbmon text), a third of them changed (an
// endpoint's wMaxPacketSize, a slow SET_ADDRESS), checked by `verify --expect` in one thread and with the worker
// pool; and the start-up cost of one `analyze` of a tiny capture (wall and CPU time of the whole process, next
// to `node -e 0`). Each measurement is a fresh process; nothing is asserted, the numbers are the result.
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { rawCapture, urbCapture } from "../builder/capture.js";
import { configuration, deviceDescriptor, endpointDesc, interfaceDesc } from "../builder/descriptors.js";
import type { DeviceModel, EnumerateOptions } from "../builder/device.js";
import { cacheDir } from "./generate.js";

/** Bump when the traces change: the cache directory carries it. */
const TRACES_VERSION = 1;
const FORMATS = ["pcap", "pcapng", "usbmon48", "usbmon64", "usbpcap", "text"] as const;

function product(wMaxPacketSize = 64): DeviceModel {
  return {
    speed: "full",
    address: 5,
    deviceDescriptor: deviceDescriptor({
      idVendor: 0x1209,
      idProduct: 0x0c0c,
      iProduct: 2,
      iSerialNumber: 3,
    }),
    configDescriptor: configuration({}, [
      interfaceDesc({ bInterfaceNumber: 0, bInterfaceClass: 0x0a }, [
        endpointDesc({ bEndpointAddress: 0x83, wMaxPacketSize }),
        endpointDesc({ bEndpointAddress: 0x04 }),
      ]),
    ]),
    strings: { 2: "Bench", 3: "0001" },
  };
}

function trace(i: number): Uint8Array {
  const format = FORMATS[i % FORMATS.length]!;
  const kind = Math.floor(i / FORMATS.length) % 3;
  const dev = product(kind === 1 ? 32 : 64);
  const opts: EnumerateOptions = kind === 2 ? { setAddressDelayNs: 300_000_000 } : {};
  if (format === "pcap" || format === "pcapng")
    return rawCapture({ speed: "full", format }, (sim) => void sim.enumerate(dev, opts)).bytes;
  return urbCapture({ format }, (h) => void h.enumerate(dev, opts)).bytes;
}

/** The directory of `n` traces and the expectations file, generated on first use. */
export function ensureVerifyTraces(
  repoRoot: string,
  n: number,
  log: (m: string) => void,
): { dir: string; product: string } {
  const base = path.join(cacheDir(repoRoot), `verify-v${TRACES_VERSION}-${n}`);
  const dir = path.join(base, "traces");
  const productFile = path.join(base, "product.json");
  if (existsSync(productFile) && readdirSync(dir).length === n) return { dir, product: productFile };
  log(`generating ${n} verify traces`);
  const tmp = `${base}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(path.join(tmp, "traces"), { recursive: true });
  const ext = (i: number) => {
    const f = FORMATS[i % FORMATS.length]!;
    return f === "pcapng" ? "pcapng" : f === "text" ? "mon" : "pcap";
  };
  for (let i = 0; i < n; i++)
    writeFileSync(path.join(tmp, "traces", `trace-${String(i).padStart(5, "0")}.${ext(i)}`), trace(i));
  const cli = path.join(repoRoot, "dist/cli/main.js");
  const e = spawnSync(process.execPath, [cli, "expect", path.join(tmp, "traces", "trace-00000.pcap")], {
    encoding: "utf8",
  });
  if (e.status !== 0) throw new Error(`usbscope expect failed: ${e.stderr}`);
  writeFileSync(path.join(tmp, "product.json"), e.stdout);
  rmSync(base, { recursive: true, force: true });
  renameSync(tmp, base);
  return { dir, product: productFile };
}

/** Wall and CPU (user + system, all threads) seconds of `node args`, output discarded; GNU time gives the CPU. */
function timed(args: string[]): { wall: number; cpu: number } {
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "usbscope-cpu %U %S", process.execPath, ...args], {
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
  const wall = (performance.now() - t0) / 1000;
  const m = /usbscope-cpu (\S+) (\S+)/.exec(r.stderr ?? "");
  if (!m || (r.status !== 0 && r.status !== 1)) throw new Error(`node ${args.join(" ")} failed: ${r.stderr}`);
  return { wall, cpu: Number(m[1]) + Number(m[2]) };
}

const wall = (args: string[]) => timed(args).wall;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

export interface VerifyBench {
  traces: number;
  /** Threads (--jobs: the main one and jobs - 1 workers), wall and CPU seconds (medians of runs) per configuration. */
  runs: { jobs: number; seconds: number; cpuSeconds: number }[];
  /**
   * Start-up, medians of wall and CPU (all threads) seconds, and the fastest wall time: on a machine others
   * load, the fastest run is the nearest to an idle one.
   */
  startup: {
    analyzeSeconds: number;
    analyzeBest: number;
    analyzeCpu: number;
    unbundledSeconds: number;
    nodeSeconds: number;
    nodeBest: number;
    nodeCpu: number;
    runs: number;
  };
}

/** The verify rows: `n` traces with --jobs 1 and --jobs = cores, 3 runs each; start-up over 7 runs. */
export function verifyBench(repoRoot: string, n: number, log: (m: string) => void): VerifyBench {
  const { dir, product: productFile } = ensureVerifyTraces(repoRoot, n, log);
  // The package's bin: the bundled command line (scripts/bundleCli.ts).
  const cli = path.join(repoRoot, "dist/usbscope.mjs");
  const runs: VerifyBench["runs"] = [];
  for (const jobs of [...new Set([1, cpus().length])]) {
    const t = Array.from({ length: 3 }, () =>
      timed([cli, "verify", "--expect", productFile, "--jobs", String(jobs), dir]),
    );
    const seconds = median(t.map((x) => x.wall));
    const cpuSeconds = median(t.map((x) => x.cpu));
    log(
      `verify ${n} traces, --jobs ${jobs}: ${seconds.toFixed(2)} s wall (${(n / seconds).toFixed(0)} traces/s), ${cpuSeconds.toFixed(2)} s CPU (${(n / cpuSeconds).toFixed(0)} traces per CPU second)`,
    );
    runs.push({ jobs, seconds, cpuSeconds });
  }
  const tiny = path.join(dir, "trace-00000.pcap");
  const R = 21;
  // Interleaved, so load on the machine weighs on all three alike.
  const a: { wall: number; cpu: number }[] = [];
  const u: number[] = [];
  const z: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < R; i++) {
    a.push(timed([cli, "analyze", tiny]));
    u.push(wall([path.join(repoRoot, "dist/cli/main.js"), "analyze", tiny]));
    z.push(timed(["-e", "0"]));
  }
  const startup = {
    analyzeSeconds: median(a.map((x) => x.wall)),
    analyzeBest: Math.min(...a.map((x) => x.wall)),
    analyzeCpu: median(a.map((x) => x.cpu)),
    unbundledSeconds: median(u),
    nodeSeconds: median(z.map((x) => x.wall)),
    nodeBest: Math.min(...z.map((x) => x.wall)),
    nodeCpu: median(z.map((x) => x.cpu)),
    runs: R,
  };
  log(
    `start-up: analyze of a tiny capture ${startup.analyzeSeconds.toFixed(3)} s wall, fastest ${startup.analyzeBest.toFixed(3)} s, ${startup.analyzeCpu.toFixed(2)} s CPU (unbundled ${startup.unbundledSeconds.toFixed(3)} s); node -e 0 ${startup.nodeSeconds.toFixed(3)} s, fastest ${startup.nodeBest.toFixed(3)} s, ${startup.nodeCpu.toFixed(2)} s CPU`,
  );
  return { traces: n, runs, startup };
}

/** The bench notes for the verify rows. */
export function verifyNotes(v: VerifyBench): string[] {
  const rate = (s: number) => (v.traces / s).toFixed(0);
  return [
    `- verify --expect (${v.traces.toLocaleString("en-US")} generated enumeration traces in six formats, wall time of the whole process and CPU time of all its threads, median of 3): ${v.runs
      .map(
        (r) =>
          `${rate(r.seconds)} traces/s with ${r.jobs === 1 ? "one thread" : `${r.jobs} threads (the main one and ${r.jobs - 1} worker${r.jobs === 2 ? "" : "s"})`} (${r.seconds.toFixed(2)} s wall; ${rate(r.cpuSeconds)} traces per CPU second)`,
      )
      .join(", ")}; target ≥ 1,000 traces/s on 2 cores`,
    `- start-up: analyze of a tiny capture with the bin (median of ${v.startup.runs}, interleaved): ${v.startup.analyzeSeconds.toFixed(3)} s wall, fastest run ${v.startup.analyzeBest.toFixed(3)} s, ${v.startup.analyzeCpu.toFixed(2)} s CPU (the unbundled dist/cli/main.js ${v.startup.unbundledSeconds.toFixed(3)} s wall); node itself (node -e 0) ${v.startup.nodeSeconds.toFixed(3)} s wall, fastest ${v.startup.nodeBest.toFixed(3)} s, ${v.startup.nodeCpu.toFixed(2)} s CPU; target < 0.15 s wall`,
  ];
}
