import { describe, expect, it } from "vitest";
import path from "node:path";
import { analyzeFile } from "../../src/analyze.js";
import { readCapture } from "../../src/capture/reader.js";
import { fileSource } from "../../src/capture/source.js";
import type { RecordBatch } from "../../src/usb/model.js";
import { PacketStatus, Pid } from "../../as/shared/constants.js";
import { chartData, DECIMATE_RATIO } from "../../viewer/decimate.js";
import {
  CLASS_NAMES,
  DATA,
  ERROR,
  HANDSHAKE,
  SOF,
  TOKEN,
  TrafficHistogram,
  URB,
} from "../../viewer/traffic.js";
import { publicDir } from "../helpers/paths.js";

/** A batch as the core hands it over: columns, times relative to t=1000 s. */
function batch(rows: Array<{ t: number; pid: number; status?: number }>, firstIndex = 0): RecordBatch {
  const n = rows.length;
  const b: RecordBatch = {
    firstIndex,
    count: n,
    bytes: new Uint8Array(0),
    offset: new Float64Array(n),
    tsSec: new Float64Array(n),
    tsNsec: new Uint32Array(n),
    linktype: new Uint16Array(n).fill(288),
    pid: new Uint8Array(n),
    status: new Uint8Array(n),
    address: new Uint8Array(n),
    endpoint: new Uint8Array(n),
    frame: new Uint16Array(n),
    dataOffset: new Uint32Array(n),
    dataLength: new Uint32Array(n),
    origLength: new Uint32Array(n),
  };
  rows.forEach((r, i) => {
    const ns = Math.round(r.t * 1e9);
    b.tsSec[i] = 1000 + Math.floor(ns / 1e9);
    b.tsNsec[i] = ns % 1e9;
    b.pid[i] = r.pid;
    b.status[i] = r.status ?? PacketStatus.OK;
  });
  return b;
}

describe("TrafficHistogram", () => {
  it("counts each record in its PID class and 125 µs bucket", () => {
    const h = new TrafficHistogram();
    h.onBatch(
      batch([
        { t: 0, pid: Pid.SOF },
        { t: 0.00001, pid: Pid.IN },
        { t: 0.00002, pid: Pid.DATA1 },
        { t: 0.00003, pid: Pid.ACK },
        { t: 0.0002, pid: Pid.SETUP },
        { t: 0.0002, pid: Pid.NYET },
        { t: 0.0003, pid: Pid.SOF, status: PacketStatus.BAD_CRC5 },
        { t: 0.0004, pid: 0, status: PacketStatus.NOT_RAW },
      ]),
    );
    const j = h.toJSON();
    expect(j.bucketSec).toBe(125e-6);
    expect(j.length).toBe(4);
    expect(j.records).toBe(8);
    expect(Array.from(j.counts[SOF]!)).toEqual([1, 0, 0, 0]);
    expect(Array.from(j.counts[TOKEN]!)).toEqual([1, 1, 0, 0]);
    expect(Array.from(j.counts[DATA]!)).toEqual([1, 0, 0, 0]);
    expect(Array.from(j.counts[HANDSHAKE]!)).toEqual([1, 1, 0, 0]);
    expect(Array.from(j.counts[ERROR]!)).toEqual([0, 0, 1, 0]);
    expect(Array.from(j.counts[URB]!)).toEqual([0, 0, 0, 1]);
    expect(j.totals).toEqual([1, 2, 1, 2, 1, 1]);
    expect(j.names).toEqual(CLASS_NAMES);
  });

  it("doubles the bucket width and merges neighbours when the capture outgrows the bucket limit", () => {
    const h = new TrafficHistogram({ initialBucketSec: 1, maxBuckets: 8 });
    // One packet per second for 20 s: 20 buckets of 1 s do not fit in 8, 4 s buckets do.
    h.onBatch(batch(Array.from({ length: 20 }, (_, i) => ({ t: i + 0.5, pid: Pid.IN }))));
    const j = h.toJSON();
    expect(j.bucketSec).toBe(4);
    expect(j.length).toBe(5);
    expect(Array.from(j.counts[TOKEN]!)).toEqual([4, 4, 4, 4, 4]);
  });

  it("keeps records that go back in time, in the first bucket", () => {
    const h = new TrafficHistogram();
    h.onBatch(
      batch([
        { t: 1, pid: Pid.IN },
        { t: 0.5, pid: Pid.IN },
      ]),
    );
    const j = h.toJSON();
    expect(j.counts[TOKEN]![0]).toBe(2);
    expect(j.length).toBe(1);
  });

  it("counts every record of a real capture, bad CRCs as errors", async () => {
    const file = path.join(publicDir, "real/288-bad-crcs.pcap");
    const h = new TrafficHistogram();
    const source = await fileSource(file);
    const info = await readCapture(source, [h]);
    await source.close();
    const r = await analyzeFile(file);
    expect(h.records).toBe(info.records);
    expect(h.totals.reduce((a, b) => a + b, 0)).toBe(info.records);
    expect(h.totals[ERROR]).toBe(r.findings.countByRule.get("CRC5"));
  });
});

describe("chartData", () => {
  const hist = (values: number[]) => ({
    bucketSec: 0.001,
    length: values.length,
    counts: [Uint32Array.from(values)],
  });

  it("passes buckets through when they are at most 4x the pixels", () => {
    const values = Array.from({ length: 40 }, (_, i) => i % 7);
    const { data, decimated } = chartData(hist(values), 0, 40, 10);
    expect(decimated).toBe(false);
    expect(data[0]!.length).toBe(40);
    expect(data[0]![3]).toBeCloseTo(0.003);
    expect(Array.from(data[1]!)).toEqual(values);
  });

  it("keeps the minimum and maximum of each pixel, in order, when buckets outnumber pixels 4x", () => {
    const n = 1000;
    const values = new Array(n).fill(5);
    values[123] = 90; // one spike
    values[200] = 50; // a peak at the start of pixel 2
    values[700] = 0; // one dip
    const pixels = 10;
    expect(n).toBeGreaterThan(DECIMATE_RATIO * pixels);
    const { data, decimated } = chartData(hist(values), 0, n, pixels);
    expect(decimated).toBe(true);
    expect(data[0]!.length).toBe(2 * pixels);
    const y = Array.from(data[1]!);
    expect(Math.max(...y)).toBe(90);
    expect(Math.min(...y)).toBe(0);
    // Pixel 1 covers buckets 100..199: the spike comes after the minimum (5), so min then max.
    expect(y.slice(2, 4)).toEqual([5, 90]);
    // Pixel 2 starts with its maximum: max then min.
    expect(y.slice(4, 6)).toEqual([50, 5]);
    // Pixel 7 (buckets 700..799) starts with the dip: min then max again.
    expect(y.slice(14, 16)).toEqual([0, 5]);
    expect(data[0]![2]).toBeCloseTo(0.1);
  });

  it("decimates only the visible range", () => {
    const values = Array.from({ length: 1000 }, (_, i) => i);
    const { data, decimated } = chartData(hist(values), 500, 520, 10);
    expect(decimated).toBe(false);
    expect(Array.from(data[1]!)).toEqual(values.slice(500, 520));
    expect(data[0]![0]).toBeCloseTo(0.5);
  });
});
