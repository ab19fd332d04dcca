// A filter tree → one predicate: closures over a Subject's getters, built once; judging a record
// allocates nothing. Values are checked here, each error pointing at its column.
import { Pid } from "../../as/shared/constants.js";
import type { Timestamp } from "../usb/model.js";
import { errnoName, UsbdStatus } from "../urb/status.js";
import { allRules } from "../rules/registry.js";
import type { CaptureFacts, FindingMark } from "./facts.js";
import { FIELD_NAMES } from "./fields.js";
import { FilterError } from "./filterError.js";
import type { Token } from "./lexer.js";
import type { CompareOp, FilterNode } from "./parser.js";
import { KindBit, StatusBit, type Subject } from "./subject.js";

export type Predicate<S> = (s: S) => boolean;

/** What judging needs besides the record. */
export interface FilterEnv {
  /** Whole-capture facts (`vidpid`, `rule`, `severity`, `request`, endpoint types): see needsFacts. */
  facts?: CaptureFacts;
  /** What relative times count from: the first record's time, set before the first record is judged. */
  origin?: Timestamp;
}

const KINDS: Record<string, number> = {
  control: KindBit.CONTROL,
  bulk: KindBit.BULK,
  interrupt: KindBit.INTERRUPT,
  iso: KindBit.ISO,
  isochronous: KindBit.ISO,
  sof: KindBit.SOF,
  setup: KindBit.SETUP,
  poll: KindBit.POLL,
};

const STATUSES: Record<string, number> = {
  ok: StatusBit.OK,
  stall: StatusBit.STALL,
  nak: StatusBit.NAK,
  error: StatusBit.ERROR,
  "bad-crc": StatusBit.BAD_CRC,
  incomplete: StatusBit.INCOMPLETE,
  cancelled: StatusBit.CANCELLED,
};

const PIDS: Record<string, number> = {
  OUT: Pid.OUT,
  IN: Pid.IN,
  SOF: Pid.SOF,
  SETUP: Pid.SETUP,
  DATA0: Pid.DATA0,
  DATA1: Pid.DATA1,
  DATA2: Pid.DATA2,
  MDATA: Pid.MDATA,
  ACK: Pid.ACK,
  NAK: Pid.NAK,
  STALL: Pid.STALL,
  NYET: Pid.NYET,
  ERR: Pid.PRE_ERR,
  PRE: Pid.PRE_ERR,
  "PRE/ERR": Pid.PRE_ERR,
  SPLIT: Pid.SPLIT,
  PING: Pid.PING,
};

const SEVERITY_RANK: Record<string, number> = { info: 1, warning: 2, error: 3 };

/** Fields that need the whole capture known first (a pass before, or facts gathered live). */
const FACT_FIELDS = new Set(["vidpid", "rule", "severity", "request"]);
/** Kinds that are endpoint types: on raw packets they come from the descriptors (facts). */
const TYPE_KINDS = KindBit.BULK | KindBit.INTERRUPT | KindBit.ISO;

/** Does judging `tree` need CaptureFacts? (On raw packets `kind==bulk` &c. does too: see needsEndpointTypes.) */
export function needsFacts(tree: FilterNode): boolean {
  return someTest(tree, (field) => FACT_FIELDS.has(field.text));
}

/** Does `tree` ask for an endpoint type (`kind==bulk`, `interrupt`, `iso`), which raw packets learn from descriptors? */
export function needsEndpointTypes(tree: FilterNode): boolean {
  return someTest(
    tree,
    (field, value) =>
      field.text === "kind" &&
      value !== undefined &&
      ((KINDS[value.text.toLowerCase()] ?? 0) & TYPE_KINDS) !== 0,
  );
}

/** Does `tree` read payload bytes (`data`)? URB and transfer layers then keep them. */
export function needsData(tree: FilterNode): boolean {
  return someTest(tree, (field) => field.text === "data");
}

/** The devices and VID:PIDs `tree` asks for with ==: a capture without them can never match. */
export function wantedDevices(tree: FilterNode): { addresses: number[]; vidpids: [number, number][] } {
  const addresses: number[] = [];
  const vidpids: [number, number][] = [];
  const walk = (n: FilterNode) => {
    if (n.type === "and" || n.type === "or") {
      walk(n.left);
      walk(n.right);
    } else if (n.type === "compare" && n.op === "==") {
      if (n.field.text === "dev") addresses.push(intValue(n.value, 0, 127, "a device address"));
      if (n.field.text === "vidpid") vidpids.push(vidpidValue(n.value));
    }
  };
  walk(tree);
  return { addresses, vidpids };
}

function someTest(tree: FilterNode, test: (field: Token, value?: Token) => boolean): boolean {
  switch (tree.type) {
    case "and":
    case "or":
      return someTest(tree.left, test) || someTest(tree.right, test);
    case "not":
      return someTest(tree.operand, test);
    case "compare":
    case "contains":
      return test(tree.field, tree.value);
    case "in":
      return test(tree.field, tree.low);
    case "present":
      return test(tree.field);
  }
}

/** Compile `tree` for records of one kind. Throws FilterError (with the column) on a value a field does not take. */
export function compileTree<S>(tree: FilterNode, subject: Subject<S>, env: FilterEnv): Predicate<S> {
  switch (tree.type) {
    case "and": {
      const a = compileTree(tree.left, subject, env),
        b = compileTree(tree.right, subject, env);
      return (s) => a(s) && b(s);
    }
    case "or": {
      const a = compileTree(tree.left, subject, env),
        b = compileTree(tree.right, subject, env);
      return (s) => a(s) || b(s);
    }
    case "not": {
      const a = compileTree(tree.operand, subject, env);
      return (s) => !a(s);
    }
    default:
      return compileTest(tree, subject, env);
  }
}

type Test = Exclude<FilterNode, { type: "and" | "or" | "not" }>;

function compileTest<S>(t: Test, subject: Subject<S>, env: FilterEnv): Predicate<S> {
  const field = t.field.text;
  if (!FIELD_NAMES.includes(field))
    throw new FilterError(
      `unknown field "${field}"; the fields are: ${FIELD_NAMES.join(", ")}`,
      t.field.column,
      field.length,
    );
  const s = subject;
  switch (field) {
    case "dev":
      return numeric(t, (r) => s.dev(r), 0, 127, "a device address");
    case "ep":
      return numeric(t, (r) => s.epaddr(r) & 0x0f, 0, 15, "an endpoint number");
    case "epaddr":
      return numeric(t, (r) => s.epaddr(r), 0, 255, "an endpoint address");
    case "len":
      return numeric(t, (r) => s.len(r), 0, Number.MAX_SAFE_INTEGER, "a length");
    case "index":
      return indexTest(t, s);
    case "dir": {
      if (t.type === "present") return (r) => !Number.isNaN(s.epaddr(r));
      const c = equality(t, "dir");
      const v = c.value.text.toLowerCase();
      if (v !== "in" && v !== "out") throw valueError(c.value, `"dir" is in or out`);
      const bit = v === "in" ? 0x80 : 0;
      const eq = c.op === "==";
      return (r) => {
        const e = s.epaddr(r);
        return e === e && ((e & 0x80) === bit) === eq;
      };
    }
    case "kind":
      return bitsTest(t, "kind", KINDS, (r) => s.kind(r), "control, bulk, interrupt, iso, sof, setup, poll");
    case "pid": {
      if (t.type === "present") return (r) => !Number.isNaN(s.pid(r));
      const c = equality(t, "pid");
      const name = c.value.text.toUpperCase();
      const v = PIDS[name] ?? (/^(0x[0-9a-f]+|\d+)$/i.test(name) ? Number(c.value.text) : undefined);
      if (v === undefined || v > 255)
        throw valueError(c.value, `unknown PID "${c.value.text}"; PIDs: ${Object.keys(PIDS).join(", ")}`);
      return c.op === "==" ? (r) => s.pid(r) === v : (r) => s.pid(r) !== v && !Number.isNaN(s.pid(r));
    }
    case "status":
      return statusTest(t, s);
    case "time":
      return timeTest(t, s, env);
    case "severity":
      return severityTest(t, s);
    case "rule": {
      if (t.type === "present") return (r) => (s.findings(r)?.length ?? 0) > 0;
      const c = equality(t, "rule");
      const id = c.value.text.toUpperCase();
      if (!allRules().some((x) => x.id === id))
        throw valueError(c.value, `unknown rule "${c.value.text}" (usbscope rules lists them)`);
      const has = (r: S) => s.findings(r)?.some((f) => f.rule === id) === true;
      return c.op === "==" ? has : (r) => !has(r);
    }
    case "request": {
      if (t.type === "present") return (r) => s.request(r) !== undefined;
      const c = equality(t, "request");
      const want = c.value.text.toLowerCase();
      const has = (r: S) => {
        const q = s.request(r)?.toLowerCase();
        return q !== undefined && (q === want || q.startsWith(want + " "));
      };
      return c.op === "==" ? has : (r) => s.request(r) !== undefined && !has(r);
    }
    case "vidpid": {
      if (t.type === "present") return (r) => !Number.isNaN(s.dev(r));
      const c = equality(t, "vidpid");
      const [vid, pid] = vidpidValue(c.value);
      const facts = env.facts;
      const has = (r: S) => {
        const d = s.dev(r);
        if (facts === undefined || d !== d) return false;
        const b = s.bus(r);
        return facts.hasVidPid(vid, pid, d, b === b ? b : undefined);
      };
      return c.op === "==" ? has : (r) => !Number.isNaN(s.dev(r)) && !has(r);
    }
    case "data":
      return dataTest(t, s);
  }
  throw new FilterError(`unknown field "${field}"`, t.field.column);
}

function valueError(v: Token, message: string): FilterError {
  return new FilterError(message, v.column, Math.max(1, v.text.length));
}

/** A test that takes == and != only. */
function equality(t: Test, field: string): { op: "==" | "!="; value: Token } {
  if (t.type === "compare" && (t.op === "==" || t.op === "!=")) return { op: t.op, value: t.value };
  if (t.type === "present")
    throw new FilterError(`"${field}" needs a value: ${field}==VALUE`, t.field.column, field.length);
  const what = t.type === "compare" ? `"${t.op}"` : t.type === "in" ? `"in"` : `"contains"`;
  throw new FilterError(
    `"${field}" takes == and != only, not ${what}`,
    t.opColumn,
    t.type === "compare" ? t.op.length : what.length - 2,
  );
}

export function intValue(v: Token, min: number, max: number, what: string): number {
  const text = v.text;
  const n = /^-?\d+$/.test(text)
    ? Number(text)
    : /^0x[0-9a-f]+$/i.test(text)
      ? parseInt(text.slice(2), 16)
      : NaN;
  if (!Number.isSafeInteger(n)) throw valueError(v, `expected ${what}, a number, found "${text}"`);
  if (n < min || n > max) throw valueError(v, `${what} is ${min}..${max}, not ${n}`);
  return n;
}

function vidpidValue(v: Token): [number, number] {
  const m = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(v.text);
  if (!m) throw valueError(v, `expected VID:PID as hex, e.g. 1209:0001, found "${v.text}"`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16)];
}

function compare(op: CompareOp): (a: number, b: number) => boolean {
  // NaN (no such field) fails every comparison, != included.
  switch (op) {
    case "==":
      return (a, b) => a === b;
    case "!=":
      return (a, b) => a !== b && a === a;
    case "<":
      return (a, b) => a < b;
    case "<=":
      return (a, b) => a <= b;
    case ">":
      return (a, b) => a > b;
    case ">=":
      return (a, b) => a >= b;
  }
}

function numeric<S>(t: Test, get: (r: S) => number, min: number, max: number, what: string): Predicate<S> {
  if (t.type === "present") return (r) => !Number.isNaN(get(r));
  if (t.type === "contains")
    throw new FilterError(`"contains" is for data; "${t.field.text}" is a number`, t.opColumn, 8);
  if (t.type === "in") {
    const lo = intValue(t.low, min, max, what),
      hi = intValue(t.high, min, max, what);
    if (lo > hi) throw valueError(t.low, `the range ${lo}..${hi} is empty`);
    return (r) => {
      const v = get(r);
      return v >= lo && v <= hi;
    };
  }
  const v = intValue(t.value, min, max, what);
  const cmp = compare(t.op);
  return (r) => cmp(get(r), v);
}

/** `index`: a transfer spans first..last records: == and in match when the span holds the index. */
function indexTest<S>(t: Test, s: Subject<S>): Predicate<S> {
  const what = "a record index";
  const MAX = Number.MAX_SAFE_INTEGER;
  if (t.type === "present") return () => true;
  if (t.type === "contains")
    throw new FilterError(`"contains" is for data; "index" is a number`, t.opColumn, 8);
  if (t.type === "in") {
    const lo = intValue(t.low, 0, MAX, what),
      hi = intValue(t.high, 0, MAX, what);
    if (lo > hi) throw valueError(t.low, `the range ${lo}..${hi} is empty`);
    return (r) => s.first(r) <= hi && s.last(r) >= lo;
  }
  const v = intValue(t.value, 0, MAX, what);
  switch (t.op) {
    case "==":
      return (r) => s.first(r) <= v && s.last(r) >= v;
    case "!=":
      return (r) => !(s.first(r) <= v && s.last(r) >= v);
    case "<":
      return (r) => s.first(r) < v;
    case "<=":
      return (r) => s.first(r) <= v;
    case ">":
      return (r) => s.last(r) > v;
    case ">=":
      return (r) => s.last(r) >= v;
  }
}

function bitsTest<S>(
  t: Test,
  field: string,
  names: Record<string, number>,
  get: (r: S) => number,
  list: string,
): Predicate<S> {
  if (t.type === "present") return (r) => get(r) !== 0;
  const c = equality(t, field);
  const bit = names[c.value.text.toLowerCase()];
  if (bit === undefined) throw valueError(c.value, `unknown ${field} "${c.value.text}"; ${field}: ${list}`);
  return c.op === "==" ? (r) => (get(r) & bit) !== 0 : (r) => (get(r) & bit) === 0;
}

/** usbmon errno names (EPIPE) and USBPcap USBD_STATUS names, to their numbers. */
function urbStatusNumber(name: string): number | undefined {
  const upper = name.toUpperCase();
  if (/^E[A-Z]+$/.test(upper)) {
    for (let n = 1; n < 200; n++) if (errnoName(-n).startsWith(`-${n} ${upper} `)) return -n;
    return undefined;
  }
  const usbd = upper.replace(/^USBD_STATUS_/, "");
  const v = (UsbdStatus as unknown as Record<string, number>)[usbd];
  return upper.startsWith("USBD_STATUS_") && typeof v === "number" ? v : undefined;
}

function statusTest<S>(t: Test, s: Subject<S>): Predicate<S> {
  if (t.type === "present") return (r) => s.status(r) !== 0;
  const c = equality(t, "status");
  const text = c.value.text;
  const bit = STATUSES[text.toLowerCase()];
  if (bit !== undefined)
    return c.op === "=="
      ? (r) => (s.status(r) & bit) !== 0
      : (r) => s.status(r) !== 0 && (s.status(r) & bit) === 0;
  const n = /^-?\d+$/.test(text)
    ? Number(text)
    : /^0x[0-9a-f]+$/i.test(text)
      ? parseInt(text.slice(2), 16)
      : urbStatusNumber(text);
  if (n === undefined)
    throw valueError(
      c.value,
      `unknown status "${text}"; status: ${Object.keys(STATUSES).join(", ")}, a URB status name (EPIPE, USBD_STATUS_STALL_PID) or number`,
    );
  return c.op === "=="
    ? (r) => s.urbStatus(r) === n
    : (r) => s.urbStatus(r) !== n && !Number.isNaN(s.urbStatus(r));
}

function severityTest<S>(t: Test, s: Subject<S>): Predicate<S> {
  if (t.type === "present") return (r) => (s.findings(r)?.length ?? 0) > 0;
  if (t.type !== "compare")
    throw new FilterError(`"severity" takes == != < <= > >=, not "${t.type}"`, t.opColumn, t.type.length);
  const rank = SEVERITY_RANK[t.value.text.toLowerCase()];
  if (rank === undefined)
    throw valueError(t.value, `unknown severity "${t.value.text}"; severity: info, warning, error`);
  const cmp = compare(t.op === "!=" ? "==" : t.op);
  const any = (list: readonly FindingMark[] | undefined) =>
    list?.some((f) => cmp(SEVERITY_RANK[f.severity]!, rank)) === true;
  // != : records with findings, none of that severity.
  return t.op === "!="
    ? (r) => (s.findings(r)?.length ?? 0) > 0 && !any(s.findings(r))
    : (r) => any(s.findings(r));
}

/** A time value: seconds from the first record (1.5, 250ms, 10us, 7ns) in ns, or an absolute ISO time. */
function timeValue(v: Token): { relativeNs: number } | { sec: number; nsec: number } {
  const text = v.text;
  const rel = /^(\d+)(?:\.(\d{1,9}))?(s|ms|us|ns)?$/.exec(text);
  if (rel) {
    const scale = { s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9 }[(rel[3] ?? "s") as "s"];
    const frac = (rel[2] ?? "").padEnd(9, "0");
    // Exact in ns: whole units times the unit, plus the fraction's digits scaled.
    const unitNs = 1e9 * scale;
    const ns = Number(rel[1]) * unitNs + Math.round((Number(frac) * unitNs) / 1e9);
    if (!Number.isSafeInteger(ns)) throw valueError(v, `time ${text} is too far from the start`);
    return { relativeNs: ns };
  }
  const iso = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})?$/i.exec(text);
  if (iso) {
    const ms = Date.parse(iso[1]! + (iso[3] ?? "Z").toUpperCase());
    if (!Number.isNaN(ms)) return { sec: ms / 1000, nsec: Number((iso[2] ?? "").padEnd(9, "0")) };
  }
  throw valueError(
    v,
    `expected a time: seconds from the start (1.5, 250ms) or ISO 8601 (2024-05-01T10:00:00Z), found "${text}"`,
  );
}

function timeTest<S>(t: Test, s: Subject<S>, env: FilterEnv): Predicate<S> {
  if (t.type === "present") return (r) => !Number.isNaN(s.sec(r));
  if (t.type === "contains") throw new FilterError(`"contains" is for data; "time" is a time`, t.opColumn, 8);
  // ns of the record past a reference: the first record's time for relative values, the value itself for absolute ones.
  const offset = (v: ReturnType<typeof timeValue>): [(r: S) => number, number] => {
    if ("relativeNs" in v)
      return [
        (r) => {
          const o = env.origin;
          return o === undefined ? NaN : (s.sec(r) - o.sec) * 1e9 + (s.nsec(r) - o.nsec);
        },
        v.relativeNs,
      ];
    return [(r) => (s.sec(r) - v.sec) * 1e9 + (s.nsec(r) - v.nsec), 0];
  };
  if (t.type === "in") {
    const [getLo, lo] = offset(timeValue(t.low));
    const [getHi, hi] = offset(timeValue(t.high));
    return (r) => getLo(r) >= lo && getHi(r) <= hi;
  }
  const [get, v] = offset(timeValue(t.value));
  const cmp = compare(t.op);
  return (r) => cmp(get(r), v);
}

function bytesValue(v: Token): Uint8Array {
  if (v.type === "string") return new TextEncoder().encode(v.text);
  const text = v.text;
  const hex = /^[0-9a-f]{2}(:[0-9a-f]{2})*$/i.test(text)
    ? text.split(":")
    : /^([0-9a-f]{2})+$/i.test(text)
      ? text.match(/../g)!
      : undefined;
  if (!hex)
    throw valueError(v, `expected bytes as hex, 55:53:42:43 or 55534243, or a "string", found "${text}"`);
  return Uint8Array.from(hex.map((h) => parseInt(h, 16)));
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  if (needle.length === 0) return 0;
  const first = needle[0]!;
  outer: for (
    let i = hay.indexOf(first);
    i >= 0 && i <= hay.length - needle.length;
    i = hay.indexOf(first, i + 1)
  ) {
    for (let j = 1; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function dataTest<S>(t: Test, s: Subject<S>): Predicate<S> {
  if (t.type === "present") return (r) => (s.data(r)?.length ?? 0) > 0;
  if (t.type === "contains") {
    const needle = bytesValue(t.value);
    return (r) => {
      const d = s.data(r);
      return d !== undefined && indexOf(d, needle) >= 0;
    };
  }
  const c = equality(t, "data");
  const want = bytesValue(c.value);
  const same = (d: Uint8Array) => d.length === want.length && indexOf(d, want) === 0;
  return c.op === "=="
    ? (r) => {
        const d = s.data(r);
        return d !== undefined && same(d);
      }
    : (r) => {
        const d = s.data(r);
        return d !== undefined && !same(d);
      };
}
