// @ts-check
// Traffic over time, built from the core's record batches without an object per packet
// (STYLE convention 4): one Uint32Array of counts per packet class, indexed by time bucket.
// Memory is bounded: when the capture runs past MAX_BUCKETS, the bucket width doubles and
// neighbouring buckets merge, so a day-long capture costs the same as a one-minute one.
import { PacketStatus, Pid } from "../dist/src/index.js";

/** Packet classes, one chart series each. */
export const CLASS_NAMES = ["SOF", "tokens", "data", "handshakes", "errors", "other records"];
// "other records": URB records (usbmon, USBPcap) and any record the core passes up undecoded.
export const SOF = 0,
  TOKEN = 1,
  DATA = 2,
  HANDSHAKE = 3,
  ERROR = 4,
  URB = 5;

/** The class of each PID byte: USB 2.0 §8.3.1, PID type in bits 1..0 of the PID code. */
const PID_CLASS = new Uint8Array(256);
for (let p = 0; p < 256; p++) {
  const type = p & 0x03; // 0 special, 1 token, 2 handshake, 3 data (Table 8-1)
  PID_CLASS[p] = type === 3 ? DATA : type === 2 ? HANDSHAKE : TOKEN;
}
PID_CLASS[Pid.SOF] = SOF;
// ERR (split transaction handshake, §8.4.2.3) shares its code with PRE.
PID_CLASS[Pid.PRE_ERR] = HANDSHAKE;

/** Start with one bucket per high-speed microframe (125 µs, USB 2.0 §8.4.3.1). */
export const INITIAL_BUCKET_SEC = 125e-6;
export const MAX_BUCKETS = 1 << 19;

/** A RecordSink (src/model.ts) that counts records per class per time bucket. */
export class TrafficHistogram {
  /** @param {{ initialBucketSec?: number, maxBuckets?: number }} [options] */
  constructor(options = {}) {
    this.bucketSec = options.initialBucketSec ?? INITIAL_BUCKET_SEC;
    this.maxBuckets = options.maxBuckets ?? MAX_BUCKETS;
    /** Time of record 0, split like the core's columns to keep nanosecond precision. */
    this.t0Sec = NaN;
    this.t0Nsec = 0;
    /** Buckets in use (last index + 1). */
    this.length = 0;
    this.records = 0;
    this.capacity = Math.min(4096, this.maxBuckets);
    /** @type {Uint32Array[]} */
    this.counts = CLASS_NAMES.map(() => new Uint32Array(this.capacity));
    this.totals = new Float64Array(CLASS_NAMES.length);
  }

  /** @param {import("../dist/src/index.js").RecordBatch} b */
  onBatch(b) {
    const n = b.count;
    if (n === 0) return;
    if (Number.isNaN(this.t0Sec)) {
      this.t0Sec = b.tsSec[0];
      this.t0Nsec = b.tsNsec[0];
    }
    const { tsSec, tsNsec, pid, status } = b;
    const t0Sec = this.t0Sec,
      t0Nsec = this.t0Nsec;
    for (let i = 0; i < n; i++) {
      const t = tsSec[i] - t0Sec + (tsNsec[i] - t0Nsec) * 1e-9;
      // Records that go back in time (merged interfaces, clock steps) land in bucket 0.
      let k = t > 0 ? Math.floor(t / this.bucketSec) : 0;
      while (k >= this.maxBuckets) {
        this.coarsen();
        k = Math.floor(t / this.bucketSec);
      }
      if (k >= this.capacity) this.grow(k + 1);
      const s = status[i];
      const cls = s === PacketStatus.OK ? PID_CLASS[pid[i]] : s === PacketStatus.NOT_RAW ? URB : ERROR;
      this.counts[cls][k]++;
      this.totals[cls]++;
      if (k >= this.length) this.length = k + 1;
    }
    this.records += n;
  }

  onEnd() {}

  /** @param {number} need */
  grow(need) {
    let cap = this.capacity;
    while (cap < need) cap *= 2;
    cap = Math.min(cap, this.maxBuckets);
    this.counts = this.counts.map((c) => {
      const next = new Uint32Array(cap);
      next.set(c);
      return next;
    });
    this.capacity = cap;
  }

  /** Double the bucket width: bucket i takes old buckets 2i and 2i+1. */
  coarsen() {
    for (const c of this.counts) {
      const half = Math.ceil(this.length / 2);
      for (let i = 0; i < half; i++) c[i] = c[2 * i] + (2 * i + 1 < this.length ? c[2 * i + 1] : 0);
      c.fill(0, half);
    }
    this.length = Math.ceil(this.length / 2);
    this.bucketSec *= 2;
  }

  /** The used part, ready to post from a worker (the arrays are copies, transferable). */
  toJSON() {
    return {
      bucketSec: this.bucketSec,
      length: this.length,
      records: this.records,
      t0Sec: this.t0Sec,
      t0Nsec: this.t0Nsec,
      names: CLASS_NAMES,
      counts: this.counts.map((c) => c.slice(0, this.length)),
      totals: Array.from(this.totals),
    };
  }
}
