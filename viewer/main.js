// @ts-check
// The page: takes a capture (drop, file input, or GET /capture when `usbscope view FILE` serves it),
// analyzes it in a worker, and shows the report. Every string from the capture or the analysis is
// hostile (device strings, malformed lines quoted in messages, file names): it is only ever set with
// textContent, never parsed as HTML.
import { hex, linktypeName } from "../dist/src/index.js";
import { createTrafficChart, formatSeconds } from "./chart.js";

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @type {ReturnType<typeof createTrafficChart> | null} */
let chart = null;
/** @type {Worker | null} */
let worker = null;
let nextId = 0;
const MAX_ROWS = 5000;

/** Analyze in a module worker; fall back to the page if workers cannot start. */
async function analyze(/** @type {ArrayBuffer} */ buffer, /** @type {string} */ name) {
  try {
    worker ??= new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  } catch {
    worker = null;
  }
  document.body.dataset.engine = worker ? "worker" : "page";
  if (!worker) {
    const { analyzeBytes } = await import("./analysis.js");
    return analyzeBytes(new Uint8Array(buffer), name);
  }
  const w = worker;
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    const onMessage = (/** @type {MessageEvent} */ e) => {
      if (e.data.id !== id) return;
      w.removeEventListener("message", onMessage);
      w.removeEventListener("error", onError);
      if (e.data.error) reject(new Error(e.data.error));
      else resolve(e.data.result);
    };
    const onError = (/** @type {ErrorEvent} */ e) => {
      w.removeEventListener("message", onMessage);
      w.removeEventListener("error", onError);
      reject(new Error(e.message || "the analysis worker failed to start"));
    };
    w.addEventListener("message", onMessage);
    w.addEventListener("error", onError);
    w.postMessage({ id, bytes: buffer, name }, [buffer]);
  });
}

function setStatus(/** @type {string} */ text, error = false) {
  const s = $("status");
  s.textContent = text;
  s.classList.toggle("error", error);
}

async function load(/** @type {ArrayBuffer} */ buffer, /** @type {string} */ name) {
  setStatus(`Analyzing ${name} (${buffer.byteLength.toLocaleString("en")} bytes)…`);
  document.body.dataset.state = "analyzing";
  try {
    const result = await analyze(buffer, name);
    render(result);
    setStatus(`${name}: analyzed in ${Math.round(result.millis)} ms.`);
    document.body.dataset.state = "done";
  } catch (e) {
    setStatus(`Cannot analyze ${name}: ${e instanceof Error ? e.message : String(e)}`, true);
    document.body.dataset.state = "error";
  }
}

/** @param {HTMLElement} parent @param {string} tag @param {unknown} [text] @param {string} [cls] */
function add(parent, tag, text, cls) {
  const el = document.createElement(tag);
  if (text !== undefined && text !== null) el.textContent = String(text);
  if (cls) el.className = cls;
  parent.appendChild(el);
  return el;
}

function tbody(/** @type {string} */ id) {
  const body = /** @type {HTMLElement} */ ($(id).querySelector("tbody"));
  body.replaceChildren();
  return body;
}

/** Clicking `tr` selects it in its table `body` and marks time `t` (seconds) on the chart. */
function markOnClick(
  /** @type {HTMLElement} */ body,
  /** @type {HTMLElement} */ tr,
  /** @type {number | null} */ t,
) {
  tr.addEventListener("click", () => {
    body.querySelector("tr.selected")?.classList.remove("selected");
    tr.classList.add("selected");
    chart?.highlight(t);
  });
}

/** @param {any} result */
function render(result) {
  const { doc, findingTimes, busEventTimes, traffic } = result;
  $("report").hidden = false;

  const summary = $("summary");
  summary.replaceChildren();
  const row = (/** @type {string} */ k, /** @type {unknown} */ v, /** @type {string} */ key) => {
    add(summary, "dt", k);
    add(summary, "dd", v).dataset.key = key;
  };
  const s = doc.summary;
  row("file", doc.file, "file");
  row("format", doc.format, "format");
  row(
    "link type",
    doc.linktype == null ? "none" : `${doc.linktype} ${linktypeName(doc.linktype)}`,
    "linktype",
  );
  row("speed", doc.speed, "speed");
  row("records", doc.records, "records");
  row("packets", s.packets, "packets");
  row("URB events", s.urbEvents, "urbEvents");
  row("control transfers", s.controlTransfers, "controlTransfers");
  row("findings", `${s.errors} errors, ${s.warnings} warnings, ${s.infos} infos`, "findings");
  if (doc.framingError)
    row("framing error", `${doc.framingError.message} at byte ${doc.framingError.offset}`, "framingError");
  if (doc.busEvents)
    row(
      "bus events",
      Object.entries(doc.busEvents.counts)
        .map(([e, n]) => `${e} ${n}`)
        .join(", "),
      "busEvents",
    );

  const pids = tbody("pids");
  for (const [pid, n] of Object.entries(s.pids).sort((a, b) => Number(b[1]) - Number(a[1]))) {
    const tr = add(pids, "tr");
    add(tr, "td", pid);
    add(tr, "td", n, "num");
  }
  if (pids.childElementCount === 0)
    add(add(pids, "tr"), "td", "none (no raw packets)").setAttribute("colspan", "2");
  const rules = tbody("rules");
  for (const [rule, n] of Object.entries(s.findingsByRule)) {
    const tr = add(rules, "tr");
    add(tr, "td", rule);
    add(tr, "td", n, "num");
  }

  chart?.destroy();
  chart = null;
  const chartEl = $("chart");
  chartEl.replaceChildren();
  for (const k of Object.keys(chartEl.dataset)) delete chartEl.dataset[k];
  if (traffic.length > 0) {
    chart = createTrafficChart(chartEl, traffic);
    $("chart-note").textContent =
      `${traffic.records.toLocaleString("en")} records in ${traffic.length.toLocaleString("en")} buckets of ${formatSeconds(traffic.bucketSec)}; drag to zoom, double-click to zoom out; click a finding to mark its time.`;
  } else {
    $("chart-note").textContent = "No packet records to chart (usbmon text has URB events only).";
  }

  const findings = tbody("findings");
  const notListed = doc.findingsNotListed
    ? Object.values(doc.findingsNotListed).reduce((a, b) => Number(a) + Number(b), 0)
    : 0;
  $("findings-count").textContent =
    `(${doc.findings.length} listed${notListed ? `, ${notListed} more counted` : ""})`;
  // Thousands of rows are fine; hundreds of thousands would stall the page, so the table stops at MAX_ROWS.
  const shown = doc.findings.slice(0, MAX_ROWS);
  if (shown.length < doc.findings.length)
    $("findings-count").textContent += `; the first ${MAX_ROWS} are shown`;
  shown.forEach((/** @type {any} */ f, /** @type {number} */ i) => {
    const tr = add(findings, "tr");
    tr.dataset.index = String(i);
    const t = findingTimes[i];
    add(tr, "td", i + 1, "num");
    add(tr, "td", f.rule, "rule");
    add(tr, "td", f.severity, `sev-${f.severity}`);
    add(tr, "td", f.packet ?? (f.offset !== undefined ? `@${f.offset}` : ""), "num packet");
    add(tr, "td", t == null ? "" : t.toFixed(6), "num time");
    add(tr, "td", f.message, "message");
    add(tr, "td", f.spec ?? "", "spec");
    markOnClick(findings, tr, t);
  });

  const events = tbody("busevents");
  const eventList = doc.busEvents?.events ?? [];
  $("busevents-section").hidden = !doc.busEvents;
  $("busevents-count").textContent = `(${eventList.length} listed)`;
  eventList.slice(0, MAX_ROWS).forEach((/** @type {any} */ e, /** @type {number} */ i) => {
    const tr = add(events, "tr");
    const t = busEventTimes[i];
    add(tr, "td", i + 1, "num");
    add(tr, "td", e.index, "num packet");
    add(tr, "td", t == null ? "" : t.toFixed(6), "num time");
    add(tr, "td", e.event, "event");
    markOnClick(events, tr, t);
  });

  const transfers = tbody("transfers");
  $("transfers-count").textContent = `(${doc.controlTransfers.length})`;
  if (doc.controlTransfers.length > MAX_ROWS)
    $("transfers-count").textContent = `(${doc.controlTransfers.length}; the first ${MAX_ROWS} are shown)`;
  for (const ct of doc.controlTransfers.slice(0, MAX_ROWS)) {
    const tr = add(transfers, "tr");
    add(tr, "td", ct.index, "num");
    add(tr, "td", ct.bus === undefined ? ct.address : `${ct.bus}:${ct.address}`, "num");
    add(tr, "td", ct.request);
    add(tr, "td", hex(ct.setup.bmRequestType, 2));
    add(tr, "td", hex(ct.setup.wValue, 4));
    add(tr, "td", hex(ct.setup.wIndex, 4));
    add(tr, "td", ct.setup.wLength, "num");
    add(tr, "td", ct.dataLength, "num");
    add(tr, "td", ct.status, `sev-${ct.status === "ok" ? "info" : "error"}`);
    add(tr, "td", `${ct.firstPacket}–${ct.lastPacket}`, "num");
    add(tr, "td", ct.detail ?? "", "message");
  }
}

function setupInput() {
  const drop = $("drop");
  const input = /** @type {HTMLInputElement} */ ($("file"));
  const take = async (/** @type {File | undefined} */ file) => {
    if (file) await load(await file.arrayBuffer(), file.name);
  };
  input.addEventListener("change", () => void take(input.files?.[0]));
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    void take(e.dataTransfer?.files[0]);
  });
}

/** `usbscope view FILE` serves the file at /capture (204 when there is none; absent on a plain static host). */
async function loadServedCapture() {
  let response;
  try {
    response = await fetch(new URL("/capture", location.href));
  } catch {
    return;
  }
  if (response.status !== 200) return;
  let name = response.headers.get("x-capture-name") ?? "capture";
  try {
    name = decodeURIComponent(name);
  } catch {
    // keep the raw header
  }
  await load(await response.arrayBuffer(), name);
}

setupInput();
document.body.dataset.state = "idle";
void loadServedCapture();
