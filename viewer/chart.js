// @ts-check
// The traffic chart: uPlot fed with typed-array columns from chartData(); re-decimated for the
// visible range after every zoom; a highlight line marks the selected finding's time.
// @ts-expect-error -- the path import (no bundler) has no declaration file next to it; uPlot.d.ts describes it.
import uPlot from "../node_modules/uplot/dist/uPlot.esm.js";
import { chartData } from "./decimate.js";

const COLORS = ["#9e9e9e", "#1f77b4", "#2ca02c", "#ff7f0e", "#d62728", "#9467bd"];
/** Pure magenta, used by nothing else, so the tests can find the line in the pixels. */
export const HIGHLIGHT_COLOR = "#ff00ff";

/**
 * @param {HTMLElement} el
 * @param {{ bucketSec: number, length: number, counts: Uint32Array[], names: string[], totals: number[] }} h
 */
export function createTrafficChart(el, h) {
  /** @type {number | null} */
  let highlight = null;
  let updating = false;
  const width = Math.max(400, el.clientWidth || 900);
  const end = h.length * h.bucketSec;

  /** Data for [min, max] seconds, with the whole-capture end points kept so that zooming out finds the full range. */
  const dataFor = (/** @type {number} */ min, /** @type {number} */ max, /** @type {number} */ pixels) => {
    const from = Math.max(0, Math.floor(min / h.bucketSec) - 1);
    const to = Math.min(h.length, Math.ceil(max / h.bucketSec) + 1);
    let { data, decimated } = chartData(h, from, to, pixels);
    // The first and last buckets stay in the data: uPlot's double-click zoom-out goes to the data's extent.
    const last = h.length - 1;
    if (from > 0 || to < h.length) {
      data = data.map((col, s) => {
        const head = from > 0 ? [s === 0 ? 0 : h.counts[s - 1][0]] : [];
        const tail = to < h.length ? [s === 0 ? last * h.bucketSec : h.counts[s - 1][last]] : [];
        const out = new Float64Array(head.length + col.length + tail.length);
        out.set(head);
        out.set(col, head.length);
        out.set(tail, head.length + col.length);
        return out;
      });
    }
    el.dataset.decimated = String(decimated);
    el.dataset.points = String(data[0].length);
    return data;
  };

  /** @type {any[]} */
  const series = [
    {
      label: "time (s)",
      value: (/** @type {any} */ _u, /** @type {number} */ v) => (v == null ? "-" : v.toFixed(6)),
    },
  ];
  h.names.forEach((name, i) => {
    series.push({
      label: name,
      stroke: COLORS[i % COLORS.length],
      width: 1,
      show: h.totals[i] > 0,
      value: (/** @type {any} */ _u, /** @type {number | null} */ v) => (v == null ? "-" : String(v)),
    });
  });

  const opts = {
    width,
    height: 300,
    // Never past the capture: uPlot widens a one-point range to 0..100, which means nothing here.
    scales: {
      x: {
        time: false,
        range: (/** @type {any} */ _u, /** @type {number} */ min, /** @type {number} */ max) => {
          const lo = Math.max(0, min);
          const hi = Math.min(end, max);
          return hi > lo ? [lo, hi] : [lo, lo + h.bucketSec];
        },
      },
      // Counts: the axis starts at zero.
      y: {
        range: (/** @type {any} */ _u, /** @type {number} */ _min, /** @type {number} */ max) => [
          0,
          Math.max(1, Math.ceil(max * 1.05)),
        ],
      },
    },
    axes: [
      {
        label: `time from the first record (bucket ${formatSeconds(h.bucketSec)})`,
        values: (/** @type {any} */ _u, /** @type {number[]} */ splits) => tickLabels(splits),
      },
      { label: "packets per bucket" },
    ],
    series,
    cursor: { drag: { x: true, y: false } },
    hooks: {
      setScale: [
        (/** @type {uPlot} */ u, /** @type {string} */ key) => {
          if (key !== "x" || updating) return;
          const { min, max } = u.scales.x;
          if (min == null || max == null) return;
          updating = true;
          u.setData(/** @type {any} */ (dataFor(min, max, u.bbox.width / devicePixelRatio)), false);
          updating = false;
        },
      ],
      draw: [
        (/** @type {uPlot} */ u) => {
          if (highlight == null) {
            delete el.dataset.highlightX;
            return;
          }
          const x = Math.round(u.valToPos(highlight, "x", true));
          const { top, height, left, width: w } = u.bbox;
          if (x < left || x > left + w) {
            el.dataset.highlightX = "off";
            return;
          }
          const ctx = u.ctx;
          ctx.save();
          ctx.fillStyle = HIGHLIGHT_COLOR;
          ctx.fillRect(x - 1, top, 3, height);
          ctx.restore();
          el.dataset.highlightX = String(x);
        },
      ],
    },
  };
  const u = new uPlot(/** @type {any} */ (opts), /** @type {any} */ (dataFor(0, end, width)), el);
  el.dataset.drawn = "true";

  return {
    uplot: u,
    /** Mark time t (seconds from the first record); zoom out to the whole capture if t is off-screen. */
    highlight(/** @type {number | null} */ t) {
      highlight = t;
      el.dataset.highlightTime = t == null ? "" : String(t);
      const { min, max } = u.scales.x;
      if (t != null && min != null && max != null && (t < min || t > max))
        u.setScale("x", { min: 0, max: end });
      else u.redraw(false);
    },
    destroy() {
      u.destroy();
    },
  };
}

/** @param {number} s */
export function formatSeconds(s) {
  if (s >= 1) return `${s.toPrecision(3)} s`;
  if (s >= 1e-3) return `${(s * 1e3).toPrecision(3)} ms`;
  return `${(s * 1e6).toPrecision(3)} µs`;
}

/** Tick labels in the unit that fits the tick step (µs, ms or s), with just enough decimals. */
export function tickLabels(/** @type {number[]} */ splits) {
  const step = splits.length > 1 ? Math.abs(splits[1] - splits[0]) : Math.abs(splits[0] ?? 1) || 1;
  const [scale, unit] = step < 1e-3 ? [1e6, "µs"] : step < 0.1 ? [1e3, "ms"] : [1, "s"];
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step * scale) + 1e-9)));
  return splits.map((v) => `${(v * scale).toFixed(decimals)} ${unit}`);
}
