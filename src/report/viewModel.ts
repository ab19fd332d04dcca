// The viewer's traffic tree as a view model, kept in columns (no object per row): top-level items in
// capture order (transfers, folded runs of SOFs or other records between them, bus events), their
// children (transactions → packets for raw captures, submission and completion for URBs) inserted
// into the visible list only when expanded. Row objects are built only for the rows on screen.
import type { AnalysisResult, ControlTransferSummary } from "../result.js";
import type { Finding, Severity } from "../usb/finding.js";
import type { ClassDecode } from "../usb/classDecode.js";
import type { MscCommand } from "../classes/bot.js";
import { PacketStatus, Pid } from "../../as/shared/constants.js";
import { pidName, STATUS_NAMES } from "../usb/pid.js";
import { hex2, hex4 } from "../usb/bytes.js";
import { secondsBetween } from "../usb/time.js";
import { F64Column, U32Column, U8Column } from "./columns.js";
import { endpointKeyText, type RecordColumns } from "./recordColumns.js";
import {
  LEAF_COMPLETE,
  LEAF_SUBMIT,
  TRANSFER_KINDS,
  TX_CSPLIT,
  TX_RETRANSMISSION,
  TX_SSPLIT,
  type TransferColumns,
} from "./transferColumns.js";

/** Top-level item kinds. */
export const TOP_TRANSFER = 0,
  TOP_SOF_RUN = 1,
  TOP_OTHER_RUN = 2,
  TOP_BUS_EVENT = 3;

const SEVERITY_RANK: Record<Severity, number> = { info: 1, warning: 2, error: 3 };
const SEVERITIES: (Severity | "")[] = ["", "info", "warning", "error"];

/** One row on screen. */
export interface TreeRow {
  row: number;
  id: number;
  depth: number;
  expandable: boolean;
  expanded: boolean;
  /** Seconds since the first record; NaN when unknown. */
  time: number;
  /** "device.endpoint DIR" (URBs: "bus.device.endpoint DIR"). */
  where: string;
  kind: string;
  /** Data bytes (transfer, transaction) or captured bytes (packet). */
  length: number | null;
  status: string;
  /** The worst finding on the row's records. */
  mark: Severity | "";
  /** The record the row is (packets, URB events) or starts at. */
  record: number;
}

/** What the details pane shows for a row. */
export interface RowDetails {
  title: string;
  fields: [string, string][];
  findings: {
    index: number;
    rule: string;
    severity: Severity;
    message: string;
    spec?: string;
    packet?: number;
  }[];
  /** The bytes: a record's (packets, URB events) or the payload (transfers, transactions). */
  bytes?: Uint8Array;
  /** File offset of bytes[0], when they are one record's. */
  fileOffset?: number;
  bytesNote?: string;
  /** Byte ranges [start, end) a finding is about, with the finding's index in `findings`. */
  highlights: { start: number; end: number; finding: number }[];
  /** The class decoding (src/classes/): "CDC SET_LINE_CODING", "mass storage CBW", its summary and fields. */
  classDecode?: { title: string; fields: [string, string][] };
}

/** Bytes shown for a transfer's payload. */
const MAX_DETAIL_BYTES = 64 * 1024;

export class ViewModel {
  readonly records: RecordColumns;
  readonly transfers: TransferColumns;
  readonly findings: Finding[];
  /** Top-level items. */
  readonly topKind: Uint8Array;
  /** Transfer index, or first record of a run or the bus event's record. */
  readonly topRef: Float64Array;
  readonly topCount: Uint32Array;
  readonly topLast: Float64Array;
  readonly topTime: Float64Array;
  /** Transfer of each record (-1: none), for records and URB events. */
  readonly recordTransfer: Int32Array;
  /** Worst finding severity per transfer (SEVERITIES index). */
  readonly transferMark: Uint8Array;
  readonly transferTop: Uint32Array;
  /** Worst finding severity per top item that is not a transfer (runs, bus events). */
  private readonly topMark: Uint8Array;
  readonly findingsByRecord = new Map<number, number[]>();
  readonly busEvents = new Map<number, string>();
  /** The control transfers the result lists (its first MAX_LISTED), by ControlTransfer index: their setup packets. */
  private readonly control = new Map<number, ControlTransferSummary>();
  /** Mass storage commands the result lists, by their CBW's and CSW's record. */
  private readonly mscByRecord = new Map<number, MscCommand>();
  private readonly firstTime?: { sec: number; nsec: number };
  /** Node ids: top items [0, N), transactions [N, N+X), leaves [N+X, N+X+L), records after. */
  private readonly nTop: number;
  private readonly nTx: number;
  private readonly nLeaf: number;
  // The visible rows.
  private ids = new F64Column(1024);
  private depths = new U8Column(1024);
  private readonly expandedIds = new Set<number>();
  /** Top items shown (null: all). */
  private topMask: Uint8Array | null = null;
  /** Records the filter selected (null: no filter), by record index: children are shown only when selected. */
  private recordShown: Uint8Array | null = null;
  /** Transfers the filter kept as a whole (the transfer matched, none of its records did): all their children show. */
  private wholeTransfer: Uint8Array | null = null;
  /** The time range children are shown in (seconds since the first record; null: all). */
  private range: { from: number; to: number } | null = null;

  constructor(result: AnalysisResult, records: RecordColumns, transfers: TransferColumns) {
    this.records = records;
    this.transfers = transfers;
    this.findings = result.findings.sorted();
    this.firstTime = result.firstTime ?? earliest(transfers);
    for (const e of result.busEvents.list) this.busEvents.set(e.index, e.event);
    for (const ct of result.controlTransfers) this.control.set(ct.index, ct);
    for (const c of result.massStorageCommands ?? []) {
      this.mscByRecord.set(c.cbwRecord, c);
      if (c.cswRecord !== undefined) this.mscByRecord.set(c.cswRecord, c);
    }
    const R = records.count;
    const T = transfers.count;
    const leafRecord = transfers.leafRecord.data;
    let maxLeaf = R - 1;
    for (let l = 0; l < transfers.leaves; l++) if (leafRecord[l]! > maxLeaf) maxLeaf = leafRecord[l]!;
    const rt = new Int32Array(maxLeaf + 1).fill(-1);
    const childStart = transfers.childStart.data,
      childCount = transfers.childCount.data,
      isUrb = transfers.isUrb.data;
    const txLeafStart = transfers.txLeafStart.data,
      txLeafCount = transfers.txLeafCount.data;
    for (let t = 0; t < T; t++) {
      if (isUrb[t]) {
        for (let l = childStart[t]!; l < childStart[t]! + childCount[t]!; l++) rt[leafRecord[l]!] = t;
      } else {
        for (let x = childStart[t]!; x < childStart[t]! + childCount[t]!; x++)
          for (let l = txLeafStart[x]!; l < txLeafStart[x]! + txLeafCount[x]!; l++) rt[leafRecord[l]!] = t;
      }
    }
    // The first record of each transfer is where it sits among the top-level items.
    for (let t = 0; t < T; t++) {
      const f = transfers.first.data[t]!;
      if (f >= 0 && f < rt.length && rt[f] === -1) rt[f] = t;
    }
    this.recordTransfer = rt;
    // Top-level items in record order.
    const kind = new U8Column(),
      ref = new F64Column(),
      count = new U32Column(),
      last = new F64Column();
    const seen = new Uint8Array(T);
    const transferTop = new Uint32Array(T);
    const pid = records.pid.data,
      status = records.status.data;
    let runKind = -1;
    const close = () => {
      runKind = -1;
    };
    const emitTransfer = (t: number) => {
      seen[t] = 1;
      transferTop[t] = kind.length;
      kind.push(TOP_TRANSFER);
      ref.push(t);
      count.push(1);
      last.push(transfers.last.data[t]!);
      close();
    };
    const busFlag = new Uint8Array(this.busEvents.size > 0 ? R : 0);
    for (const r of this.busEvents.keys()) if (r < busFlag.length) busFlag[r] = 1;
    const hasBus = busFlag.length > 0;
    if (R > 0) {
      for (let r = 0; r < R; r++) {
        const t = rt[r]!;
        if (t >= 0) {
          if (!seen[t]) emitTransfer(t);
          continue;
        }
        if (hasBus && busFlag[r]) {
          close();
          kind.push(TOP_BUS_EVENT);
          ref.push(r);
          count.push(1);
          last.push(r);
          continue;
        }
        const k = status[r] === PacketStatus.OK && pid[r] === Pid.SOF ? TOP_SOF_RUN : TOP_OTHER_RUN;
        if (k === runKind) {
          count.data[count.length - 1]!++;
          last.data[last.length - 1] = r;
        } else {
          runKind = k;
          kind.push(k);
          ref.push(r);
          count.push(1);
          last.push(r);
        }
      }
    }
    // Transfers with no record in the columns (usbmon text), in order of their first record.
    const rest: number[] = [];
    for (let t = 0; t < T; t++) if (!seen[t]) rest.push(t);
    rest.sort((a, b) => transfers.first.data[a]! - transfers.first.data[b]! || a - b);
    for (const t of rest) emitTransfer(t);
    this.topKind = kind.view();
    this.topRef = ref.view();
    this.topCount = count.view();
    this.topLast = last.view();
    this.transferTop = transferTop;
    this.nTop = kind.length;
    this.nTx = transfers.transactions;
    this.nLeaf = transfers.leaves;
    this.topTime = new Float64Array(this.nTop);
    for (let i = 0; i < this.nTop; i++) this.topTime[i] = this.itemTime(i);
    // Findings by record, and the worst on each transfer.
    this.transferMark = new Uint8Array(T);
    this.findings.forEach((f, i) => {
      if (f.packet === undefined) return;
      let list = this.findingsByRecord.get(f.packet);
      if (!list) this.findingsByRecord.set(f.packet, (list = []));
      list.push(i);
      const t = f.packet < rt.length ? rt[f.packet]! : -1;
      if (t >= 0) this.transferMark[t] = Math.max(this.transferMark[t]!, SEVERITY_RANK[f.severity]);
    });
    this.topMark = new Uint8Array(this.nTop);
    for (const [r, list] of this.findingsByRecord) {
      if (r < rt.length && rt[r]! >= 0) continue;
      const item = this.topItemOfRecord(r);
      if (item < 0) continue;
      for (const i of list)
        this.topMark[item] = Math.max(this.topMark[item]!, SEVERITY_RANK[this.findings[i]!.severity]);
    }
    this.resetRows();
  }

  get topCountAll(): number {
    return this.nTop;
  }

  get rowCount(): number {
    return this.ids.length;
  }

  /** Show only the top-level items whose mask byte is 1 (null: all); expanded items stay expanded. */
  setTopMask(mask: Uint8Array | null): void {
    this.topMask = mask;
    this.resetRows();
  }

  /** The visible top items in a time range [from, to] (seconds since the first record); null clears. */
  timeMask(from: number, to: number): Uint8Array {
    const mask = new Uint8Array(this.nTop);
    for (let i = 0; i < this.nTop; i++) {
      const t = this.topTime[i]!;
      const end = this.itemEndTime(i);
      mask[i] = (t <= to && end >= from) || Number.isNaN(t) ? 1 : 0;
    }
    return mask;
  }

  /**
   * The top items a filter keeps: a transfer the transfer predicate matched or one of whose records the
   * packet predicate matched; a run or bus event one of whose records it matched. `transferMatch` is in
   * the order transfers were added, `recordMatch` by record index. `whole`: the transfers kept by the
   * transfer predicate alone (none of their records matched), whose children all stay.
   */
  filterMask(transferMatch: Uint8Array, recordMatch: Uint8Array): Uint8Array {
    return this.filterMasks(transferMatch, recordMatch).top;
  }

  /** filterMask's top items, and the transfers kept whole. */
  filterMasks(transferMatch: Uint8Array, recordMatch: Uint8Array): { top: Uint8Array; whole: Uint8Array } {
    const mask = new Uint8Array(this.nTop);
    const rt = this.recordTransfer;
    // Transfers with a matched record.
    const viaRecord = new Uint8Array(this.transfers.count);
    const whole = new Uint8Array(this.transfers.count);
    const n = Math.min(recordMatch.length, rt.length);
    for (let r = 0; r < n; r++) if (recordMatch[r] && rt[r]! >= 0) viaRecord[rt[r]!] = 1;
    for (let i = 0; i < this.nTop; i++) {
      const k = this.topKind[i]!;
      const ref = this.topRef[i]!;
      if (k === TOP_TRANSFER) {
        mask[i] = transferMatch[ref] || viaRecord[ref] ? 1 : 0;
        if (transferMatch[ref] && !viaRecord[ref]) whole[ref] = 1;
      } else if (k === TOP_BUS_EVENT) mask[i] = recordMatch[ref] ? 1 : 0;
      else {
        const last = this.topLast[i]!;
        for (let r = ref; r <= last; r++)
          if (recordMatch[r] && rt[r] === -1) {
            mask[i] = 1;
            break;
          }
      }
    }
    return { top: mask, whole };
  }

  /**
   * The filter at every depth: below the top level a transaction shows when one of its packets is selected,
   * a packet, URB event or record of a run when it is itself (`records`, by record index; null: no filter),
   * except under the transfers in `whole`, kept as a whole. `range` (seconds): only the children in it.
   * Keeps the top mask; the rows are rebuilt.
   */
  setChildFilter(
    records: Uint8Array | null,
    whole: Uint8Array | null,
    range: { from: number; to: number } | null,
  ): void {
    this.recordShown = records;
    this.wholeTransfer = whole;
    this.range = range;
    this.resetRows();
  }

  /** Whether a child showing record `r` (under transfer `t`, -1 none) passes the filter and the time range. */
  private shows(r: number, t: number): boolean {
    const sel = this.recordShown;
    if (sel && !(t >= 0 && this.wholeTransfer?.[t]) && !sel[r]) return false;
    const range = this.range;
    if (range) {
      const time = this.recordTime(r);
      if (time < range.from || time > range.to) return false;
    }
    return true;
  }

  private get filtered(): boolean {
    return this.recordShown !== null || this.range !== null;
  }

  private resetRows(): void {
    const ids = new F64Column(Math.max(16, this.nTop));
    const depths = new U8Column(Math.max(16, this.nTop));
    this.ids = ids;
    this.depths = depths;
    for (let i = 0; i < this.nTop; i++) {
      if (this.topMask && !this.topMask[i]) continue;
      this.appendSubtree(i, 0);
    }
  }

  /** Append node `id` and, when expanded, its expanded descendants. */
  private appendSubtree(id: number, depth: number): void {
    this.ids.push(id);
    this.depths.push(depth);
    if (!this.expandedIds.has(id)) return;
    for (const c of this.children(id)) this.appendSubtree(c, depth + 1);
  }

  /** The children of a node (ids), built when asked: only those the filter and the time range keep. */
  children(id: number): number[] {
    const tr = this.transfers;
    const out: number[] = [];
    const filtered = this.filtered;
    const leafBase = this.nTop + this.nTx;
    if (id < this.nTop) {
      const k = this.topKind[id]!;
      if (k === TOP_TRANSFER) {
        const t = this.topRef[id]!;
        const s = tr.childStart.data[t]!,
          n = tr.childCount.data[t]!;
        if (tr.isUrb.data[t]) {
          for (let c = s; c < s + n; c++)
            if (!filtered || this.shows(tr.leafRecord.data[c]!, t)) out.push(leafBase + c);
        } else for (let c = s; c < s + n; c++) if (!filtered || this.txShows(c, t)) out.push(this.nTop + c);
      } else if (k === TOP_SOF_RUN || k === TOP_OTHER_RUN) {
        const first = this.topRef[id]!,
          last = this.topLast[id]!;
        const recBase = leafBase + this.nLeaf;
        for (let r = first; r <= last; r++)
          if (this.recordTransfer[r] === -1 && !this.busEvents.has(r) && (!filtered || this.shows(r, -1)))
            out.push(recBase + r);
      }
      return out;
    }
    const x = id - this.nTop;
    if (x < this.nTx) {
      const s = tr.txLeafStart.data[x]!;
      const t = filtered ? this.transferOfTx(x) : -1;
      for (let l = s; l < s + tr.txLeafCount.data[x]!; l++)
        if (!filtered || this.shows(tr.leafRecord.data[l]!, t)) out.push(leafBase + l);
    }
    return out;
  }

  /** A transaction shows when one of its packets does. */
  private txShows(x: number, t: number): boolean {
    const tr = this.transfers;
    const s = tr.txLeafStart.data[x]!;
    for (let l = s; l < s + tr.txLeafCount.data[x]!; l++)
      if (this.shows(tr.leafRecord.data[l]!, t)) return true;
    return false;
  }

  /** The transfer of transaction `x` (through its first packet). */
  private transferOfTx(x: number): number {
    const r = this.transfers.leafRecord.data[this.transfers.txLeafStart.data[x]!]!;
    return r < this.recordTransfer.length ? this.recordTransfer[r]! : -1;
  }

  private expandable(id: number): boolean {
    if (id < this.nTop) {
      const k = this.topKind[id]!;
      if (k === TOP_TRANSFER) return this.transfers.childCount.data[this.topRef[id]!]! > 0;
      return k !== TOP_BUS_EVENT;
    }
    return id < this.nTop + this.nTx && this.transfers.txLeafCount.data[id - this.nTop]! > 0;
  }

  /** Expand or collapse row `row`; returns the new row count. */
  toggle(row: number): number {
    const id = this.ids.data[row];
    if (id === undefined || row >= this.ids.length) return this.rowCount;
    if (this.expandedIds.has(id)) this.collapse(row);
    else this.expand(row);
    return this.rowCount;
  }

  expand(row: number): void {
    const id = this.ids.data[row]!;
    if (this.expandedIds.has(id) || !this.expandable(id)) return;
    this.expandedIds.add(id);
    const depth = this.depths.data[row]!;
    const kids = this.children(id);
    this.splice(row + 1, 0, kids, depth + 1);
  }

  collapse(row: number): void {
    const id = this.ids.data[row]!;
    if (!this.expandedIds.delete(id)) return;
    const depth = this.depths.data[row]!;
    let end = row + 1;
    while (end < this.ids.length && this.depths.data[end]! > depth) end++;
    this.splice(row + 1, end - row - 1, [], 0);
  }

  /** Replace `remove` rows at `at` by `ids` (one memmove of the rows after them). */
  private splice(at: number, remove: number, ids: number[], depth: number): void {
    const delta = ids.length - remove;
    if (delta > 0) {
      this.ids.reserve(delta);
      this.depths.reserve(delta);
    }
    const n = this.ids.length;
    this.ids.data.copyWithin(at + ids.length, at + remove, n);
    this.depths.data.copyWithin(at + ids.length, at + remove, n);
    for (let k = 0; k < ids.length; k++) {
      this.ids.data[at + k] = ids[k]!;
      this.depths.data[at + k] = depth;
    }
    this.ids.length += delta;
    this.depths.length += delta;
  }

  /** Rows [from, from + count) as objects, for what is on screen. */
  rows(from: number, count: number): TreeRow[] {
    const out: TreeRow[] = [];
    const end = Math.min(this.ids.length, from + count);
    for (let row = Math.max(0, from); row < end; row++) out.push(this.row(row));
    return out;
  }

  private row(row: number): TreeRow {
    const id = this.ids.data[row]!;
    const depth = this.depths.data[row]!;
    const base = {
      row,
      id,
      depth,
      expandable: this.expandable(id),
      expanded: this.expandedIds.has(id),
    };
    if (id < this.nTop) return { ...base, ...this.topCells(id) };
    const x = id - this.nTop;
    if (x < this.nTx) return { ...base, ...this.txCells(x) };
    const l = x - this.nTx;
    if (l < this.nLeaf) return { ...base, ...this.leafCells(l) };
    return { ...base, ...this.recordCells(l - this.nLeaf) };
  }

  private recordTime(r: number): number {
    return r >= 0 && r < this.records.count ? this.records.time.data[r]! : NaN;
  }

  private transferTime(t: number): number {
    const tr = this.transfers;
    const first = tr.first.data[t]!;
    if (first >= 0 && first < this.records.count) return this.records.time.data[first]!;
    const sec = tr.startSec.data[t]!;
    if (Number.isNaN(sec) || !this.firstTime) return NaN;
    return secondsBetween(this.firstTime, { sec, nsec: tr.startNsec.data[t]! });
  }

  private itemTime(i: number): number {
    return this.topKind[i] === TOP_TRANSFER
      ? this.transferTime(this.topRef[i]!)
      : this.recordTime(this.topRef[i]!);
  }

  private itemEndTime(i: number): number {
    const t = this.recordTime(this.topLast[i]!);
    return Number.isNaN(t) ? this.topTime[i]! : t;
  }

  /** The transfer's where: "dev.ep DIR", URBs "bus.dev.ep DIR". */
  private where(t: number): string {
    const tr = this.transfers;
    const dir = tr.dirIn.data[t] ? "IN" : "OUT";
    const bus = tr.bus.data[t]!;
    const kind = TRANSFER_KINDS[tr.kind.data[t]!];
    if (kind === "invalid") return "";
    return `${bus >= 0 ? `${bus}.` : ""}${tr.device.data[t]}.${tr.endpoint.data[t]} ${dir}`;
  }

  private topCells(i: number): Omit<TreeRow, "row" | "id" | "depth" | "expandable" | "expanded"> {
    const k = this.topKind[i]!;
    const ref = this.topRef[i]!;
    if (k === TOP_TRANSFER) return this.transferCells(ref);
    if (k === TOP_BUS_EVENT)
      return {
        time: this.recordTime(ref),
        where: "",
        kind: `bus event: ${this.busEvents.get(ref) ?? ""}`,
        length: null,
        status: "",
        mark: this.recordMark(ref),
        record: ref,
      };
    const n = this.topCount[i]!;
    return {
      time: this.recordTime(ref),
      where: "",
      kind: k === TOP_SOF_RUN ? `SOF ×${n}` : `${n} other record${n === 1 ? "" : "s"}`,
      length: null,
      status: "",
      mark: SEVERITIES[this.topMark[i]!]!,
      record: ref,
    };
  }

  private transferCells(t: number): Omit<TreeRow, "row" | "id" | "depth" | "expandable" | "expanded"> {
    const tr = this.transfers;
    const kind = TRANSFER_KINDS[tr.kind.data[t]!]!;
    const req = tr.request.data[t]!;
    const naks = tr.nakCount.data[t]!;
    const repeat = tr.repeat.data[t]!;
    let label: string;
    if (kind === "polling") label = `polling ×${naks}`;
    else if (kind === "control") label = `control: ${req >= 0 ? tr.strings.list[req] : "?"}`;
    else label = kind;
    if (repeat > 0) label += ` (repeated ×${repeat})`;
    const u = tr.urbStatus.data[t]!;
    const outcome = tr.strings.list[tr.outcome.data[t]!]!;
    let status = outcome;
    if (tr.isUrb.data[t] && u >= 0 && outcome !== "ok") status = `${outcome} (${tr.strings.list[u]})`;
    if (naks > 0 && kind !== "polling") status += `, ${naks} NAK${naks === 1 ? "" : "s"}`;
    return {
      time: this.transferTime(t),
      where: this.where(t),
      kind: label,
      length: kind === "polling" || kind === "invalid" ? null : tr.dataLength.data[t]!,
      status,
      mark: SEVERITIES[this.transferMark[t]!]!,
      record: tr.first.data[t]!,
    };
  }

  private txCells(x: number): Omit<TreeRow, "row" | "id" | "depth" | "expandable" | "expanded"> {
    const tr = this.transfers;
    const s = tr.txLeafStart.data[x]!,
      n = tr.txLeafCount.data[x]!;
    const pids: string[] = [];
    let mark = 0;
    for (let l = s; l < s + n; l++) {
      const r = tr.leafRecord.data[l]!;
      const name = this.pidText(r);
      if (name !== "SPLIT") pids.push(name);
      mark = Math.max(mark, SEVERITY_RANK[this.recordMark(r) || "info"] * (this.recordMark(r) ? 1 : 0));
    }
    const f = tr.txFlags.data[x]!;
    const split = f & TX_SSPLIT ? "SSPLIT " : f & TX_CSPLIT ? "CSPLIT " : "";
    const len = tr.txDataLength.data[x]!;
    const first = tr.leafRecord.data[s]!;
    return {
      time: this.recordTime(first),
      where: endpointKeyText(this.records.epKey.data[tr.leafRecord.data[s + n - 1] ?? first] ?? 0xffff),
      kind: `${split}${pids.join(" ")}${f & TX_RETRANSMISSION ? " (retransmission)" : ""}`,
      length: len >= 0 ? len : null,
      status: tr.strings.list[tr.txOutcome.data[x]!]!,
      mark: SEVERITIES[mark]!,
      record: first,
    };
  }

  private leafCells(l: number): Omit<TreeRow, "row" | "id" | "depth" | "expandable" | "expanded"> {
    const tr = this.transfers;
    const r = tr.leafRecord.data[l]!;
    const k = tr.leafKind.data[l]!;
    if (k === LEAF_SUBMIT || k === LEAF_COMPLETE) {
      const inColumns = r < this.records.count;
      return {
        time: this.recordTime(r),
        where: "",
        kind: k === LEAF_SUBMIT ? "URB submission" : "URB completion",
        length: inColumns ? this.records.length.data[r]! : null,
        status: "",
        mark: this.recordMark(r),
        record: r,
      };
    }
    return this.recordCells(r);
  }

  private recordCells(r: number): Omit<TreeRow, "row" | "id" | "depth" | "expandable" | "expanded"> {
    const st = this.records.status.data[r]!;
    return {
      time: this.recordTime(r),
      where: this.packetWhere(r),
      kind: st === PacketStatus.NOT_RAW ? (this.busEvents.has(r) ? "bus event" : "record") : this.pidText(r),
      length: this.records.length.data[r]!,
      status: STATUS_NAMES[st] ?? String(st),
      mark: this.recordMark(r),
      record: r,
    };
  }

  private packetWhere(r: number): string {
    const rc = this.records;
    const p = rc.pid.data[r]!;
    if (rc.status.data[r] !== PacketStatus.OK) return "";
    if (p === Pid.SOF) return `frame ${rc.address.data[r]! | (rc.endpoint.data[r]! << 7)}`;
    return endpointKeyText(rc.epKey.data[r]!);
  }

  private pidText(r: number): string {
    if (r >= this.records.count) return "?";
    return pidName(this.records.pid.data[r]!, this.records.status.data[r]!);
  }

  private recordMark(r: number): Severity | "" {
    const list = this.findingsByRecord.get(r);
    if (!list) return "";
    let m = 0;
    for (const i of list) m = Math.max(m, SEVERITY_RANK[this.findings[i]!.severity]);
    return SEVERITIES[m]!;
  }

  /** The row showing record `record` (its packet, URB event or run), expanding what it sits in; -1 when none. */
  locateRecord(record: number): number {
    const t = record < this.recordTransfer.length ? this.recordTransfer[record]! : -1;
    if (t >= 0) {
      const topRow = this.rowOfId(this.transferTop[t]!);
      if (topRow < 0) return -1;
      this.expand(topRow);
      const tr = this.transfers;
      if (tr.isUrb.data[t]) {
        const s = tr.childStart.data[t]!;
        for (let l = s; l < s + tr.childCount.data[t]!; l++)
          if (tr.leafRecord.data[l] === record) return this.rowOfId(this.nTop + this.nTx + l, topRow);
        return topRow;
      }
      const s = tr.childStart.data[t]!;
      for (let x = s; x < s + tr.childCount.data[t]!; x++) {
        const ls = tr.txLeafStart.data[x]!;
        for (let l = ls; l < ls + tr.txLeafCount.data[x]!; l++)
          if (tr.leafRecord.data[l] === record) {
            const txRow = this.rowOfId(this.nTop + x, topRow);
            if (txRow < 0) return topRow;
            this.expand(txRow);
            return this.rowOfId(this.nTop + this.nTx + l, txRow);
          }
      }
      return topRow;
    }
    // A record between transfers: the run or bus event holding it.
    const item = this.topItemOfRecord(record);
    if (item < 0) return -1;
    const topRow = this.rowOfId(item);
    if (topRow < 0 || this.topKind[item] === TOP_BUS_EVENT) return topRow;
    this.expand(topRow);
    const r = this.rowOfId(this.nTop + this.nTx + this.nLeaf + record, topRow);
    return r < 0 ? topRow : r;
  }

  /** The top item whose records span `record` (binary search on first records). */
  private topItemOfRecord(record: number): number {
    let lo = 0,
      hi = this.nTop - 1,
      best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const first =
        this.topKind[mid] === TOP_TRANSFER
          ? this.transfers.first.data[this.topRef[mid]!]!
          : this.topRef[mid]!;
      if (first <= record) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    // Runs interleave with transfers: walk back to the run that spans the record.
    for (let i = best; i >= 0 && i > best - 4096; i--)
      if (this.topKind[i] !== TOP_TRANSFER && this.topRef[i]! <= record && this.topLast[i]! >= record)
        return i;
    return -1;
  }

  /** The visible row of node `id`, searching from row `from`; -1 when not visible. */
  private rowOfId(id: number, from = 0): number {
    const ids = this.ids.data;
    if (id < this.nTop) {
      // Top items are in order: binary search over the rows at depth 0 would need an index; scan from a guess.
      const n = this.ids.length;
      let lo = 0,
        hi = n - 1;
      // Rows are sorted by top item when read at depth 0; children sit between. Binary search on the nearest depth-0 row.
      while (lo <= hi) {
        let mid = (lo + hi) >> 1;
        while (mid > lo && this.depths.data[mid]! > 0) mid--;
        const v = ids[mid]!;
        if (this.depths.data[mid]! > 0) {
          lo = mid + 1;
          continue;
        }
        if (v === id) return mid;
        if (v < id) {
          lo = mid + 1;
          while (lo <= hi && this.depths.data[lo]! > 0) lo++;
        } else hi = mid - 1;
      }
      return -1;
    }
    for (let row = from; row < this.ids.length; row++) if (ids[row] === id) return row;
    return -1;
  }

  /** The id of row `row`, for keeping a selection across expansions. */
  idOfRow(row: number): number {
    return row < this.ids.length ? this.ids.data[row]! : -1;
  }

  rowOf(id: number): number {
    if (id < 0) return -1;
    if (id < this.nTop) return this.rowOfId(id);
    for (let row = 0; row < this.ids.length; row++) if (this.ids.data[row] === id) return row;
    return -1;
  }

  /** The details pane of row `row`. */
  details(row: number): RowDetails | null {
    if (row < 0 || row >= this.ids.length) return null;
    const id = this.ids.data[row]!;
    if (id < this.nTop) {
      const k = this.topKind[id]!;
      const ref = this.topRef[id]!;
      if (k === TOP_TRANSFER) return this.transferDetails(ref);
      if (k === TOP_BUS_EVENT) return this.recordDetails(ref, `Bus event: ${this.busEvents.get(ref) ?? ""}`);
      const n = this.topCount[id]!;
      return {
        title: k === TOP_SOF_RUN ? `${n} start-of-frame packets` : `${n} records outside any transfer`,
        fields: [
          ["records", `${ref} … ${this.topLast[id]!}`],
          ["time", `${fmtTime(this.recordTime(ref))} … ${fmtTime(this.recordTime(this.topLast[id]!))}`],
        ],
        findings: [],
        highlights: [],
      };
    }
    const x = id - this.nTop;
    if (x < this.nTx) return this.transactionDetails(x);
    const l = x - this.nTx;
    if (l < this.nLeaf) {
      const r = this.transfers.leafRecord.data[l]!;
      const k = this.transfers.leafKind.data[l]!;
      if (k === LEAF_SUBMIT || k === LEAF_COMPLETE) return this.urbEventDetails(l, k);
      return this.recordDetails(r);
    }
    return this.recordDetails(l - this.nLeaf);
  }

  private findingItems(records: Iterable<number>): RowDetails["findings"] {
    const out: RowDetails["findings"] = [];
    for (const r of records)
      for (const i of this.findingsByRecord.get(r) ?? []) {
        const f = this.findings[i]!;
        out.push({
          index: i,
          rule: f.rule,
          severity: f.severity,
          message: f.message,
          spec: f.spec,
          packet: f.packet,
        });
      }
    return out;
  }

  private transferRecords(t: number): number[] {
    const tr = this.transfers;
    const out: number[] = [];
    const s = tr.childStart.data[t]!;
    if (tr.isUrb.data[t]) {
      for (let l = s; l < s + tr.childCount.data[t]!; l++) out.push(tr.leafRecord.data[l]!);
      return out;
    }
    for (let x = s; x < s + tr.childCount.data[t]!; x++) {
      const ls = tr.txLeafStart.data[x]!;
      for (let l = ls; l < ls + tr.txLeafCount.data[x]!; l++) out.push(tr.leafRecord.data[l]!);
    }
    return out;
  }

  private transferDetails(t: number): RowDetails {
    const tr = this.transfers;
    const c = this.transferCells(t);
    const kind = TRANSFER_KINDS[tr.kind.data[t]!]!;
    const fields: [string, string][] = [
      ["kind", kind],
      ["device.endpoint", c.where],
      ["records", `${tr.first.data[t]} … ${tr.last.data[t]}`],
      ["time", fmtTime(c.time)],
      ["outcome", c.status],
    ];
    const req = tr.request.data[t]!;
    if (req >= 0) fields.push(["request", tr.strings.list[req]!]);
    const ct = this.control.get(tr.controlIndex.data[t]!);
    if (ct) fields.push(...setupFields(ct));
    if (kind !== "polling") fields.push(["data bytes", String(tr.dataLength.data[t])]);
    if (tr.nakCount.data[t]! > 0) fields.push(["NAKs", String(tr.nakCount.data[t])]);
    if (!tr.isUrb.data[t]) {
      fields.push(["transactions", String(tr.childCount.data[t]! + tr.omitted.data[t]!)]);
    } else {
      const lat = tr.latencyUs.data[t]!;
      if (!Number.isNaN(lat))
        fields.push(["latency", lat >= 1000 ? `${(lat / 1000).toFixed(3)} ms` : `${lat} µs`]);
      const rq = tr.requested.data[t]!,
        ac = tr.actual.data[t]!;
      if (!Number.isNaN(rq)) fields.push(["requested length", String(rq)]);
      if (!Number.isNaN(ac)) fields.push(["actual length", String(ac)]);
      if (tr.repeat.data[t]! > 0) fields.push(["repeated", `${tr.repeat.data[t]} more times, folded`]);
    }
    const records = this.transferRecords(t);
    const d: RowDetails = {
      title: `${capital(c.kind)}${c.where ? ` on ${c.where}` : ""}`,
      fields,
      findings: this.findingItems(records),
      highlights: [],
    };
    const cls = tr.classes.get(t) ?? ct?.class;
    if (cls) {
      d.classDecode = classFields(cls);
      // A mass storage wrapper: the whole command it belongs to (CBW, data, CSW), as the analysis ended it.
      const cmd = this.mscByRecord.get(tr.first.data[t]!);
      if (cmd && cls.class === "mass storage") d.classDecode.fields.push(["SCSI command", cmd.summary]);
    }
    // The payload: a URB's data, or the data packets' payloads of a raw transfer.
    if (tr.isUrb.data[t]) {
      const s = tr.dataStart.data[t]!;
      if (s >= 0) d.bytes = tr.pool.data.subarray(s, s + tr.dataLen.data[t]!);
    } else d.bytes = this.payload(records);
    if (d.bytes) d.bytesNote = "payload";
    return d;
  }

  /** The payloads (PID and CRC16 left out) of the data packets among `records`, up to MAX_DETAIL_BYTES. */
  private payload(records: number[]): Uint8Array | undefined {
    const parts: Uint8Array[] = [];
    let n = 0;
    for (const r of records) {
      if (r >= this.records.count || this.records.status.data[r] !== PacketStatus.OK) continue;
      const p = this.records.pid.data[r]!;
      if ((p & 0x03) !== 0x03) continue; // data PIDs: type bits 11 (Table 8-1)
      const b = this.records.bytes(r);
      if (!b || b.length < 3) continue;
      const body = b.subarray(1, b.length - 2);
      parts.push(body.subarray(0, Math.max(0, MAX_DETAIL_BYTES - n)));
      n += body.length;
      if (n >= MAX_DETAIL_BYTES) break;
    }
    if (parts.length === 0) return undefined;
    const out = new Uint8Array(Math.min(n, MAX_DETAIL_BYTES));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  private transactionDetails(x: number): RowDetails {
    const tr = this.transfers;
    const c = this.txCells(x);
    const s = tr.txLeafStart.data[x]!;
    const records: number[] = [];
    for (let l = s; l < s + tr.txLeafCount.data[x]!; l++) records.push(tr.leafRecord.data[l]!);
    const d: RowDetails = {
      title: `Transaction ${tr.txIndex.data[x]}: ${c.kind}`,
      fields: [
        ["packets", records.map((r) => `${this.pidText(r)} #${r}`).join(", ")],
        ["outcome", c.status],
        ["endpoint", c.where],
        ["time", fmtTime(c.time)],
      ],
      findings: this.findingItems(records),
      highlights: [],
    };
    if (c.length !== null) d.fields.push(["data bytes", String(c.length)]);
    d.bytes = this.payload(records);
    if (d.bytes) d.bytesNote = "payload";
    return d;
  }

  private urbEventDetails(l: number, k: number): RowDetails {
    const tr = this.transfers;
    const r = tr.leafRecord.data[l]!;
    // The transfer this event belongs to.
    const t = r < this.recordTransfer.length ? this.recordTransfer[r]! : -1;
    const title = k === LEAF_SUBMIT ? "URB submission" : "URB completion";
    if (r < this.records.count) return this.recordDetails(r, `${title}, record ${r}`);
    const d: RowDetails = {
      title: `${title}, record ${r}`,
      fields: [["record", String(r)]],
      findings: this.findingItems([r]),
      highlights: [],
    };
    if (t >= 0 && tr.dataStart.data[t]! >= 0) {
      const s = tr.dataStart.data[t]!;
      d.bytes = tr.pool.data.subarray(s, s + tr.dataLen.data[t]!);
      d.bytesNote = "the URB's data";
    }
    return d;
  }

  private recordDetails(r: number, title?: string): RowDetails {
    const rc = this.records;
    const st = rc.status.data[r]!;
    const raw = st !== PacketStatus.NOT_RAW;
    const fields: [string, string][] = [
      ["record", String(r)],
      ["time", fmtTime(this.recordTime(r))],
      ["captured bytes", String(rc.length.data[r])],
    ];
    if (raw) {
      const p = rc.pid.data[r]!;
      fields.unshift(["PID", `${this.pidText(r)} (0x${hex2(p)})`]);
      fields.push(["status", STATUS_NAMES[st] ?? String(st)]);
      if (st === PacketStatus.OK && p === Pid.SOF)
        fields.push(["frame", String(rc.address.data[r]! | (rc.endpoint.data[r]! << 7))]);
      else if (
        st === PacketStatus.OK &&
        (p === Pid.IN || p === Pid.OUT || p === Pid.SETUP || p === Pid.PING)
      ) {
        fields.push(["address", String(rc.address.data[r])]);
        fields.push(["endpoint", String(rc.endpoint.data[r])]);
      } else if (rc.epKey.data[r] !== 0xffff)
        fields.push(["endpoint (from its token)", endpointKeyText(rc.epKey.data[r]!)]);
    }
    const pos = rc.filePos.data[r]!;
    if (pos >= 0) fields.push(["file offset", `0x${hex4(pos >>> 16)}${hex4(pos & 0xffff)}`]);
    const findings = this.findingItems([r]);
    const bytes = rc.bytes(r);
    const highlights: RowDetails["highlights"] = [];
    if (bytes && raw)
      findings.forEach((f, i) => {
        const [a, b] = findingBytes(f.rule, bytes.length);
        if (b > a) highlights.push({ start: a, end: b, finding: i });
      });
    else if (bytes) findings.forEach((_f, i) => highlights.push({ start: 0, end: bytes.length, finding: i }));
    return {
      title: title ?? (raw ? `Packet ${this.pidText(r)}, record ${r}` : `Record ${r}`),
      fields,
      findings,
      bytes,
      fileOffset: pos >= 0 ? pos : undefined,
      bytesNote: bytes ? "the record's captured bytes" : undefined,
      highlights,
    };
  }
}

/** A class decoding as the details pane lists it: its summary first, then the fields by their spec names. */
function classFields(c: ClassDecode): { title: string; fields: [string, string][] } {
  const fields: [string, string][] = [];
  if (c.summary) fields.push(["summary", c.summary]);
  for (const [k, v] of Object.entries(c.fields))
    fields.push([k, typeof v === "boolean" ? (v ? "yes" : "no") : String(v)]);
  return { title: `${c.class} ${c.name}`, fields };
}

const RECIPIENTS = ["device", "interface", "endpoint", "other"];
const TYPES = ["standard", "class", "vendor", "reserved"];

/** The SETUP packet's fields (USB 2.0 §9.3, Table 9-2) and what the transfer's end says. */
function setupFields(ct: ControlTransferSummary): [string, string][] {
  const s = ct.setup;
  const b = s.bmRequestType;
  const out: [string, string][] = [
    [
      "bmRequestType",
      `0x${hex2(b)}: ${b & 0x80 ? "device-to-host" : "host-to-device"}, ${TYPES[(b >> 5) & 3]}, ${RECIPIENTS[b & 0x1f] ?? `recipient ${b & 0x1f}`}`,
    ],
    ["bRequest", `0x${hex2(s.bRequest)} (${s.bRequest})`],
    ["wValue", `0x${hex4(s.wValue)}`],
    ["wIndex", `0x${hex4(s.wIndex)}`],
    ["wLength", String(s.wLength)],
  ];
  if (ct.detail) out.push(["detail", ct.detail]);
  return out;
}

/** The bytes of a packet a packet-level rule is about (USB 2.0 §8.3): the PID, a CRC, or the whole packet. */
export function findingBytes(rule: string, length: number): [number, number] {
  switch (rule) {
    case "PID_INVALID":
    case "PID_RESERVED":
    case "PID_SEQUENCE":
    case "SUBPID_INVALID":
    case "SUBPID_CONFLICT":
      return [0, Math.min(1, length)];
    case "CRC5":
    case "SPLIT_CRC5":
    case "CRC16":
    case "CRC16_SNIFFER_TAP":
      // The CRC field closes the packet (§8.3.5): the last two bytes hold CRC5 (top 5 bits) or CRC16.
      return [Math.max(0, length - 2), length];
    default:
      if (rule.startsWith("TOGGLE")) return [0, Math.min(1, length)];
      return [0, length];
  }
}

/** The earliest URB time, when no record had one (usbmon text). */
function earliest(tr: TransferColumns): { sec: number; nsec: number } | undefined {
  let best: { sec: number; nsec: number } | undefined;
  for (let t = 0; t < tr.count; t++) {
    const sec = tr.startSec.data[t]!,
      nsec = tr.startNsec.data[t]!;
    if (Number.isNaN(sec)) continue;
    if (!best || sec < best.sec || (sec === best.sec && nsec < best.nsec)) best = { sec, nsec };
  }
  return best;
}

function fmtTime(t: number): string {
  return Number.isNaN(t) ? "" : `${t.toFixed(9)} s`;
}

function capital(s: string): string {
  return s ? `${s[0]!.toUpperCase()}${s.slice(1)}` : s;
}
