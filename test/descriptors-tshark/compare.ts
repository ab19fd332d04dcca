// The differential comparison: every descriptor tshark dissects in a capture against usbscope's parse of the
// GET_DESCRIPTOR transfer that carries the same bytes, field by field; what differs comes back as a list.
import { analyzeFile } from "../../src/analyze.js";
import type { AnalysisResult } from "../../src/result.js";
import type { ControlTransfer } from "../../src/usb/model.js";
import { COMPARED_FIELDS, ourDescriptors, type OurDescriptor } from "./ourDescriptors.js";
import { ourHidItems } from "./hidItems.js";
import { tsharkDescriptorFrames, type TsharkDescriptor } from "./tsharkDescriptors.js";

export interface Disagreement {
  /** Wireshark frame number (record index + 1). */
  frame: number;
  /** Descriptor offset in the transfer's data, when the disagreement is inside one. */
  offset?: number;
  /** usbscope's descriptor kind at that offset, or "-" when usbscope has none there. */
  kind: string;
  /** tshark filter name, or a pseudo field: "descriptor" (one side has a descriptor the other lacks), "transfer". */
  field: string;
  ours?: string;
  theirs?: string;
}

export interface Comparison {
  /** Fields present on both sides (compared), and how many of them were equal. */
  compared: number;
  agreed: number;
  /** Descriptors found on both sides, and frames tshark decoded. */
  descriptors: number;
  frames: number;
  /** Descriptors usbscope parsed from all GET_DESCRIPTOR replies, matched or not. */
  oursParsed: number;
  /** ControlTransfer.lastPacket + 1 minus the frame tshark dissects the reply in, over all matched replies. */
  lastPacketMinusFrame: Set<number>;
  /** Descriptors found on both sides, per usbscope kind. */
  byKind: Map<string, number>;
  /** The capture's main link type (220/249 URB, 288-295 usbll). */
  linktype?: number;
  /** Compared fields per tshark filter name. */
  byField: Map<string, number>;
  /** The analysis, and for each GET_DESCRIPTOR transfer tshark dissected, its frame and descriptors. */
  result?: AnalysisResult;
  replies: Map<ControlTransfer, { frame: number; groups: TsharkDescriptor[] }>;
  disagreements: Disagreement[];
}

export function disagreementText(d: Disagreement): string {
  const at = d.offset === undefined ? "" : ` @${d.offset}`;
  const vals =
    d.ours !== undefined || d.theirs !== undefined
      ? `: usbscope ${d.ours ?? "(none)"}, tshark ${d.theirs ?? "(none)"}`
      : "";
  return `frame ${d.frame}${at} ${d.kind} ${d.field}${vals}`;
}

function fmt(v: number | string): string {
  return typeof v === "number" ? `${v} (0x${v.toString(16)})` : JSON.stringify(v);
}

/** A tshark value equals ours: numbers whatever the base tshark prints them in ("0x02", "116"), text exactly. */
function same(ours: number | string, show: string): boolean {
  if (typeof ours === "string") return ours === show;
  return show.trim() !== "" && Number(show) === ours;
}

/** Compare one descriptor, matching fields by name and occurrence (the HID list repeats its two fields). */
function compareGroup(
  frame: number,
  ours: OurDescriptor | undefined,
  theirs: TsharkDescriptor | undefined,
  offset: number,
  known: ReadonlySet<string>,
  out: Comparison,
): void {
  const kind = ours?.kind ?? "-";
  if (!ours || !theirs) {
    out.disagreements.push({
      frame,
      offset,
      kind,
      field: "descriptor",
      ours: ours ? `${ours.kind} (${ours.fields.length} fields)` : undefined,
      theirs: theirs ? theirs.fields.map((f) => f.name).join(" ") : undefined,
    });
    return;
  }
  out.descriptors++;
  out.byKind.set(kind, (out.byKind.get(kind) ?? 0) + 1);
  const pool = theirs.fields.filter((f) => known.has(f.name));
  const used = new Array<boolean>(pool.length).fill(false);
  for (const f of ours.fields) {
    const j = pool.findIndex((t, k) => !used[k] && t.name === f.name);
    if (j < 0) {
      out.disagreements.push({ frame, offset, kind, field: f.name, ours: fmt(f.value) });
      continue;
    }
    used[j] = true;
    out.compared++;
    out.byField.set(f.name, (out.byField.get(f.name) ?? 0) + 1);
    if (same(f.value, pool[j]!.show)) out.agreed++;
    else
      out.disagreements.push({
        frame,
        offset,
        kind,
        field: f.name,
        ours: fmt(f.value),
        theirs: JSON.stringify(pool[j]!.show),
      });
  }
  for (let k = 0; k < pool.length; k++)
    if (!used[k])
      out.disagreements.push({
        frame,
        offset,
        kind,
        field: pool[k]!.name,
        theirs: JSON.stringify(pool[k]!.show),
      });
}

/**
 * The GET_DESCRIPTOR transfer a response frame belongs to: the one spanning both the frame and tshark's request
 * frame (usb.request_in), starting closest before the request. URB captures interleave transfers (USBPcap logs a
 * data record then a status record per completion), so the span alone is not enough; in usbll captures request_in
 * is the SETUP's DATA0 packet, one record after the SETUP token usbscope starts the transfer at.
 */
function transferAt(
  reads: ControlTransfer[],
  record: number,
  request: number | undefined,
): ControlTransfer | undefined {
  let best: ControlTransfer | undefined;
  const from = request ?? record;
  for (const ct of reads) {
    if (ct.firstPacket > from || record > ct.lastPacket) continue;
    if (!best || ct.firstPacket > best.firstPacket) best = ct;
  }
  return best;
}

export function emptyComparison(): Comparison {
  return {
    compared: 0,
    agreed: 0,
    descriptors: 0,
    frames: 0,
    oursParsed: 0,
    lastPacketMinusFrame: new Set(),
    byKind: new Map(),
    byField: new Map(),
    replies: new Map(),
    disagreements: [],
  };
}

/** Compare the descriptors of one reply, aligned by their offset in the data. */
export function compareFrame(
  frame: number,
  ours: readonly OurDescriptor[],
  groups: readonly TsharkDescriptor[],
  out: Comparison,
): void {
  if (groups.length === 0) return;
  // tshark's pos counts from the start of the frame (URB) or of the reassembled data (usbll): the reply's
  // first descriptor is at data offset 0 either way.
  const base = groups[0]!.pos;
  const theirsAt = new Map(groups.map((g) => [g.pos - base, g]));
  const oursAt = new Map(ours.map((d) => [d.offset, d]));
  const offsets = [...new Set([...theirsAt.keys(), ...oursAt.keys()])].sort((a, b) => a - b);
  for (const o of offsets) compareGroup(frame, oursAt.get(o), theirsAt.get(o), o, COMPARED_FIELDS, out);
}

export async function compareCapture(file: string): Promise<Comparison> {
  const result = await analyzeFile(file);
  const frames = tsharkDescriptorFrames(file);
  const reads: ControlTransfer[] = [];
  for (const d of result.descriptors.tracked) for (const r of d.reads) reads.push(r.transfer);
  const out = emptyComparison();
  out.frames = frames.size;
  out.linktype = result.linktypes[0];
  out.result = result;
  const parsed = new Map<ControlTransfer, OurDescriptor[] | undefined>();
  for (const ct of reads) {
    const ours = ourDescriptors(ct) ?? ourHidItems(ct);
    parsed.set(ct, ours);
    out.oursParsed += ours?.length ?? 0;
  }
  const matched = new Set<ControlTransfer>();
  for (const [frame, tf] of [...frames.entries()].sort((a, b) => a[0] - b[0])) {
    // A frame holds descriptors or (a HID report descriptor reply) report items; items align by offset the same way.
    const groups = tf.descriptors.length ? tf.descriptors : tf.hidItems;
    const ct = transferAt(reads, frame - 1, tf.requestIn === undefined ? undefined : tf.requestIn - 1);
    if (!ct) {
      out.disagreements.push({
        frame,
        kind: "-",
        field: "transfer",
        theirs: `${groups.length} descriptors in no usbscope GET_DESCRIPTOR transfer`,
      });
      continue;
    }
    const ours = parsed.get(ct);
    if (ours === undefined) {
      out.disagreements.push({
        frame,
        kind: "-",
        field: "transfer",
        ours: ct.request,
        theirs: `${groups.length} descriptors`,
      });
      continue;
    }
    if (matched.has(ct)) {
      out.disagreements.push({
        frame,
        kind: "-",
        field: "transfer",
        ours: `${ct.request} already matched to an earlier frame`,
        theirs: `${groups.length} descriptors`,
      });
      continue;
    }
    matched.add(ct);
    out.replies.set(ct, { frame, groups });
    out.lastPacketMinusFrame.add(ct.lastPacket + 1 - frame);
    compareFrame(frame, ours, groups, out);
  }
  for (const ct of reads) {
    const ours = parsed.get(ct);
    if (!ours || ours.length === 0 || matched.has(ct)) continue;
    out.disagreements.push({
      frame: ct.lastPacket + 1,
      kind: ours[0]!.kind,
      field: "descriptor",
      ours: `${ct.request}: ${ours.length} descriptors, ${ct.data.length} bytes (records ${ct.firstPacket + 1}..${ct.lastPacket + 1})`,
    });
  }
  out.disagreements.sort((a, b) => a.frame - b.frame || (a.offset ?? -1) - (b.offset ?? -1));
  return out;
}
