// @ts-check
// The page: takes a capture (drop, file input, GET /capture when `usbscope view FILE` serves it, or the
// capture a report inlines), has it analysed in a worker (session.js), and shows the traffic tree,
// the details of the selected row with its bytes, the findings, the devices and the timeline. Every
// string from the capture or the analysis is hostile: it is only ever set as text, never parsed as HTML,
// and without the control characters and bidi overrides the CLI strips for a terminal (sanitizeLines):
// a device string cannot reorder what is shown around it.
// The view (selection, zoom, time range) lives in the URL's hash, so a link shows the same view.
import { sanitizeLines } from "../dist/src/index.js";
import { createTimeline, formatSeconds } from "./chart.js";

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const ROW_HEIGHT = 20;
/** Browsers cap an element's height (Chromium about 33 million px): past this, scroll positions are scaled. */
const MAX_SCROLL_PX = 8_000_000;

// ---- the analysis, in a worker or on the page -------------------------------------------------

/** @type {{ call: (method: string, args?: any[], onProgress?: (p: any) => void, transfer?: Transferable[]) => Promise<any> } | null} */
let api = null;

/**
 * A worker when one starts (`makeWorker`, by default viewer/worker.js); else the Session on this page.
 * @param {boolean} inPage
 * @param {() => Worker} [makeWorker]
 */
async function connect(inPage, makeWorker) {
  if (!inPage) {
    try {
      const worker = makeWorker
        ? makeWorker()
        : new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
      let next = 0;
      /** @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void, onProgress?: (p: any) => void }>} */
      const pending = new Map();
      worker.onmessage = (e) => {
        const p = pending.get(e.data.id);
        if (!p) return;
        if (e.data.progress) return p.onProgress?.(e.data.progress);
        pending.delete(e.data.id);
        if (e.data.error !== undefined) p.reject(new Error(e.data.error));
        else p.resolve(e.data.result);
      };
      worker.onerror = (e) => {
        for (const p of pending.values()) p.reject(new Error(e.message || "the analysis worker failed"));
        pending.clear();
      };
      document.body.dataset.engine = "worker";
      return {
        call(
          /** @type {string} */ method,
          /** @type {any[]} */ args = [],
          /** @type {any} */ onProgress,
          /** @type {Transferable[]} */ transfer = [],
        ) {
          const id = ++next;
          return new Promise((resolve, reject) => {
            pending.set(id, { resolve, reject, onProgress });
            worker.postMessage({ id, method, args }, transfer);
          });
        },
      };
    } catch {
      // fall through to the page
    }
  }
  const { Session } = await import("./session.js");
  const session = new Session();
  document.body.dataset.engine = "page";
  return {
    async call(/** @type {string} */ method, /** @type {any[]} */ args = [], /** @type {any} */ onProgress) {
      if (method === "load") return session.load(new Uint8Array(args[0]), args[1], onProgress, args[2]);
      return /** @type {any} */ (session)[method](...args);
    },
  };
}

// ---- state ----------------------------------------------------------------------------------------

let rowCount = 0;
let selectedRow = -1;
/** @type {any} */
let summary = null;
/** @type {ReturnType<typeof createTimeline> | null} */
let timeline = null;
/** @type {any[]} */
let findingGroups = [];
let renderSeq = 0;

function setStatus(/** @type {string} */ text, error = false) {
  const s = $("status");
  s.textContent = sanitizeLines(text);
  s.classList.toggle("error", error);
}

/** @param {HTMLElement} parent @param {string} tag @param {unknown} [text] @param {string} [cls] */
function add(parent, tag, text, cls) {
  const el = document.createElement(tag);
  if (text !== undefined && text !== null) el.textContent = sanitizeLines(String(text));
  if (cls) el.className = cls;
  parent.appendChild(el);
  return el;
}

const fmtTime = (/** @type {number} */ t) => (t == null || Number.isNaN(t) ? "" : t.toFixed(6));

// ---- loading -------------------------------------------------------------------------------------

/**
 * @param {ArrayBuffer} buffer
 * @param {string} name
 * @param {{ inPage?: boolean, wasm?: Uint8Array, makeWorker?: () => Worker }} [how]
 */
export async function load(buffer, name, how = {}) {
  api ??= await connect(how.inPage ?? false, how.makeWorker);
  const size = buffer.byteLength;
  setStatus(`Analyzing ${name} (${size.toLocaleString("en")} bytes)…`);
  document.body.dataset.state = "analyzing";
  $("progress").hidden = false;
  const bar = $("progress-bar");
  bar.style.width = "0";
  try {
    summary = await api.call(
      "load",
      [buffer, name, how.wasm],
      (/** @type {any} */ p) => {
        const share = p.total ? p.bytes / p.total : 0;
        bar.style.width = `${Math.round((p.phase === "tree" ? 50 + 50 * share : 50 * share) * 100) / 100}%`;
        setStatus(
          `${p.phase === "tree" ? "Building the traffic tree" : "Analyzing"} ${name}: ${p.bytes.toLocaleString("en")} of ${p.total.toLocaleString("en")} bytes, ${p.records.toLocaleString("en")} records…`,
        );
      },
      [buffer],
    );
    $("progress").hidden = true;
    // What the page measured, for `npm run bench` (bench/viewerPage.ts).
    document.body.dataset.analysisMs = String(summary.analysisMillis);
    document.body.dataset.treeMs = String(summary.millis);
    rowCount = summary.rows;
    await render();
    setStatus(
      `${name}: analyzed in ${Math.round(summary.analysisMillis)} ms, traffic tree ready in ${Math.round(summary.millis)} ms.`,
    );
    await applyHash();
    document.body.dataset.state = "done";
  } catch (e) {
    $("progress").hidden = true;
    setStatus(`Cannot analyze ${name}: ${e instanceof Error ? e.message : String(e)}`, true);
    document.body.dataset.state = "error";
  }
}

async function render() {
  const s = summary;
  const dl = $("summary");
  dl.replaceChildren();
  const item = (/** @type {string} */ k, /** @type {unknown} */ v, /** @type {string} */ key) => {
    add(dl, "dt", k);
    add(dl, "dd", v).dataset.key = key;
  };
  item("file", s.file, "file");
  item("format", s.format, "format");
  item("speed", s.speed, "speed");
  item("records", s.records, "records");
  item("packets", s.summary.packets, "packets");
  if (s.summary.urbEvents) item("URB events", s.summary.urbEvents, "urbEvents");
  item("transfers", s.transfers, "transfers");
  item(
    "findings",
    `${s.summary.errors} errors, ${s.summary.warnings} warnings, ${s.summary.infos} infos`,
    "findings",
  );
  if (s.framingError)
    item("framing error", `${s.framingError.message} at byte ${s.framingError.offset}`, "framingError");
  if (s.busEvents)
    item(
      "bus events",
      Object.entries(s.busEvents)
        .map(([e, n]) => `${e} ${n}`)
        .join(", "),
      "busEvents",
    );
  selectedRow = -1;
  showDetails(null);
  setTree();
  await Promise.all([renderFindings(), renderDevices(), renderTimeline()]);
}

// ---- the traffic tree (virtualised: only the rows on screen are in the DOM) -------------------------

function scrollScale() {
  const full = rowCount * ROW_HEIGHT;
  return full > MAX_SCROLL_PX ? full / MAX_SCROLL_PX : 1;
}

function setTree() {
  $("tree-spacer").style.height = `${Math.min(rowCount * ROW_HEIGHT, MAX_SCROLL_PX)}px`;
  $("tree").dataset.rows = String(rowCount);
  void drawRows();
}

function firstVisibleRow() {
  const tree = $("tree");
  return Math.floor((tree.scrollTop * scrollScale()) / ROW_HEIGHT);
}

async function drawRows() {
  if (!api || !summary) return;
  const tree = $("tree");
  const first = firstVisibleRow();
  const count = Math.ceil(tree.clientHeight / ROW_HEIGHT) + 2;
  const mine = ++renderSeq;
  const { rows } = await api.call("rows", [first, count]);
  if (mine !== renderSeq) return;
  const box = $("tree-rows");
  box.style.top = `${tree.scrollTop}px`;
  box.replaceChildren();
  for (const r of rows) {
    const div = add(box, "div", undefined, "tree-row");
    div.dataset.row = String(r.row);
    div.dataset.record = String(r.record);
    div.dataset.depth = String(r.depth);
    div.setAttribute("role", "treeitem");
    if (r.expandable) div.setAttribute("aria-expanded", String(r.expanded));
    if (r.row === selectedRow) div.classList.add("selected");
    add(div, "span", fmtTime(r.time), "time");
    add(div, "span", r.where, "where");
    const kind = add(div, "span", undefined, "kind");
    kind.style.paddingLeft = `${r.depth * 1.2}em`;
    const twisty = add(kind, "span", r.expandable ? (r.expanded ? "▾" : "▸") : "", "twisty");
    twisty.addEventListener("click", (e) => {
      e.stopPropagation();
      void toggleRow(r.row);
    });
    add(kind, "span", r.kind, "label");
    add(div, "span", r.length ?? "", "length");
    add(div, "span", r.status, "status");
    add(
      div,
      "span",
      r.mark ? (r.mark === "error" ? "E" : r.mark === "warning" ? "W" : "I") : "",
      r.mark ? `mark mark-${r.mark}` : "mark",
    );
    div.addEventListener("click", () => void selectRow(r.row));
    div.addEventListener("dblclick", () => void toggleRow(r.row));
  }
  tree.dataset.first = String(first);
}

async function toggleRow(/** @type {number} */ row) {
  if (!api) return;
  const selectedId = selectedRow;
  rowCount = await api.call("toggle", [row]);
  // Rows after the toggled one moved; a selection above it did not.
  if (selectedId > row) selectedRow = -1;
  setTree();
}

async function selectRow(/** @type {number} */ row, scroll = false) {
  if (!api) return;
  selectedRow = row;
  if (scroll) scrollToRow(row);
  const d = await api.call("details", [row]);
  showDetails(d);
  void drawRows();
  const r = (await api.call("rows", [row, 1])).rows[0];
  $("tree").dataset.selectedRecord = r ? String(r.record) : "";
  if (r && !Number.isNaN(r.time)) await timeline?.highlight(r.time);
  writeHash({ sel: r ? (r.depth === 0 ? `t${r.id}` : `r${r.record}`) : null });
}

function scrollToRow(/** @type {number} */ row) {
  const tree = $("tree");
  const visible = Math.floor(tree.clientHeight / ROW_HEIGHT);
  const first = firstVisibleRow();
  if (row >= first && row < first + visible - 1) return;
  tree.scrollTop = (Math.max(0, row - Math.floor(visible / 3)) * ROW_HEIGHT) / scrollScale();
}

// ---- details ---------------------------------------------------------------------------------------

/** @param {any} d */
function showDetails(d) {
  $("details-title").textContent = d ? sanitizeLines(d.title) : "Details";
  const fields = $("details-fields");
  fields.replaceChildren();
  const list = $("details-findings");
  list.replaceChildren();
  $("hex").replaceChildren();
  $("hex-note").textContent = d ? "" : "Select a row of the traffic tree.";
  if (!d) {
    $("details-class-title").hidden = true;
    $("details-class").replaceChildren();
    return;
  }
  for (const [k, v] of d.fields) {
    add(fields, "dt", k);
    add(fields, "dd", v);
  }
  // The class decoding (CDC, mass storage with its SCSI command, hub, HID…), by the spec's field names.
  const classTitle = $("details-class-title");
  const classFields = $("details-class");
  classFields.replaceChildren();
  classTitle.hidden = !d.classDecode;
  classTitle.textContent = d.classDecode ? sanitizeLines(d.classDecode.title) : "";
  for (const [k, v] of d.classDecode?.fields ?? []) {
    add(classFields, "dt", k);
    add(classFields, "dd", v).dataset.field = k;
  }
  for (const f of d.findings) {
    const li = add(list, "li", undefined, "detail-finding");
    add(li, "span", f.severity, `sev-${f.severity}`);
    add(li, "span", ` ${f.rule}: `, "rule");
    add(li, "span", f.message, "message");
    if (f.spec) add(li, "span", ` [${f.spec}]`, "spec");
  }
  if (d.bytes && d.bytes.length) {
    $("hex-note").textContent =
      `${d.bytesNote ?? "bytes"}: ${d.bytes.length} bytes${d.fileOffset !== undefined ? ` at file offset ${d.fileOffset}` : ""}${d.highlights.length ? "; highlighted: the bytes a finding is about" : ""}`;
    hexView($("hex"), d.bytes, d.highlights);
  }
}

/** Hex and ASCII, 16 bytes a line; highlighted bytes are spans with class "hl". Capped at 4096 lines. */
function hexView(
  /** @type {HTMLElement} */ pre,
  /** @type {Uint8Array} */ bytes,
  /** @type {{ start: number, end: number }[]} */ hl,
) {
  const isHl = (/** @type {number} */ i) => hl.some((h) => i >= h.start && i < h.end);
  const n = Math.min(bytes.length, 16 * 4096);
  const frag = document.createDocumentFragment();
  for (let line = 0; line < n; line += 16) {
    frag.append(line.toString(16).padStart(6, "0") + "  ");
    let ascii = "";
    for (let i = line; i < line + 16; i++) {
      if (i >= n) {
        frag.append("   ");
        continue;
      }
      const b = bytes[i];
      const text = b.toString(16).padStart(2, "0");
      if (isHl(i)) {
        const span = document.createElement("span");
        span.className = "hl";
        span.textContent = text;
        span.dataset.byte = String(i);
        frag.append(span, " ");
      } else frag.append(text + " ");
      ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".";
    }
    frag.append(" " + ascii + "\n");
  }
  if (bytes.length > n) frag.append(`… ${bytes.length - n} more bytes\n`);
  pre.append(frag);
}

// ---- findings ----------------------------------------------------------------------------------------

async function renderFindings() {
  if (!api) return;
  findingGroups = await api.call("findings");
  const box = $("findings");
  box.replaceChildren();
  let total = 0;
  for (const g of findingGroups) {
    total += g.count + g.notListed;
    const sec = add(box, "div", undefined, "finding-group");
    sec.dataset.rule = g.rule;
    const h = add(sec, "h3");
    add(h, "span", g.severity, `sev-${g.severity}`);
    add(h, "span", ` ${g.rule} `, "rule");
    add(h, "span", `×${g.count + g.notListed}${g.notListed ? ` (${g.notListed} not listed)` : ""}`, "note");
    if (g.spec) add(h, "span", ` ${g.spec}`, "note spec");
    for (const f of g.items.slice(0, 2000)) {
      const div = add(sec, "div", undefined, "finding");
      div.dataset.index = String(f.index);
      div.dataset.packet = f.packet == null ? "" : String(f.packet);
      add(
        div,
        "span",
        f.packet != null ? `#${f.packet} ` : f.offset != null ? `@${f.offset} ` : "",
        "packet",
      );
      add(div, "span", f.time != null ? `+${f.time.toFixed(6)}s ` : "", "time");
      add(div, "span", f.message, "message");
      div.addEventListener("click", () => void selectFinding(div, f));
    }
    if (g.items.length > 2000) add(sec, "div", `… ${g.items.length - 2000} more`, "note");
  }
  $("findings-count").textContent = `(${total})`;
  if (!findingGroups.length) add(box, "p", "No findings: nothing wrong was seen.", "note");
}

/** Select the finding's record in the tree, scroll to it, show its bytes and zoom the timeline to it. */
async function selectFinding(/** @type {HTMLElement} */ div, /** @type {any} */ f) {
  if (!api) return;
  $("findings").querySelector(".finding.selected")?.classList.remove("selected");
  div.classList.add("selected");
  if (f.packet == null) return;
  await selectRecord(f.packet, true);
}

async function selectRecord(/** @type {number} */ record, zoom = false) {
  if (!api) return;
  const { row, rowCount: n } = await api.call("locate", [record]);
  rowCount = n;
  setTree();
  if (row < 0) return;
  await selectRow(row, true);
  const r = (await api.call("rows", [row, 1])).rows[0];
  if (zoom && r && !Number.isNaN(r.time)) await timeline?.highlight(r.time, true);
}

// ---- devices -----------------------------------------------------------------------------------------

async function renderDevices() {
  if (!api) return;
  const devices = await api.call("devices");
  const box = $("devices");
  box.replaceChildren();
  $("devices-count").textContent = `(${devices.length})`;
  if (!devices.length) add(box, "p", "No device enumeration in this capture.", "note");
  for (const d of devices) {
    const div = add(box, "div", undefined, "device");
    div.dataset.device = String(d.device);
    const head = add(div, "div", undefined, "verdict");
    // `seen`: a device whose enumeration the capture does not show (the CLI's word for it).
    const seen = /^seen /.test(d.lines[0] ?? "");
    add(head, "span", seen ? "seen " : d.ok ? "ok " : "FAIL ", seen ? "seen" : d.ok ? "ok" : "fail");
    add(head, "span", d.lines[0]?.replace(/^(ok {2}|FAIL|seen) /, "") ?? `device ${d.device}`, "diagnosis");
    if (d.lines.length > 1) add(div, "pre", d.lines.slice(1).join("\n"), "diagnosis-detail");
    if (d.timeline.length) {
      add(div, "h3", "Enumeration timeline");
      const table = add(div, "table", undefined, "timeline");
      for (const s of d.timeline) {
        const tr = add(table, "tr", undefined, "step");
        add(tr, "td", s.time == null ? "" : `+${s.time.toFixed(6)}s`);
        add(tr, "td", s.sinceMs == null ? "" : `+${s.sinceMs.toFixed(3)} ms`);
        add(tr, "td", s.step);
        add(tr, "td", s.status, s.status === "ok" ? "" : "sev-error");
        add(tr, "td", `#${s.packet}`, "packet");
        tr.addEventListener("click", () => void selectRecord(s.packet, true));
      }
    }
    if (d.tree) {
      add(div, "h3", "Descriptors");
      add(div, "pre", d.tree, "descriptor-tree");
    }
  }
}

for (const b of Array.from(document.querySelectorAll("#tabs button"))) {
  b.addEventListener("click", () => {
    const tab = /** @type {HTMLElement} */ (b).dataset.tab;
    for (const other of Array.from(document.querySelectorAll("#tabs button")))
      other.classList.toggle("active", other === b);
    $("findings").hidden = tab !== "findings";
    $("devices").hidden = tab !== "devices";
  });
}

// ---- timeline ----------------------------------------------------------------------------------------

async function renderTimeline() {
  timeline?.destroy();
  timeline = null;
  const el = $("chart");
  el.replaceChildren();
  for (const k of Object.keys(el.dataset)) delete el.dataset[k];
  if (!api || !summary.chart) {
    $("chart-note").textContent = "No records to chart.";
    return;
  }
  const call = /** @type {NonNullable<typeof api>} */ (api);
  const pixels = Math.max(400, el.clientWidth - 120);
  const first = await call.call("window", [0, summary.duration, pixels]);
  timeline = createTimeline(el, {
    duration: summary.duration,
    first,
    fetch: (from, to, px) => call.call("window", [from, to, px]),
    onRange: (range) => void setRange(range),
  });
  $("chart-note").textContent =
    `${formatSeconds(summary.duration)} of traffic${summary.chart === "urbs" ? " (URBs: data bytes per endpoint at completion, failed URBs in red)" : ""}; drag to select a time range (zooms and shows only that range in the tree), double-click to zoom out.`;
}

async function setRange(/** @type {{ from: number, to: number } | null} */ range) {
  if (!api) return;
  rowCount = await api.call("setTimeRange", [range]);
  selectedRow = -1;
  $("range-note").textContent = range ? `Tree: ${fmtTime(range.from)} s … ${fmtTime(range.to)} s` : "";
  $("clear-range").hidden = !range;
  $("tree").scrollTop = 0;
  setTree();
  writeHash({
    range: range ? `${range.from},${range.to}` : null,
    zoom: range ? `${range.from},${range.to}` : null,
  });
}

// ---- the filter bar -------------------------------------------------------------------------------

/** Apply the filter bar's expression and shortcuts (judged in the worker); the view keeps them in the URL. */
async function applyFilter() {
  if (!api || !summary) return;
  const input = /** @type {HTMLInputElement} */ ($("filter"));
  const hideSof = /** @type {HTMLInputElement} */ ($("hide-sof")).checked;
  const hidePolls = /** @type {HTMLInputElement} */ ($("hide-polls")).checked;
  const filter = input.value;
  $("filter-error").textContent = "";
  $("filter-note").textContent = "filtering…";
  document.body.dataset.filtering = "true";
  const r = await api.call("setFilter", [{ filter, hideSof, hidePolls }]);
  document.body.dataset.filtering = "false";
  if (r.error) {
    $("filter-note").textContent = "";
    $("filter-error").textContent = sanitizeLines(
      `${" ".repeat(Math.max(0, r.error.column - 1))}^ ${r.error.message}`,
    );
    input.setAttribute("aria-invalid", "true");
    return;
  }
  input.removeAttribute("aria-invalid");
  const on = filter.trim() !== "" || hideSof || hidePolls;
  $("filter-note").textContent = on ? `${r.shown.toLocaleString("en")} top-level rows match` : "";
  rowCount = r.rowCount;
  selectedRow = -1;
  $("tree").scrollTop = 0;
  setTree();
  writeHash({
    filter: filter.trim() ? filter : null,
    hidesof: hideSof ? "1" : null,
    hidepolls: hidePolls ? "1" : null,
  });
}

$("filter-form").addEventListener("submit", (e) => {
  e.preventDefault();
  void applyFilter();
});
for (const id of ["hide-sof", "hide-polls"]) $(id).addEventListener("change", () => void applyFilter());

$("clear-range").addEventListener("click", () => {
  void setRange(null);
  void timeline?.zoom(0, summary?.duration ?? 0);
});

// ---- the view in the URL ---------------------------------------------------------------------------

/** Merge `changes` into the hash (null deletes a key), without a new history entry. */
function writeHash(/** @type {Record<string, string | null>} */ changes) {
  const p = new URLSearchParams(location.hash.slice(1));
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) p.delete(k);
    else p.set(k, v);
  }
  history.replaceState(null, "", `#${p.toString()}`);
}

async function applyHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  const pair = (/** @type {string} */ k) => {
    const v = p.get(k)?.split(",").map(Number);
    return v && v.length === 2 && v.every(Number.isFinite) ? { from: v[0], to: v[1] } : null;
  };
  const filter = p.get("filter");
  /** @type {HTMLInputElement} */ ($("filter")).value = filter ?? "";
  /** @type {HTMLInputElement} */ ($("hide-sof")).checked = p.get("hidesof") === "1";
  /** @type {HTMLInputElement} */ ($("hide-polls")).checked = p.get("hidepolls") === "1";
  if (filter || p.get("hidesof") === "1" || p.get("hidepolls") === "1") await applyFilter();
  const range = pair("range");
  if (range) await setRange(range);
  const zoom = pair("zoom");
  if (zoom) await timeline?.zoom(zoom.from, zoom.to);
  const sel = p.get("sel");
  if (sel && /^[rt]\d+$/.test(sel)) {
    const n = Number(sel.slice(1));
    if (sel[0] === "r") await selectRecord(n);
    else {
      const row = await /** @type {NonNullable<typeof api>} */ (api).call("rowOf", [n]);
      if (row >= 0) await selectRow(row, true);
    }
  }
}

// ---- input -------------------------------------------------------------------------------------------

$("tree").addEventListener("scroll", () => void drawRows());
window.addEventListener("resize", () => void drawRows());
$("tree").addEventListener("keydown", (e) => {
  if (selectedRow < 0) return;
  if (e.key === "ArrowDown" && selectedRow + 1 < rowCount) void selectRow(selectedRow + 1, true);
  else if (e.key === "ArrowUp" && selectedRow > 0) void selectRow(selectedRow - 1, true);
  else if (e.key === "Enter" || e.key === "ArrowRight" || e.key === "ArrowLeft") void toggleRow(selectedRow);
  else return;
  e.preventDefault();
});

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

/** Base64 text of a data block (a report's capture and WASM core) as bytes. */
function fromBase64(/** @type {string} */ text) {
  const bin = atob(text.replace(/\s+/g, ""));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * A report (`usbscope report`) carries the capture, the WASM core and the worker's code in data blocks
 * (never executed as script): the worker starts from a blob, or the page analyses by itself.
 */
async function loadInlineCapture(/** @type {HTMLElement} */ block) {
  const wasm = fromBase64(/** @type {HTMLElement} */ ($("usbscope-wasm")).textContent ?? "");
  const capture = fromBase64(block.textContent ?? "");
  const workerCode = $("usbscope-worker")?.textContent ?? "";
  const makeWorker = () =>
    new Worker(URL.createObjectURL(new Blob([workerCode], { type: "text/javascript" })));
  document.body.dataset.report = "true";
  // The view `usbscope report --filter ...` chose, unless the reader's URL names one.
  const view = block.dataset.view;
  if (view && location.hash.length <= 1) history.replaceState(null, "", `#${view}`);
  await load(capture.buffer, block.dataset.name ?? "capture", {
    wasm,
    makeWorker: workerCode ? makeWorker : undefined,
  });
}

setupInput();
document.body.dataset.state = "idle";
const inlineCapture = document.getElementById("usbscope-capture");
if (inlineCapture) void loadInlineCapture(inlineCapture);
else if (location.protocol === "http:" || location.protocol === "https:") void loadServedCapture();
