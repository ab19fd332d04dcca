// The WASM core seen from TypeScript: instantiation, the memory map, and typed-array views onto the
// packet table. Views are rebuilt after every call that may grow memory (ensureInput, and decode when
// a pcapng section describes more interfaces than the core's table holds), because a grown memory
// detaches the old ArrayBuffer (STYLE "things to avoid" 2).
import type { RecordBatch } from "../usb/model.js";
import { DecodeState } from "../../as/shared/constants.js";

/** The exports of as/index.ts. */
export interface CoreExports {
  memory: WebAssembly.Memory;
  init(batchCapacity: number, inputCapacity: number): number;
  ensureInput(capacity: number): number;
  reset(): void;
  decode(avail: number, eof: number): number;
  setCrcMode(mode: number): void;
  compact(): number;
  summarize(count: number): number;
  summaryPidCounts(): number;
  summaryHeader(): number;
  summaryRows(): number;
  position(): number;
  state(): number;
  errorCode(): number;
  errorOffset(): number;
  needBytes(): number;
  format(): number;
  bigEndian(): number;
  inputPtr(): number;
  inputCapacity(): number;
  batchCapacity(): number;
  records(): number;
  sections(): number;
  interfaces(): number;
  customBlocks(): number;
  statsBlocks(): number;
  nameBlocks(): number;
  otherBlocks(): number;
  interfaceRecords(g: number): number;
  interfaceLinktype(g: number): number;
  interfaceSection(g: number): number;
  overflowAnalysed(): number;
  overflowOther(): number;
  errorInRecord(): number;
  errorInterface(): number;
  timeFixes(): number;
  timeFixKinds(): number;
  timeFixRecord(): number;
  timeFixOffset(): number;
  colOffset(): number;
  colTsSec(): number;
  colTsNsec(): number;
  colLinktype(): number;
  colPid(): number;
  colStatus(): number;
  colAddress(): number;
  colEndpoint(): number;
  colFrame(): number;
  colDataOffset(): number;
  colDataLength(): number;
  colOrigLength(): number;
  colInterface(): number;
}

export { DecodeState };

/**
 * What the core counts in one pass over a batch (as/summary.ts), so the packet checks need not
 * visit every record: raw packets per PID byte, the non-raw records, whether the batch has one link
 * type, and the rows that need a closer look (malformed raw packets and SOFs), in row order.
 */
export interface BatchSummary {
  /** Raw packets (status other than NOT_RAW) per PID byte; 256 entries. */
  readonly rawPidCounts: Uint32Array;
  /** Records with status NOT_RAW. */
  readonly notRaw: number;
  /** Every record of the batch has the link type of record 0. */
  readonly uniformLinktype: boolean;
  /** Rows listed in `rows[0 .. listed)`. */
  readonly listed: number;
  readonly rows: Uint32Array;
}

/** A batch that can be summarized: the reader's batches come from a Core and are. */
export interface SummarizedBatch {
  /** The summary of `batch` when it is this core's own batch object; null otherwise (a test's hand-made batch, a copy). */
  summary(batch: RecordBatch): BatchSummary | null;
}

/** The summary of `b` from the core that made it, or null when it has none (batches built elsewhere). */
export function batchSummary(b: RecordBatch): BatchSummary | null {
  const s = (b as Partial<SummarizedBatch>).summary;
  return s === undefined ? null : s(b);
}

export const DEFAULT_BATCH_CAPACITY = 1 << 16;
export const DEFAULT_INPUT_CAPACITY = 4 << 20;

/**
 * One instance of the core. Holds the batch views; `batch` is the same object every call, with
 * its arrays re-pointed, so decoding makes no JS object per packet or per batch.
 */
export class Core {
  readonly exports: CoreExports;
  readonly batch: RecordBatch & SummarizedBatch;
  private buffer: ArrayBuffer | null = null;
  private summaryPids = new Uint32Array(0);
  private summaryHead = new Uint32Array(0);
  private summaryRowList = new Uint32Array(0);

  constructor(
    instance: WebAssembly.Instance,
    batchCapacity = DEFAULT_BATCH_CAPACITY,
    inputCapacity = DEFAULT_INPUT_CAPACITY,
  ) {
    const raw = instance.exports as unknown as CoreExports;
    // Callers read `batch` right after exports.decode, and decode may have grown memory: so decode
    // re-points the views itself (one buffer comparison per batch when nothing grew).
    this.exports = {
      ...raw,
      decode: (avail: number, eof: number): number => {
        const rows = raw.decode(avail, eof);
        this.refreshViews();
        return rows;
      },
    };
    if (!this.exports.init(batchCapacity, inputCapacity))
      throw new Error("usbscope core: cannot allocate WASM memory");
    const empty = new Uint8Array(0);
    this.batch = {
      firstIndex: 0,
      count: 0,
      bytes: empty,
      offset: new Float64Array(0),
      tsSec: new Float64Array(0),
      tsNsec: new Uint32Array(0),
      linktype: new Uint16Array(0),
      pid: empty,
      status: empty,
      address: empty,
      endpoint: empty,
      frame: new Uint16Array(0),
      dataOffset: new Uint32Array(0),
      dataLength: new Uint32Array(0),
      origLength: new Uint32Array(0),
      interface: new Uint32Array(0),
      summary: (batch) => this.summarize(batch),
    };
    this.refreshViews();
  }

  /** Re-point the views when memory has grown (cheap check: same ArrayBuffer means nothing to do). */
  refreshViews(): void {
    const buf = this.exports.memory.buffer;
    if (buf === this.buffer) return;
    this.buffer = buf;
    const e = this.exports;
    const n = e.batchCapacity();
    const b = this.batch;
    b.bytes = new Uint8Array(buf, e.inputPtr(), e.inputCapacity());
    b.offset = new Float64Array(buf, e.colOffset(), n);
    b.tsSec = new Float64Array(buf, e.colTsSec(), n);
    b.tsNsec = new Uint32Array(buf, e.colTsNsec(), n);
    b.linktype = new Uint16Array(buf, e.colLinktype(), n);
    b.pid = new Uint8Array(buf, e.colPid(), n);
    b.status = new Uint8Array(buf, e.colStatus(), n);
    b.address = new Uint8Array(buf, e.colAddress(), n);
    b.endpoint = new Uint8Array(buf, e.colEndpoint(), n);
    b.frame = new Uint16Array(buf, e.colFrame(), n);
    b.dataOffset = new Uint32Array(buf, e.colDataOffset(), n);
    b.dataLength = new Uint32Array(buf, e.colDataLength(), n);
    b.origLength = new Uint32Array(buf, e.colOrigLength(), n);
    b.interface = new Uint32Array(buf, e.colInterface(), n);
    this.summaryPids = new Uint32Array(buf, e.summaryPidCounts(), 256);
    this.summaryHead = new Uint32Array(buf, e.summaryHeader(), 4);
    this.summaryRowList = new Uint32Array(buf, e.summaryRows(), n);
  }

  /**
   * Summarize `batch` (as/summary.ts) when it is this core's own batch over its own columns: the
   * core reads rows [0, batch.count) of its packet table, which are that batch's records.
   */
  summarize(batch: RecordBatch): BatchSummary | null {
    const b = this.batch;
    if (batch !== b || batch.count > this.exports.batchCapacity()) return null;
    this.refreshViews();
    const listed = this.exports.summarize(batch.count);
    const head = this.summaryHead;
    return {
      rawPidCounts: this.summaryPids,
      notRaw: head[2]!,
      uniformLinktype: head[1] === 1,
      listed,
      rows: this.summaryRowList,
    };
  }

  /** The input region as a view (valid until the next ensureInput). */
  input(): Uint8Array {
    this.refreshViews();
    return this.batch.bytes;
  }

  /** Grow the input region; returns false when WASM memory cannot grow that far. */
  ensureInput(capacity: number): boolean {
    const ok = this.exports.ensureInput(capacity) !== 0;
    // The views must cover the new capacity even if the ArrayBuffer did not change.
    this.buffer = null;
    this.refreshViews();
    return ok;
  }
}

let modulePromise: Promise<WebAssembly.Module> | null = null;
let moduleSync: WebAssembly.Module | null = null;

/** Locate build/usbscope.wasm (release) or the debug build from this file, in src/ or dist/. */
async function wasmBytes(debug: boolean): Promise<Uint8Array<ArrayBuffer>> {
  const name = debug ? "usbscope.debug.wasm" : "usbscope.wasm";
  const { readFileSync, existsSync } = await import("node:fs");
  const { fileURLToPath } = await import("node:url");
  const path = await import("node:path");
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, "build", name);
    if (existsSync(candidate)) return new Uint8Array(readFileSync(candidate));
    dir = path.dirname(dir);
  }
  throw new Error(`usbscope core: build/${name} not found; run "npm run build:wasm"`);
}

/** Compile the core once per process (Node). */
export async function loadCoreModule(debug = false): Promise<WebAssembly.Module> {
  if (debug) return WebAssembly.compile(await wasmBytes(true));
  if (moduleSync) return moduleSync;
  modulePromise ??= wasmBytes(false).then((bytes) => WebAssembly.compile(bytes));
  moduleSync = await modulePromise;
  return moduleSync;
}

/** Provide an already compiled module (the browser viewer fetches and compiles it itself). */
export function setCoreModule(module: WebAssembly.Module): void {
  moduleSync = module;
  modulePromise = Promise.resolve(module);
}

/** A fresh core instance with its own memory. */
export async function createCore(
  options: { debug?: boolean; batchCapacity?: number; inputCapacity?: number } = {},
): Promise<Core> {
  const module = await loadCoreModule(options.debug ?? false);
  const instance = await WebAssembly.instantiate(module, {
    env: {
      abort(_msg: number, _file: number, line: number, col: number): never {
        throw new Error(`usbscope core aborted at ${line}:${col}`);
      },
    },
  });
  return new Core(instance, options.batchCapacity, options.inputCapacity);
}
