// @ts-check
// One capture's analysis and the views on it, where the analysis runs (the Web Worker, or the page
// when workers are unavailable). Two passes over the bytes in memory: the analysis the CLI makes
// (summary, findings, devices), then the record columns and the transfers for the tree and timeline. The page asks for rows, details and timeline windows by method name.
import {
  analysisJson,
  analyzeSource,
  bufferSource,
  busiestEndpoints,
  compileFilterOptions,
  FilterError,
  gatherFacts,
  deviceDiagnosisLines,
  msBetween,
  renderDevice,
  RecordColumns,
  secondsBetween,
  setCoreModule,
  TransferColumns,
  trafficWindow,
  UrbTimeline,
  ViewModel,
} from "../dist/src/index.js";

/** @typedef {import("../dist/src/index.js").AnalysisResult} AnalysisResult */

/** Compile the WASM core once, from bytes (a report inlines them) or from build/usbscope.wasm. */
let coreReady = /** @type {Promise<void> | null} */ (null);
export function loadCore(/** @type {Uint8Array | undefined} */ wasm) {
  coreReady ??= (async () => {
    let bytes = wasm;
    if (!bytes) {
      const url = new URL("../build/usbscope.wasm", import.meta.url);
      const response = await fetch(url);
      if (!response.ok) throw new Error(`cannot load ${url.pathname}: HTTP ${response.status}`);
      bytes = new Uint8Array(await response.arrayBuffer());
    }
    setCoreModule(await WebAssembly.compile(/** @type {BufferSource} */ (bytes)));
  })();
  return coreReady;
}

/** A ByteSource over the capture that reports how far the reader got. */
function progressSource(/** @type {Uint8Array} */ bytes, /** @type {(n: number) => void} */ onBytes) {
  const inner = bufferSource(bytes);
  let done = 0;
  return {
    async read(/** @type {Uint8Array} */ into) {
      const n = await inner.read(into);
      done += n;
      onBytes(done);
      return n;
    },
    close: () => inner.close(),
  };
}

export class Session {
  constructor() {
    /** @type {ViewModel | null} */
    this.model = null;
    /** @type {AnalysisResult | null} */
    this.result = null;
    /** @type {number[]} */
    this.endpoints = [];
    /** @type {UrbTimeline | null} the timeline of a host capture (its URBs), null for a raw one */
    this.urbTimeline = null;
    /** @type {{ from: number, to: number } | null} */
    this.timeRange = null;
    /** @type {Uint8Array | null} */
    this.bytes = null;
    this.name = "";
    /** @type {Uint8Array | null} the filter's top-level mask */
    this.filterMask = null;
    /** @type {Uint8Array | null} the records the filter selected (packets, URB events, records of runs) */
    this.recordMatch = null;
    /** @type {Uint8Array | null} the transfers the filter kept whole */
    this.wholeTransfers = null;
    /** @type {import("../dist/src/index.js").CaptureFacts | null} */
    this.facts = null;
  }

  /**
   * @param {Uint8Array} bytes the whole capture
   * @param {string} name
   * @param {(p: { phase: string, bytes: number, total: number, records: number }) => void} [onProgress]
   * @param {Uint8Array} [wasm]
   */
  async load(bytes, name, onProgress, wasm) {
    await loadCore(wasm);
    const total = bytes.length;
    let records = 0;
    let last = 0;
    const report = (/** @type {string} */ phase, /** @type {number} */ n, force = false) => {
      const now = performance.now();
      if (!force && now - last < 50) return;
      last = now;
      onProgress?.({ phase, bytes: n, total, records });
    };
    const started = performance.now();
    // Pass 1: exactly the CLI's analysis (summary, findings, devices), so its speed compares with the CLI's.
    const r = await analyzeSource(
      progressSource(bytes, (n) => report("analysis", n)),
      name,
    );
    const analysisMillis = performance.now() - started;
    report("tree", 0, true);
    // Pass 2: the record columns and the transfers for the tree and the timeline.
    const columns = new RecordColumns(bytes, (n) => (records = n));
    const transfers = new TransferColumns();
    await analyzeSource(
      progressSource(bytes, (n) => report("tree", n)),
      name,
      { sinks: [columns], onTransfer: transfers.add, maxFindingsPerRule: 0, keepControlTransfers: false },
    );
    this.result = r;
    this.bytes = bytes;
    this.name = name;
    this.facts = null;
    this.filterMask = null;
    this.recordMatch = null;
    this.wholeTransfers = null;
    this.model = new ViewModel(r, columns, transfers);
    this.endpoints = busiestEndpoints(columns);
    // A host capture (no raw packet, URBs): the timeline counts URBs and their bytes, usbmon text too.
    this.urbTimeline =
      !r.packets && transfers.isUrb.view().includes(1)
        ? new UrbTimeline(transfers, columns, r.firstTime ?? undefined)
        : null;
    const chart = this.urbTimeline
      ? this.urbTimeline.count > 0
        ? "urbs"
        : null
      : columns.count > 0
        ? "packets"
        : null;
    this.timeRange = null;
    const doc = /** @type {any} */ (analysisJson(r));
    const duration = r.firstTime && r.lastTime ? secondsBetween(r.firstTime, r.lastTime) : 0;
    return {
      file: doc.file,
      format: doc.format,
      linktype: doc.linktype,
      speed: doc.speed,
      records: doc.records,
      summary: doc.summary,
      framingError: doc.framingError,
      busEvents: doc.busEvents ? doc.busEvents.counts : null,
      duration,
      hasRecords: columns.count > 0,
      chart,
      rows: this.model.rowCount,
      transfers: transfers.count,
      analysisMillis,
      millis: performance.now() - started,
    };
  }

  /** @returns {ViewModel} */
  get m() {
    if (!this.model) throw new Error("no capture loaded");
    return this.model;
  }

  rows(/** @type {number} */ from, /** @type {number} */ count) {
    return { rowCount: this.m.rowCount, rows: this.m.rows(from, count) };
  }

  toggle(/** @type {number} */ row) {
    return this.m.toggle(row);
  }

  rowOf(/** @type {number} */ id) {
    return this.m.rowOf(id);
  }

  details(/** @type {number} */ row) {
    return this.m.details(row);
  }

  /** The row of record `record`, expanding what holds it (the time range is cleared when it hides it). */
  locate(/** @type {number} */ record) {
    let row = this.m.locateRecord(record);
    if (row < 0 && this.timeRange) {
      this.setTimeRange(null);
      row = this.m.locateRecord(record);
    }
    return { row, rowCount: this.m.rowCount };
  }

  /** Keep only the rows in [from, to] seconds (null: all) at every depth, and what the filter keeps. */
  setTimeRange(/** @type {{ from: number, to: number } | null} */ range) {
    this.timeRange = range;
    return this.applyMasks();
  }

  applyMasks() {
    const m = this.m;
    let mask = this.filterMask;
    if (this.timeRange) {
      const time = m.timeMask(this.timeRange.from, this.timeRange.to);
      if (mask) for (let i = 0; i < time.length; i++) time[i] &= mask[i];
      mask = time;
    }
    m.setTopMask(mask);
    m.setChildFilter(this.recordMatch, this.wholeTransfers, this.timeRange);
    return m.rowCount;
  }

  /**
   * The filter bar: the CLI's filter language (and its --hide-sof, --hide-polls), judged here in one
   * more pass over the capture: transfers by the transfer predicate, records by the packet selector.
   * Returns the row count, or the error with its column.
   * @param {{ filter?: string, hideSof?: boolean, hidePolls?: boolean }} options
   */
  async setFilter(options) {
    const opts = {
      filter: options.filter?.trim() ? options.filter : undefined,
      hideSof: options.hideSof || undefined,
      hidePolls: options.hidePolls || undefined,
    };
    const m = this.m;
    const bytes = /** @type {Uint8Array} */ (this.bytes);
    let f;
    try {
      f = compileFilterOptions(opts);
      if (f?.needsFacts) {
        this.facts ??= await gatherFacts(bufferSource(bytes), this.name);
        f = compileFilterOptions(opts, this.facts);
      }
    } catch (e) {
      if (e instanceof FilterError)
        return { error: { message: e.message, column: e.column }, rowCount: m.rowCount };
      throw e;
    }
    if (!f) {
      this.filterMask = null;
      this.recordMatch = null;
      this.wholeTransfers = null;
      return { rowCount: this.applyMasks(), shown: m.topCountAll };
    }
    const transferMatch = new Uint8Array(m.transfers.count);
    // By record index: raw packets from the packet selector; URB events (usbmon text too: its records are
    // lines, not in the record columns) judged by the URB predicate, as `usbscope packets` judges them.
    const recordMatch = new Uint8Array(Math.max(m.records.count, m.recordTransfer.length));
    /** 0: not a URB event, 1: an event the filter left out, 2: selected. */
    const urbMatch = new Uint8Array(recordMatch.length);
    let t = 0;
    const selector = f.packetSelector((batch, mask) => {
      const first = batch.firstIndex;
      for (let i = 0; i < batch.count; i++) if (mask[i]) recordMatch[first + i] = 1;
    });
    const filter = f;
    await analyzeSource(bufferSource(bytes), this.name, {
      sinks: [{ onBatch: (b) => selector.push(b), onEnd: () => selector.end() }],
      onTransfer: (tr) => {
        if (t < transferMatch.length) transferMatch[t] = filter.transfer(tr) ? 1 : 0;
        t++;
      },
      onUrbEvent: (ev) => {
        filter.env.origin ??= ev.time;
        if (ev.record < urbMatch.length) urbMatch[ev.record] = filter.urb(ev) ? 2 : 1;
      },
      transferData: f.needsData,
      maxFindingsPerRule: 0,
      keepControlTransfers: false,
    });
    for (let r = 0; r < urbMatch.length; r++) if (urbMatch[r]) recordMatch[r] = urbMatch[r] - 1;
    const { top, whole } = m.filterMasks(transferMatch, recordMatch);
    this.filterMask = top;
    this.recordMatch = recordMatch;
    this.wholeTransfers = whole;
    let shown = 0;
    for (const v of this.filterMask) shown += v;
    return { rowCount: this.applyMasks(), shown };
  }

  /** Timeline buckets for [from, to] seconds, one per pixel. */
  window(/** @type {number} */ from, /** @type {number} */ to, /** @type {number} */ pixels) {
    if (this.urbTimeline) return this.urbTimeline.window(from, to, pixels);
    return trafficWindow(this.m.records, this.endpoints, from, to, pixels);
  }

  /** Findings grouped by rule, errors first, then warnings, then infos; within a group, in capture order. */
  findings() {
    const r = /** @type {AnalysisResult} */ (this.result);
    const t0 = r.firstTime;
    /** @type {Map<string, any>} */
    const groups = new Map();
    this.m.findings.forEach((f, i) => {
      let g = groups.get(f.rule);
      if (!g)
        groups.set(
          f.rule,
          (g = { rule: f.rule, severity: f.severity, spec: f.spec ?? "", count: 0, notListed: 0, items: [] }),
        );
      g.count++;
      g.items.push({
        index: i,
        packet: f.packet ?? null,
        offset: f.offset ?? null,
        time: f.time && t0 ? secondsBetween(t0, f.time) : null,
        device: f.device ?? null,
        message: f.message,
      });
    });
    for (const [rule, n] of r.findings.dropped) {
      const g = groups.get(rule);
      if (g) g.notListed = n;
    }
    const rank = { error: 0, warning: 1, info: 2 };
    return [...groups.values()].sort(
      (a, b) =>
        rank[/** @type {"error"} */ (a.severity)] - rank[/** @type {"error"} */ (b.severity)] ||
        b.count - a.count,
    );
  }

  /** Each device: the CLI's diagnosis lines, the enumeration timeline, the descriptor tree with findings. */
  devices() {
    const r = /** @type {AnalysisResult} */ (this.result);
    const d = r.descriptors;
    const t0 = r.firstTime;
    return d.diagnoses.map((diag, i) => {
      const dev = d.devices[i];
      const steps = dev?.timeline ?? [];
      return {
        device: diag.device,
        bus: diag.bus ?? null,
        ok: diag.ok,
        reached: diag.reached,
        verdict: diag.verdict,
        lines: deviceDiagnosisLines(r, i),
        evidence: diag.evidence.map((e) => ({ packet: e.packet, text: e.text })),
        timeline: steps.map((s, k) => ({
          step: s.step,
          packet: s.packet,
          status: s.status,
          length: s.length,
          time: t0 ? secondsBetween(t0, s.time) : null,
          sinceMs: k > 0 ? msBetween(steps[k - 1].time, s.time) : null,
        })),
        tree: d.tracked[i] ? renderDevice(d.tracked[i], d.hitsByDevice[i]) : "",
      };
    });
  }
}
