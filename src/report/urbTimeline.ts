// The timeline's data for host captures (usbmon, USBPcap, usbmon text): the URBs' data bytes per endpoint
// per bucket, the URBs completed, and the failed ones (stall, error) as markers, for any window, one bucket
// per pixel. Host captures see no packets, so no NAKs: a NAKed poll is a URB still pending. Each URB counts at
// its completion (its submission when it never completed). A run of repeats folded into one transfer
// (urbTransfers.ts) spreads its URBs evenly over the run's time span: the capture says only its first and last.
// Endpoints are keyed by bus too (a host capture of every bus has device 1 on each), labelled as the tree
// labels URBs: "bus.device.endpoint DIR".
import { secondsBetween } from "../usb/time.js";
import type { RecordColumns } from "./recordColumns.js";
import { MAX_ENDPOINT_SERIES, type HistogramSeries, type TrafficWindow } from "./trafficHistogram.js";
import { LEAF_COMPLETE, TRANSFER_KINDS, type TransferColumns } from "./transferColumns.js";

const POLLING = TRANSFER_KINDS.indexOf("polling");

/** The URBs of a capture by time, in columns. */
export class UrbTimeline {
  /**
   * Per URB transfer, sorted by time: seconds since the first record, endpoint (an index into `labels`),
   * data bytes, failed (an error completion that says something against the device: TransferColumns.urbFailed).
   */
  readonly time: Float64Array;
  readonly key: Uint32Array;
  readonly bytes: Float64Array;
  readonly failed: Uint8Array;
  /** Repeat runs: the run's URBs other than `time`'s one, spread over (runStart, runEnd]. */
  readonly runStart: Float64Array;
  readonly runEnd: Float64Array;
  readonly runCount: Float64Array;
  readonly runOf: Uint32Array;
  private readonly maxRun: number;
  /** Endpoints (indices into `labels`) by data bytes over the capture, most first. */
  readonly endpoints: number[];
  /** Each endpoint as "bus.device.endpoint DIR" ("device.endpoint DIR" when the capture names no bus). */
  readonly labels: string[] = [];

  /**
   * `records`: the record columns (URB records of pcap and pcapng have their times there); `first`: the time
   * of the capture's first record, for usbmon text whose events are in no record column.
   */
  constructor(
    transfers: TransferColumns,
    records: RecordColumns,
    first: { sec: number; nsec: number } | undefined,
  ) {
    const tr = transfers;
    const seconds = (sec: number, nsec: number) =>
      Number.isNaN(sec) || !first ? NaN : secondsBetween(first, { sec, nsec });
    const at = (record: number, sec: number, nsec: number) =>
      record >= 0 && record < records.count ? records.time.data[record]! : seconds(sec, nsec);
    const idx: number[] = [];
    const t = new Float64Array(tr.count);
    for (let i = 0; i < tr.count; i++) {
      if (!tr.isUrb.data[i] || tr.kind.data[i] === POLLING) continue;
      const v = at(eventRecord(tr, i), tr.endSec.data[i]!, tr.endNsec.data[i]!);
      if (Number.isNaN(v)) continue;
      t[i] = v;
      idx.push(i);
    }
    idx.sort((a, b) => t[a]! - t[b]! || a - b);
    const n = idx.length;
    this.time = new Float64Array(n);
    this.key = new Uint32Array(n);
    this.bytes = new Float64Array(n);
    this.failed = new Uint8Array(n);
    const runs: number[] = [];
    const total: number[] = [];
    const keyOf = new Map<string, number>();
    for (let k = 0; k < n; k++) {
      const i = idx[k]!;
      this.time[k] = t[i]!;
      const bus = tr.bus.data[i]!;
      const label = `${bus >= 0 ? `${bus}.` : ""}${tr.device.data[i]}.${tr.endpoint.data[i]} ${tr.dirIn.data[i] ? "IN" : "OUT"}`;
      let key = keyOf.get(label);
      if (key === undefined) {
        key = this.labels.length;
        keyOf.set(label, key);
        this.labels.push(label);
        total.push(0);
      }
      this.key[k] = key;
      const len = tr.dataLength.data[i]!;
      this.bytes[k] = len;
      this.failed[k] = tr.urbFailed.data[i]!;
      const rep = tr.repeat.data[i]!;
      total[key] += len * Math.max(1, rep);
      if (rep > 1) runs.push(k, i);
    }
    const r = runs.length / 2;
    this.runStart = new Float64Array(r);
    this.runEnd = new Float64Array(r);
    this.runCount = new Float64Array(r);
    this.runOf = new Uint32Array(r);
    let maxRun = 0;
    for (let j = 0; j < r; j++) {
      const k = runs[2 * j]!,
        i = runs[2 * j + 1]!;
      const s = this.time[k]!;
      const e = seconds(tr.repeatEndSec.data[i]!, tr.repeatEndNsec.data[i]!);
      this.runStart[j] = s;
      this.runEnd[j] = Number.isNaN(e) || e < s ? s : e;
      this.runCount[j] = tr.repeat.data[i]! - 1;
      this.runOf[j] = k;
      maxRun = Math.max(maxRun, this.runEnd[j]! - s);
    }
    this.maxRun = maxRun;
    const keys: number[] = [];
    for (let k = 0; k < total.length; k++) if (total[k]! > 0) keys.push(k);
    keys.sort((a, b) => total[b]! - total[a]! || a - b);
    this.endpoints = keys;
  }

  get count(): number {
    return this.time.length;
  }

  /** Buckets of [from, to] seconds, `pixels` of them: bytes per endpoint, URBs, failed URBs. */
  window(from: number, to: number, pixels: number): TrafficWindow {
    const n = Math.max(1, Math.floor(pixels));
    if (!(to > from)) to = from + 1e-6;
    const w = (to - from) / n;
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = from + i * w;
    const shown = this.endpoints.slice(0, MAX_ENDPOINT_SERIES);
    const seriesOf = new Int16Array(this.labels.length).fill(shown.length);
    shown.forEach((k, i) => (seriesOf[k] = i));
    const epValues = shown.map(() => new Float64Array(n));
    const otherValues = new Float64Array(n);
    const urbs = new Float64Array(n);
    const failed = new Float64Array(n);
    const add = (k: number, b: number, count: number) => {
      const si = seriesOf[this.key[k]!]!;
      const v = this.bytes[k]! * count;
      if (si < shown.length) epValues[si]![b] += v;
      else otherValues[b] += v;
      urbs[b] += count;
      if (this.failed[k]) failed[b] += count;
    };
    const bucket = (t: number) => Math.min(n - 1, Math.max(0, Math.floor((t - from) / w)));
    let inWindow = 0;
    // A nanosecond of slack: times are differences of seconds and nanoseconds, rounded in two ways.
    const last = to + 1e-9;
    let k = lowerBound(this.time, from - 1e-9);
    for (; k < this.count; k++) {
      const t = this.time[k]!;
      if (t > last) break;
      add(k, bucket(t), 1);
      inWindow++;
    }
    // Repeat runs overlapping the window: their URBs at evenly spaced times after the run's first.
    for (let j = lowerBound(this.runStart, from - this.maxRun); j < this.runStart.length; j++) {
      const s = this.runStart[j]!;
      if (s > to) break;
      const e = this.runEnd[j]!,
        c = this.runCount[j]!;
      if (e < from || c <= 0) continue;
      const step = (e - s) / c;
      // URB m (1..c) at s + m·step: those in [from, to], bucket by bucket.
      const countUpTo = (t: number) =>
        step > 0 ? Math.max(0, Math.min(c, Math.floor((t - s) / step))) : t >= s ? c : 0;
      let before = countUpTo(from - Number.EPSILON * Math.max(1, Math.abs(from)));
      for (let b = bucket(s + (before + 1) * step); b < n && from + b * w <= e; b++) {
        const upTo = countUpTo(b === n - 1 ? to : from + (b + 1) * w);
        if (upTo > before) {
          add(this.runOf[j]!, b, upTo - before);
          inWindow += upTo - before;
          before = upTo;
        }
        if (before >= c) break;
      }
    }
    const series: HistogramSeries[] = shown.map((key, i) => ({
      label: `${this.labels[key]} bytes`,
      unit: "bytes",
      values: epValues[i]!,
    }));
    if (this.endpoints.length > shown.length)
      series.push({ label: "other endpoints bytes", unit: "bytes", values: otherValues });
    series.push({ label: "URBs", unit: "count", values: urbs });
    series.push({ label: "errors", unit: "count", points: true, values: failed });
    return { from, to, bucket: w, x, series, records: inWindow };
  }
}

/** The record of the URB's completion (its submission when it has none); -1 when neither. */
function eventRecord(tr: TransferColumns, t: number): number {
  const s = tr.childStart.data[t]!,
    n = tr.childCount.data[t]!;
  if (n === 0) return -1;
  for (let l = s; l < s + n; l++) if (tr.leafKind.data[l] === LEAF_COMPLETE) return tr.leafRecord.data[l]!;
  return tr.leafRecord.data[s]!;
}

function lowerBound(a: Float64Array, t: number): number {
  let lo = 0,
    hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
