// @ts-check
// Chart data from the traffic histogram: columnar typed arrays in uPlot's AlignedData layout
// ([x, ...series]). When the visible buckets outnumber the pixels 4x, each pixel column keeps only
// the minimum and the maximum of its buckets, in the order they occur (STYLE.md, uPlot practice):
// the drawn shape is the same, and drawing costs O(pixels) instead of O(buckets).

export const DECIMATE_RATIO = 4;

/**
 * @param {{ bucketSec: number, length: number, counts: Uint32Array[] }} h
 * @param {number} from first bucket index (inclusive)
 * @param {number} to last bucket index (exclusive)
 * @param {number} pixels plot width in CSS pixels
 * @returns {{ data: Float64Array[], decimated: boolean }}
 */
export function chartData(h, from, to, pixels) {
  from = Math.max(0, Math.floor(from));
  to = Math.min(h.length, Math.ceil(to));
  const n = Math.max(0, to - from);
  const series = h.counts.length;
  pixels = Math.max(1, Math.floor(pixels));
  if (n <= DECIMATE_RATIO * pixels) {
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = (from + i) * h.bucketSec;
    const data = [x];
    for (let s = 0; s < series; s++) data.push(Float64Array.from(h.counts[s].slice(from, to)));
    return { data, decimated: false };
  }
  // Two points per pixel column: x at the column's start and middle.
  const x = new Float64Array(2 * pixels);
  const ys = [];
  for (let s = 0; s < series; s++) ys.push(new Float64Array(2 * pixels));
  for (let p = 0; p < pixels; p++) {
    const a = from + Math.floor((p * n) / pixels);
    const b = from + Math.floor(((p + 1) * n) / pixels);
    x[2 * p] = a * h.bucketSec;
    x[2 * p + 1] = ((a + b) / 2) * h.bucketSec;
    for (let s = 0; s < series; s++) {
      const c = h.counts[s];
      let min = Infinity,
        max = -Infinity,
        iMin = a,
        iMax = a;
      for (let i = a; i < b; i++) {
        const v = c[i];
        if (v < min) {
          min = v;
          iMin = i;
        }
        if (v > max) {
          max = v;
          iMax = i;
        }
      }
      const y = ys[s];
      if (iMin <= iMax) {
        y[2 * p] = min;
        y[2 * p + 1] = max;
      } else {
        y[2 * p] = max;
        y[2 * p + 1] = min;
      }
    }
  }
  return { data: [x, ...ys], decimated: true };
}
