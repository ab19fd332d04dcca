// The timeline's data for a time window: one bucket per pixel, recomputed from the record columns for
// every window (zoom or pan), so a zoomed window always draws its own data. Series: data bytes per
// bucket for the busiest endpoints (and the others together), NAK handshakes, packets in error, and
// for host captures the URB records.
import { PacketStatus, Pid } from "../../as/shared/constants.js";
import { NO_ENDPOINT, endpointKeyText, type RecordColumns } from "./recordColumns.js";

/** Endpoints drawn as their own series; the rest are summed into one. */
export const MAX_ENDPOINT_SERIES = 6;

export interface HistogramSeries {
  label: string;
  /** "bytes" (left axis) or "count" (right axis). */
  unit: "bytes" | "count";
  /** Error markers: counts drawn as points, not a line. */
  points?: boolean;
  values: Float64Array;
}

export interface TrafficWindow {
  from: number;
  to: number;
  /** Bucket width in seconds. */
  bucket: number;
  /** Bucket start times. */
  x: Float64Array;
  series: HistogramSeries[];
  /** Records in the window. */
  records: number;
}

/** Which endpoints get their own series: the most data bytes over the whole capture. */
export function busiestEndpoints(rc: RecordColumns): number[] {
  const bytes = new Float64Array(0x1000);
  const key = rc.epKey.data,
    pid = rc.pid.data,
    status = rc.status.data,
    len = rc.length.data;
  for (let r = 0; r < rc.count; r++) {
    const k = key[r]!;
    if (k === NO_ENDPOINT || status[r] !== PacketStatus.OK || (pid[r]! & 0x03) !== 0x03) continue;
    bytes[k] += Math.max(0, len[r]! - 3);
  }
  const keys: number[] = [];
  for (let k = 0; k < bytes.length; k++) if (bytes[k]! > 0) keys.push(k);
  keys.sort((a, b) => bytes[b]! - bytes[a]! || a - b);
  return keys;
}

/** First record at or after time `t` (records are in capture order; times are assumed not to go back). */
export function recordAt(rc: RecordColumns, t: number): number {
  const time = rc.time.data;
  let lo = 0,
    hi = rc.count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (time[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Buckets of [from, to] seconds, `pixels` of them. */
export function trafficWindow(
  rc: RecordColumns,
  endpoints: readonly number[],
  from: number,
  to: number,
  pixels: number,
): TrafficWindow {
  const n = Math.max(1, Math.floor(pixels));
  if (!(to > from)) to = from + 1e-6;
  const w = (to - from) / n;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = from + i * w;
  const shown = endpoints.slice(0, MAX_ENDPOINT_SERIES);
  const seriesOf = new Int16Array(0x1000).fill(shown.length);
  shown.forEach((k, i) => (seriesOf[k] = i));
  const others = endpoints.length > shown.length;
  const epValues = shown.map(() => new Float64Array(n));
  const otherValues = new Float64Array(n);
  const naks = new Float64Array(n);
  const errors = new Float64Array(n);
  const urbs = new Float64Array(n);
  const time = rc.time.data,
    key = rc.epKey.data,
    pid = rc.pid.data,
    status = rc.status.data,
    len = rc.length.data;
  const start = recordAt(rc, from);
  let r = start;
  for (; r < rc.count; r++) {
    const t = time[r]!;
    if (t > to) break;
    let b = Math.floor((t - from) / w);
    if (b >= n) b = n - 1;
    if (b < 0) b = 0;
    const s = status[r]!;
    if (s === PacketStatus.NOT_RAW) {
      urbs[b]++;
      continue;
    }
    if (s !== PacketStatus.OK) {
      errors[b]++;
      continue;
    }
    const p = pid[r]!;
    if (p === Pid.NAK) naks[b]++;
    else if ((p & 0x03) === 0x03 && key[r] !== NO_ENDPOINT) {
      const si = seriesOf[key[r]!]!;
      const v = Math.max(0, len[r]! - 3);
      if (si < shown.length) epValues[si]![b] += v;
      else otherValues[b] += v;
    }
  }
  const series: HistogramSeries[] = shown.map((k, i) => ({
    label: `${endpointKeyText(k)} bytes`,
    unit: "bytes",
    values: epValues[i]!,
  }));
  if (others) series.push({ label: "other endpoints bytes", unit: "bytes", values: otherValues });
  series.push({ label: "NAKs", unit: "count", values: naks });
  series.push({ label: "errors", unit: "count", points: true, values: errors });
  series.push({ label: "URB records", unit: "count", values: urbs });
  return { from, to, bucket: w, x, series, records: r - start };
}
