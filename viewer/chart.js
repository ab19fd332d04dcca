// @ts-check
// The timeline: uPlot over one window of the capture at a time. Every zoom asks the analysis for that
// window's buckets (one per pixel, recomputed from the records), so a zoomed window always draws its
// own data. Series: data bytes per endpoint (left axis), NAKs and URB records (right axis), errors as
// red markers. Dragging selects a time range (zoom, and the tree shows only that range); a double
// click zooms out. The selected row is marked with a magenta line.
// @ts-expect-error -- the path import (no bundler) has no declaration file next to it; uPlot.d.ts describes it.
import uPlot from "../node_modules/uplot/dist/uPlot.esm.js";

const COLORS = ["#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#bcbd22", "#7f7f7f"];
const NAK_COLOR = "#ff7f0e";
const ERROR_COLOR = "#d62728";
const URB_COLOR = "#9e9e9e";
/** Pure magenta, used by nothing else, so the tests can find the line in the pixels. */
export const HIGHLIGHT_COLOR = "#ff00ff";

/**
 * @typedef {{ from: number, to: number, bucket: number, x: Float64Array, records: number,
 *   series: { label: string, unit: string, points?: boolean, values: Float64Array }[] }} TrafficWindow
 */

/**
 * @param {HTMLElement} el
 * @param {{ duration: number, first: TrafficWindow, fetch: (from: number, to: number, pixels: number) => Promise<TrafficWindow>,
 *   onRange: (range: { from: number, to: number } | null) => void }} opts
 */
export function createTimeline(el, opts) {
  const end = Math.max(opts.duration, 1e-6);
  let from = 0,
    to = end;
  /** @type {number | null} */
  let highlight = null;
  let seq = 0;
  const width = Math.max(400, el.clientWidth - 10 || 1200);
  const height = 190;
  const shape = opts.first.series;

  /** @type {any[]} */
  const series = [
    {
      label: "time (s)",
      value: (/** @type {any} */ _u, /** @type {number} */ v) => (v == null ? "-" : v.toFixed(6)),
    },
  ];
  let color = 0;
  for (const s of shape) {
    const total = s.values.reduce((a, b) => a + b, 0);
    if (s.label === "NAKs")
      series.push({ label: s.label, scale: "count", stroke: NAK_COLOR, width: 1, show: total > 0 });
    else if (s.points)
      series.push({
        label: s.label,
        scale: "count",
        stroke: ERROR_COLOR,
        fill: ERROR_COLOR,
        width: 0,
        paths: () => null,
        points: { show: true, size: 7, stroke: ERROR_COLOR, fill: ERROR_COLOR },
        show: total > 0,
      });
    else if (s.unit === "count")
      series.push({ label: s.label, scale: "count", stroke: URB_COLOR, width: 1, show: total > 0 });
    else series.push({ label: s.label, scale: "bytes", stroke: COLORS[color++ % COLORS.length], width: 1 });
  }

  const toData = (/** @type {TrafficWindow} */ w) => {
    /** @type {any[]} */
    const data = [w.x];
    for (const s of w.series)
      data.push(s.points ? Array.from(s.values, (v) => (v > 0 ? v : null)) : s.values);
    el.dataset.points = String(w.x.length);
    el.dataset.from = String(w.from);
    el.dataset.to = String(w.to);
    el.dataset.records = String(w.records);
    el.dataset.bytes = String(
      w.series.filter((s) => s.unit === "bytes").reduce((a, s) => a + s.values.reduce((x, y) => x + y, 0), 0),
    );
    return data;
  };

  const opts2 = {
    width,
    height,
    scales: {
      x: { time: false, range: () => [from, to] },
      bytes: {
        range: (/** @type {any} */ _u, /** @type {number} */ _a, /** @type {number} */ b) => [
          0,
          Math.max(1, b * 1.05),
        ],
      },
      count: {
        range: (/** @type {any} */ _u, /** @type {number} */ _a, /** @type {number} */ b) => [
          0,
          Math.max(1, b * 1.05),
        ],
      },
    },
    axes: [
      { values: (/** @type {any} */ _u, /** @type {number[]} */ splits) => tickLabels(splits) },
      { scale: "bytes", label: "bytes per bucket" },
      { scale: "count", side: 1, label: "count", grid: { show: false } },
    ],
    series,
    legend: { live: false },
    cursor: { drag: { x: true, y: false, setScale: false } },
    hooks: {
      setSelect: [
        (/** @type {any} */ u) => {
          const { left, width: w } = u.select;
          if (w < 3) return;
          const a = u.posToVal(left, "x"),
            b = u.posToVal(left + w, "x");
          u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
          void zoom(a, b);
          opts.onRange({ from: a, to: b });
        },
      ],
      draw: [
        (/** @type {any} */ u) => {
          if (highlight == null) {
            delete el.dataset.highlightX;
            return;
          }
          const x = Math.round(u.valToPos(highlight, "x", true));
          const { top, height: h, left, width: w } = u.bbox;
          if (x < left || x > left + w) {
            el.dataset.highlightX = "off";
            return;
          }
          u.ctx.save();
          u.ctx.fillStyle = HIGHLIGHT_COLOR;
          u.ctx.fillRect(x - 1, top, 3, h);
          u.ctx.restore();
          el.dataset.highlightX = String(x);
        },
      ],
    },
  };
  const u = new uPlot(/** @type {any} */ (opts2), toData(opts.first), el);
  el.dataset.drawn = "true";

  /** Show [a, b] seconds: fetch its buckets, then draw them with that scale. */
  async function zoom(/** @type {number} */ a, /** @type {number} */ b) {
    a = Math.max(0, a);
    b = Math.min(end, b);
    if (!(b > a)) b = a + 1e-6;
    const mine = ++seq;
    el.dataset.zooming = "true";
    const w = await opts.fetch(a, b, u.bbox.width / devicePixelRatio);
    if (mine !== seq) return;
    from = w.from;
    to = w.to;
    u.batch(() => {
      u.setData(toData(w), false);
      u.setScale("x", { min: from, max: to });
    });
    el.dataset.zooming = "false";
  }

  u.over.addEventListener("dblclick", () => {
    void zoom(0, end);
    opts.onRange(null);
  });

  return {
    zoom,
    get range() {
      return { from, to };
    },
    /** Mark time t (seconds since the first record); zoom out when it is outside the window. */
    async highlight(/** @type {number | null} */ t, zoomTo = false) {
      highlight = t;
      el.dataset.highlightTime = t == null ? "" : String(t);
      if (t != null && zoomTo) {
        const half = Math.max((to - from) / 20, 0.0005);
        await zoom(t - half, t + half);
      } else if (t != null && (t < from || t > to)) await zoom(0, end);
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
