// One benchmark measurement in a fresh process, so each gets a clean heap and its own peak RSS.
// Usage: node dist/bench/worker.js <core|reader|analyze|analyzeWarm|urbTransfers|js|crc|packets|packetsFilter> <file>
// (for "crc", <file> is the CRC micro-benchmark module compiled from as/crc16bench.ts)
// Prints one JSON line: seconds, bytes, packets, maxRssKB (and per-mode results for "core").
import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { createCore, DecodeState, type Core } from "../src/core/core.js";
import { readCapture } from "../src/capture/reader.js";
import { fileSource } from "../src/capture/source.js";
import { analyzeFile } from "../src/analyze.js";
import type { RecordBatch, RecordSink } from "../src/usb/model.js";
import { compileFilterOptions } from "../src/filter/filter.js";
import { PacketLines } from "../src/report/packetLines.js";
import { PACKETS_FILTER } from "./packetsFilter.js";

export interface WorkerResult {
  /** Wall-clock seconds of the timed part. */
  seconds: number;
  /** CPU seconds (user + system, all threads) of the same part: less sensitive to other load. */
  cpuSeconds: number;
  bytes: number;
  packets: number;
  maxRssKB: number;
  /** core and crc: [wall, CPU] seconds per CRC mode (0 fast, 2 slicing-by-8, 1 byte-at-a-time), the best repetition by CPU time. */
  modes?: Record<string, [number, number]>;
  note?: string;
}

const now = () => performance.now() / 1000;
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Time `fn` on both clocks. */
function timed<T>(fn: () => T): [T, number, number] {
  const w0 = now();
  const c0 = cpuNow();
  const r = fn();
  return [r, now() - w0, cpuNow() - c0];
}

/** Time an async `fn` on both clocks. */
async function timedAsync<T>(fn: () => Promise<T>): Promise<[T, number, number]> {
  const w0 = now();
  const c0 = cpuNow();
  const r = await fn();
  return [r, now() - w0, cpuNow() - c0];
}

/**
 * Call `fn` for at least 0.25 s: V8 starts WASM in its baseline tier and swaps in optimized code
 * only between calls (no on-stack replacement), so the timed call must not be the first hot one.
 */
function warmUp(fn: () => void): void {
  const t0 = now();
  do fn();
  while (now() - t0 < 0.25);
}

/** Decode everything in input[0, avail) with the bytes already in WASM memory. Returns records. */
function decodeAll(core: Core, avail: number): number {
  const e = core.exports;
  e.reset();
  let records = 0;
  let state: number;
  do {
    records += e.decode(avail, 1);
    state = e.state();
  } while (state === DecodeState.BATCH_FULL);
  if (state !== DecodeState.DONE) throw new Error(`core stopped in state ${state}, error ${e.errorCode()}`);
  return records;
}

/** The core alone: the whole file is read into the input region first; only decode() is timed. */
async function core(file: string): Promise<WorkerResult> {
  const size = statSync(file).size;
  const c = await createCore();
  if (!c.ensureInput(size)) throw new Error(`cannot hold ${size} bytes in WASM memory`);
  const input = c.input();
  const fd = openSync(file, "r");
  let at = 0;
  while (at < size) at += readSync(fd, input, at, Math.min(16 << 20, size - at), at);
  closeSync(fd);
  // V8 does not tier up a running WASM function (no OSR): warm decode() on a small prefix, which
  // ends mid-record and so stops in NEED_MORE, before timing the large call.
  const warm = Math.min(size, 2 << 20);
  const modes: Record<string, [number, number]> = {};
  let records = 0;
  for (const mode of [0, 2, 1]) {
    c.exports.setCrcMode(mode);
    warmUp(() => {
      c.exports.reset();
      while (c.exports.decode(warm, 0) > 0 && c.exports.state() === DecodeState.BATCH_FULL);
    });
    let best: [number, number] = [Infinity, Infinity];
    for (let rep = 0; rep < (mode === 1 ? 2 : 5); rep++) {
      const [n, wall, cpu] = timed(() => decodeAll(c, size));
      records = n;
      if (cpu < best[1]) best = [wall, cpu];
    }
    modes[String(mode)] = best;
  }
  c.exports.setCrcMode(0);
  return {
    seconds: modes["0"]![0],
    cpuSeconds: modes["0"]![1],
    bytes: size,
    packets: records,
    maxRssKB: process.resourceUsage().maxRSS,
    modes,
  };
}

/** The streaming reader from disk with a sink doing per-record work: PID and status counts. */
class CountSink implements RecordSink {
  readonly pids = new Float64Array(256);
  bad = 0;
  onBatch(b: RecordBatch): void {
    const pid = b.pid;
    const status = b.status;
    for (let i = 0; i < b.count; i++) {
      this.pids[pid[i]!]!++;
      if (status[i] !== 0) this.bad++;
    }
  }
  onEnd(): void {}
}

async function reader(file: string): Promise<WorkerResult> {
  const sink = new CountSink();
  const [info, seconds, cpuSeconds] = await timedAsync(async () =>
    readCapture(await fileSource(file), [sink]),
  );
  return {
    seconds,
    cpuSeconds,
    bytes: info.bytes,
    packets: info.records,
    maxRssKB: process.resourceUsage().maxRSS,
    note: `${sink.bad} bad`,
  };
}

/**
 * analyze as a process that has analyzed a capture before sees it (`verify` over many files, `live`
 * after the first minutes): the same file is analyzed once untimed, then timed. The rate without
 * V8's one-time compile of the hot paths (the cold row pays it once per process).
 */
async function analyzeWarm(file: string): Promise<WorkerResult> {
  await analyzeFile(file);
  return analyze(file);
}

async function analyze(file: string): Promise<WorkerResult> {
  const [r, seconds, cpuSeconds] = await timedAsync(() => analyzeFile(file));
  return {
    seconds,
    cpuSeconds,
    bytes: r.capture.bytes,
    packets: r.capture.records,
    maxRssKB: process.resourceUsage().maxRSS,
    note: r.urbEvents > 0 ? `${r.urbEvents} URB events` : `${r.packets} raw packets, speed ${r.speed}`,
  };
}

/**
 * What `usbscope packets FILE [--filter EXPR]` does, the terminal aside: every selected record formatted
 * as its line (PacketLines), the text counted rather than written. The filter is judged on the columns.
 */
async function packetLines(file: string, filter?: string): Promise<WorkerResult> {
  let chars = 0;
  let lines = 0;
  const compiled = filter !== undefined ? compileFilterOptions({ filter }) : undefined;
  const sink = new PacketLines(
    (t) => {
      chars += t.length;
      for (let i = t.indexOf("\n"); i >= 0; i = t.indexOf("\n", i + 1)) lines++;
    },
    { filter: compiled },
  );
  const [info, seconds, cpuSeconds] = await timedAsync(async () =>
    readCapture(await fileSource(file), [sink], {
      onFormat: (_format, bigEndian) => sink.setByteOrder(bigEndian),
    }),
  );
  return {
    seconds,
    cpuSeconds,
    bytes: info.bytes,
    packets: info.records,
    maxRssKB: process.resourceUsage().maxRSS,
    note: `${lines} lines (${(chars / 1e6).toFixed(0)} MB of text)`,
  };
}

/**
 * What `usbscope transfers` does on a URB capture, printing aside: every URB becomes a TransferSummary
 * with its payload, runs of repeats folded. Memory must stay bounded by the open URBs and endpoints.
 */
async function urbTransfers(file: string): Promise<WorkerResult> {
  let transfers = 0;
  let folded = 0;
  const [r, seconds, cpuSeconds] = await timedAsync(() =>
    analyzeFile(file, {
      keepControlTransfers: false,
      onTransfer: (t) => {
        transfers++;
        folded += t.repeat?.count ?? 0;
      },
    }),
  );
  return {
    seconds,
    cpuSeconds,
    bytes: r.capture.bytes,
    packets: r.urbEvents,
    maxRssKB: process.resourceUsage().maxRSS,
    note: `${r.urbEvents} URB events, ${transfers} transfers listed, ${folded} folded into repeats`,
  };
}

/** The plain JavaScript baseline: pcap-parser (one object per packet) and table-driven CRCs in JS. */
function js(file: string): Promise<WorkerResult> {
  const require = createRequire(import.meta.url);
  const pcapParser = require("pcap-parser") as {
    parse(input: string): { on(ev: string, fn: (arg: any) => void): void };
  };
  const crc16Table = new Uint16Array(256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    crc16Table[b] = c;
  }
  const crc5Table = new Uint8Array(2048);
  for (let v = 0; v < 2048; v++) {
    let c = 0x1f;
    for (let i = 0; i < 11; i++) c = (c ^ (v >>> i)) & 1 ? (c >>> 1) ^ 0x14 : c >>> 1;
    crc5Table[v] = ~c & 0x1f;
  }
  const pids = new Float64Array(256);
  let bad = 0;
  let packets = 0;
  const t0 = now();
  const c0 = cpuNow();
  return new Promise((resolve, reject) => {
    const parser = pcapParser.parse(file);
    parser.on("packet", (packet: { header: { capturedLength: number }; data: Uint8Array }) => {
      packets++;
      const d = packet.data;
      const len = d.length;
      if (len === 0) return;
      const pid = d[0]!;
      pids[pid]++;
      if (pid >> 4 !== (~pid & 0x0f)) {
        bad++;
        return;
      }
      const code = pid & 0x0f;
      if ((code & 3) === 3) {
        let crc = 0xffff;
        for (let i = 1; i < len - 2; i++) crc = (crc >>> 8) ^ crc16Table[(crc ^ d[i]!) & 0xff]!;
        if ((~crc & 0xffff) !== (d[len - 2]! | (d[len - 1]! << 8))) bad++;
      } else if (((code & 3) === 1 || code === 4) && len === 3) {
        const field = d[1]! | ((d[2]! & 7) << 8);
        if (crc5Table[field] !== d[2]! >> 3) bad++;
      }
    });
    parser.on("error", reject);
    parser.on("end", () => {
      resolve({
        seconds: now() - t0,
        cpuSeconds: cpuNow() - c0,
        bytes: statSync(file).size,
        packets,
        maxRssKB: process.resourceUsage().maxRSS,
        note: `${bad} bad`,
      });
    });
  });
}

/**
 * The CRC16 paths alone on 512-byte payloads (the bulk packet size), 64 MiB per timing:
 * seconds per mode in `modes`, bytes = bytes hashed per timing.
 */
async function crc(wasmFile: string): Promise<WorkerResult> {
  const { instance } = await WebAssembly.instantiate(readFileSync(wasmFile), {
    env: {
      abort() {
        throw new Error("abort");
      },
    },
  });
  const e = instance.exports as unknown as {
    memory: WebAssembly.Memory;
    init(n: number): number;
    run(len: number, packet: number, mode: number): number;
  };
  const n = 4 << 20;
  const reps = 16;
  const at = e.init(n);
  const b = new Uint8Array(e.memory.buffer, at, n);
  for (let i = 0; i < n; i++) b[i] = Math.imul(i, 2654435761) >>> 24;
  const modes: Record<string, [number, number]> = {};
  for (const mode of [0, 2, 1]) {
    warmUp(() => e.run(1 << 16, 512, mode));
    let best: [number, number] = [Infinity, Infinity];
    for (let r = 0; r < 3; r++) {
      const [, wall, cpu] = timed(() => {
        for (let q = 0; q < reps; q++) e.run(n, 512, mode);
      });
      if (cpu < best[1]) best = [wall, cpu];
    }
    modes[String(mode)] = best;
  }
  return {
    seconds: modes["0"]![0],
    cpuSeconds: modes["0"]![1],
    bytes: n * reps,
    packets: (n / 512) * reps,
    maxRssKB: process.resourceUsage().maxRSS,
    modes,
  };
}

/**
 * Let V8 finish the optimizing compiles that loading this worker's modules started (Node's module
 * loader runs its URL and path helpers hundreds of times) before any clock starts: on 2 cores they
 * otherwise land in the first timed measurement's CPU time, which is meant to be the analysis's.
 */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

const [mode, file] = process.argv.slice(2);
const modes: Record<string, (f: string) => Promise<WorkerResult>> = {
  core,
  reader,
  analyze,
  analyzeWarm,
  urbTransfers,
  js,
  crc,
  packets: (f) => packetLines(f),
  packetsFilter: (f) => packetLines(f, PACKETS_FILTER),
};
if (!mode || !file || !modes[mode]) {
  console.error(
    "usage: worker.js <core|reader|analyze|analyzeWarm|urbTransfers|js|crc|packets|packetsFilter> <file>",
  );
  process.exit(2);
}
settle()
  .then(() => modes[mode]!(file))
  .then(
    (r) => console.log(JSON.stringify(r)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
