// Good firmware against bad: the same product in two captures (or an expectations file and a capture), compared
// the way a developer bisecting a regression reads them: identity and state, the descriptors field by field,
// the enumeration timeline step by step (a request that appeared or disappeared, changed its answer or took
// longer), and the findings only one side has.
import type { AnalysisResult } from "../result.js";
import type { EnumerationStep } from "../devices/timeline.js";
import type { Finding, Severity } from "../usb/finding.js";
import type { Speed } from "../usb/model.js";
import type { Expectation } from "./expectation.js";
import { productOf, type Product, type Value } from "./product.js";
import { compareProducts, differenceText, valueText, type Difference, type Sides } from "./compare.js";
import { enumerationMs, findDevice, vidPidText, type DeviceChoice } from "./select.js";

/** One side of a diff: an analysed capture or an expectations file. */
export type DiffInput = { name: string; result: AnalysisResult } | { name: string; expectation: Expectation };

export interface IdentityChange {
  field: "speed" | "state" | "enumerationMs";
  a: Value;
  b: Value;
  message: string;
}

export interface TimelineChange {
  /** added/removed: only one side made the request; request: its wLength changed; answer: its status or length. */
  change: "added" | "removed" | "request" | "answer" | "slower" | "faster";
  /** The request, as the timeline words it ("GET_DESCRIPTOR DEVICE (wLength 18)"). */
  step: string;
  /** The step's record index on each side that has it. */
  a?: number;
  b?: number;
  message: string;
}

export interface RuleCount {
  rule: string;
  severity: Severity;
  count: number;
  /** The first finding's message. */
  message: string;
}

export interface DiffResult {
  /** VID:PID of the device compared. */
  device: string;
  identity: IdentityChange[];
  /** As compare.ts Difference, with A's value as `a` and B's as `b`. */
  descriptors: {
    where: string;
    field?: string;
    kind: Difference["kind"];
    a?: Value;
    b?: Value;
    message: string;
  }[];
  /** Notes: what could not be compared (a cut capture, an expectations file has no timeline or findings). */
  notes: string[];
  timeline: TimelineChange[];
  findings: { onlyA: RuleCount[]; onlyB: RuleCount[] };
  /** No difference at all. */
  same: boolean;
}

/** diff's words: "64 → 32", "only in A". */
export const A_TO_B: Sides = {
  changed: (f, a, b) => `${valueText(f, a)} → ${valueText(f, b)}`,
  missing: "only in A",
  extra: "only in B",
  truncated: (got, of) => `cut short in B: ${String(got)} of ${valueText(undefined, of)} bytes`,
  whole: (had, of) => `cut short in A (${String(had)} bytes), all ${valueText(undefined, of)} bytes in B`,
};

/** A step's timing counts as changed when it moved by at least this much and by at least half. */
export const TIMING_MS = 5;
export const TIMING_RATIO = 1.5;

interface Seen {
  product: Product;
  cut: string[];
  speed?: Speed;
  state?: string;
  ms?: number;
  timeline?: EnumerationStep[];
  findings?: Finding[];
  vid?: number;
  pid?: number;
}

function seen(input: DiffInput, choose: DeviceChoice): Seen | { problem: string } {
  if ("expectation" in input) {
    const e = input.expectation;
    return {
      product: e.descriptors,
      cut: [],
      speed: e.identity.speed,
      state: e.state,
      ms: e.enumerationMs ?? undefined,
      vid: e.identity.idVendor,
      pid: e.identity.idProduct,
    };
  }
  const r = input.result;
  const found = findDevice(r, choose);
  if ("problem" in found) return { problem: `${input.name}: ${found.problem}` };
  const d = r.descriptors.tracked[found.index]!;
  const report = r.descriptors.devices[found.index]!;
  const { product, cut } = productOf(d);
  return {
    product,
    cut,
    speed: report.speed,
    state: report.state,
    ms: enumerationMs(report, d),
    timeline: report.timeline,
    findings: r.findings.sorted().filter((f) => f.device === undefined || d.addresses.includes(f.device)),
    vid: d.device?.descriptor.idVendor,
    pid: d.device?.descriptor.idProduct,
  };
}

/** Longest common subsequence of two step lists, by request: the pairs (i, j) matched, in order. */
function matchSteps(a: readonly string[], b: readonly string[]): [number, number][] {
  const n = a.length;
  const m = b.length;
  const len = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      len[i]![j] = a[i] === b[j] ? len[i + 1]![j + 1]! + 1 : Math.max(len[i + 1]![j]!, len[i]![j + 1]!);
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if (len[i + 1]![j]! >= len[i]![j + 1]!) i++;
    else j++;
  }
  return pairs;
}

const answer = (s: EnumerationStep) => `${s.status}, ${s.length} byte${s.length === 1 ? "" : "s"}`;

/**
 * The request a step is matched by: without wLength (a host asks for wTotalLength, which the descriptor sets)
 * and without SET_ADDRESS's address (the host picks it, not the firmware).
 */
export function stepKey(step: string): string {
  return step.replace(/ \(wLength \d+\)$/, "").replace(/^SET_ADDRESS \d+$/, "SET_ADDRESS");
}

function timelineChanges(a: EnumerationStep[], b: EnumerationStep[]): TimelineChange[] {
  const pairs = matchSteps(
    a.map((s) => stepKey(s.step)),
    b.map((s) => stepKey(s.step)),
  );
  const out: TimelineChange[] = [];
  let i = 0;
  let j = 0;
  const flush = (toI: number, toJ: number) => {
    for (; i < toI; i++)
      out.push({
        change: "removed",
        step: a[i]!.step,
        a: a[i]!.packet,
        message: `${a[i]!.step}: only in A (#${a[i]!.packet})`,
      });
    for (; j < toJ; j++)
      out.push({
        change: "added",
        step: b[j]!.step,
        b: b[j]!.packet,
        message: `${b[j]!.step}: only in B (#${b[j]!.packet})`,
      });
  };
  for (const [pi, pj] of pairs) {
    flush(pi, pj);
    const sa = a[pi]!;
    const sb = b[pj]!;
    const where = { step: sa.step, a: sa.packet, b: sb.packet };
    const wa = /\(wLength (\d+)\)$/.exec(sa.step)?.[1];
    const wb = /\(wLength (\d+)\)$/.exec(sb.step)?.[1];
    if (wa !== wb)
      out.push({
        change: "request",
        ...where,
        message: `${stepKey(sa.step)}: wLength ${wa} in A, ${wb} in B`,
      });
    if (sa.status !== sb.status || sa.length !== sb.length)
      out.push({
        change: "answer",
        ...where,
        message: `${sa.step}: answered ${answer(sa)} in A, ${answer(sb)} in B`,
      });
    const ta = sa.sincePreviousMs;
    const tb = sb.sincePreviousMs;
    if (ta !== undefined && tb !== undefined && Math.abs(tb - ta) >= TIMING_MS) {
      const [lo, hi] = tb > ta ? [ta, tb] : [tb, ta];
      if (hi >= lo * TIMING_RATIO)
        out.push({
          change: tb > ta ? "slower" : "faster",
          ...where,
          message: `${sa.step}: came ${tb.toFixed(1)} ms after the previous request in B, ${ta.toFixed(1)} ms in A`,
        });
    }
    i = pi + 1;
    j = pj + 1;
  }
  flush(a.length, b.length);
  return out;
}

function byRule(findings: Finding[]): Map<string, RuleCount> {
  const m = new Map<string, RuleCount>();
  for (const f of findings) {
    const c = m.get(f.rule);
    if (c) c.count++;
    else m.set(f.rule, { rule: f.rule, severity: f.severity, count: 1, message: f.message });
  }
  return m;
}

/** Compare the product in `a` with the one in `b` (the device `choose` names, else A's). */
export function diffInputs(
  a: DiffInput,
  b: DiffInput,
  choose: DeviceChoice = {},
): DiffResult | { problem: string } {
  const sa = seen(a, choose);
  if ("problem" in sa) return sa;
  // B's device: the one named, else A's VID:PID.
  const named = choose.idVendor !== undefined || choose.idProduct !== undefined;
  const sb = seen(b, named ? choose : { idVendor: sa.vid, idProduct: sa.pid });
  if ("problem" in sb) return sb;
  const notes: string[] = [];
  const identity: IdentityChange[] = [];
  const ident = (
    field: IdentityChange["field"],
    x: Value | undefined,
    y: Value | undefined,
    words: string,
  ) => {
    if (x === undefined || y === undefined || x === y) return;
    identity.push({ field, a: x, b: y, message: `${words}: ${String(x)} in A, ${String(y)} in B` });
  };
  if (sa.speed !== "unknown" && sb.speed !== "unknown") ident("speed", sa.speed, sb.speed, "speed");
  ident("state", sa.state, sb.state, "state reached");
  if (sa.ms !== undefined && sb.ms !== undefined && Math.abs(sb.ms - sa.ms) >= TIMING_MS) {
    const [lo, hi] = sb.ms > sa.ms ? [sa.ms, sb.ms] : [sb.ms, sa.ms];
    if (hi >= lo * TIMING_RATIO)
      identity.push({
        field: "enumerationMs",
        a: sa.ms,
        b: sb.ms,
        message: `enumeration took ${sb.ms.toFixed(1)} ms in B, ${sa.ms.toFixed(1)} ms in A`,
      });
  }
  const cmp = compareProducts(sa.product, sb.product, { cut: [...sa.cut, ...sb.cut] });
  notes.push(...cmp.notes);
  const descriptors = cmp.differences.map((d) => ({
    where: d.where,
    ...(d.field !== undefined ? { field: d.field } : {}),
    kind: d.kind,
    ...(d.expected !== undefined ? { a: d.expected } : {}),
    ...(d.got !== undefined ? { b: d.got } : {}),
    message: differenceText(d, A_TO_B),
  }));
  let timeline: TimelineChange[] = [];
  if (sa.timeline && sb.timeline) timeline = timelineChanges(sa.timeline, sb.timeline);
  else notes.push("an expectations file holds no enumeration timeline: the timelines are not compared");
  const findings: DiffResult["findings"] = { onlyA: [], onlyB: [] };
  if (sa.findings && sb.findings) {
    const ra = byRule(sa.findings);
    const rb = byRule(sb.findings);
    findings.onlyA = [...ra.values()].filter((r) => !rb.has(r.rule));
    findings.onlyB = [...rb.values()].filter((r) => !ra.has(r.rule));
  } else notes.push("an expectations file holds no findings: the findings are not compared");
  const same =
    !identity.length &&
    !descriptors.length &&
    !timeline.length &&
    !findings.onlyA.length &&
    !findings.onlyB.length;
  return { device: vidPidText(sa.vid, sa.pid), identity, descriptors, notes, timeline, findings, same };
}
