// Two products (product.ts) compared field by field: configurations matched by bConfigurationValue, interfaces
// by (bInterfaceNumber, bAlternateSetting), endpoints by bEndpointAddress, associations by bFirstInterface,
// class-specific descriptors and BOS capabilities by position, strings by index. Only what the expected side
// lists is checked field by field (delete a field from an expectations file to stop checking it); an element
// (interface, endpoint, configuration...) only one side has is always a difference.
import { interfaceClassText } from "../descriptors/classes.js";
import { fieldValue, NESTED_KEYS, type Fields, type Product, type Value } from "./product.js";

export interface Difference {
  /** Where, in words: "configuration 1, interface 2 (CDC Data), endpoint 0x83"; "" for the product itself. */
  where: string;
  /** The field, when one field differs. */
  field?: string;
  /**
   * changed: both sides have it, with other values; missing: only the expected side (A) has it; extra: only the
   * other (B); truncated: B's reply ended inside the descriptor (`got` bytes of the `expected` bLength); whole:
   * A's did (`expected` bytes) and B has all `got` bytes.
   */
  kind: "changed" | "missing" | "extra" | "truncated" | "whole";
  expected?: Value;
  got?: Value;
}

export interface CompareOptions {
  /** Fields and places not compared (README "Expectations": `tolerances.ignore`). */
  ignore?: readonly string[];
  /** Places the second product's capture cut (product.ts CapturedProduct.cut): what is missing there is not a difference. */
  cut?: readonly string[];
}

export interface Comparison {
  differences: Difference[];
  /** What could not be compared, in words (a cut capture). */
  notes: string[];
}

/** A value as compared: "0x0409" and 1033 are the same number. */
export function normalValue(v: Value | undefined): Value | undefined {
  if (typeof v === "string" && /^0x[0-9a-f]+$/i.test(v)) return parseInt(v.slice(2), 16);
  if (Array.isArray(v)) return v.map((x) => normalValue(x) ?? null);
  if (v !== null && typeof v === "object") {
    const o: { [k: string]: Value } = {};
    for (const [k, x] of Object.entries(v)) o[k] = normalValue(x) ?? null;
    return o;
  }
  return v;
}

/** A scalar as normalValue makes it: hex text as its number. */
function normalScalar(v: Value | undefined): Value | undefined {
  return typeof v === "string" && /^0x[0-9a-f]+$/i.test(v) ? parseInt(v.slice(2), 16) : v;
}

/**
 * Whether `a` and `b` are the same once normalised: what comparing the JSON text of normalValue(a) and
 * normalValue(b) says (keys in order, a number that is not finite as null), without building either. Every
 * trace of a verify batch compares each field, so this runs thousands of times a second.
 */
function same(a: Value | undefined, b: Value | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return sameJson(a, b);
}

function sameJson(a: Value | undefined, b: Value | undefined): boolean {
  // Inside a list or an object, normalValue makes undefined null; JSON writes a number that is not finite as null.
  let x = normalScalar(a) ?? null;
  let y = normalScalar(b) ?? null;
  if (typeof x === "number" && !Number.isFinite(x)) x = null;
  if (typeof y === "number" && !Number.isFinite(y)) y = null;
  if (x === null || y === null || typeof x !== "object" || typeof y !== "object") return x === y;
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  if (Array.isArray(x)) {
    const ya = y as Value[];
    if (x.length !== ya.length) return false;
    for (let i = 0; i < x.length; i++) if (!sameJson(x[i], ya[i])) return false;
    return true;
  }
  const yo = y as { [k: string]: Value };
  const kx = Object.keys(x);
  const ky = Object.keys(yo);
  if (kx.length !== ky.length) return false;
  for (let i = 0; i < kx.length; i++) {
    const k = kx[i]!;
    if (k !== ky[i] || !sameJson(x[k], yo[k])) return false;
  }
  return true;
}

const num = (v: Value | undefined): number | undefined => {
  const n = normalScalar(v);
  return typeof n === "number" ? n : undefined;
};

/** A value for a message: hex fields in hex, text quoted (escaped) and capped at 100 characters. */
export function valueText(field: string | undefined, v: Value | undefined): string {
  if (v === undefined) return "nothing";
  const n = normalValue(v);
  if (typeof n === "number" && field) return String(fieldValue(field, n));
  if (typeof v === "string") {
    const q = JSON.stringify(v);
    return q.length > 102 ? q.slice(0, 100) + '…"' : q;
  }
  const j = JSON.stringify(v);
  return j.length > 100 ? j.slice(0, 100) + "…" : j;
}

function interfaceLabel(i: Fields): string {
  const n = num(i["bInterfaceNumber"]) ?? 0;
  const alt = num(i["bAlternateSetting"]) ?? 0;
  const cls = interfaceClassText(
    num(i["bInterfaceClass"]) ?? 0,
    num(i["bInterfaceSubClass"]) ?? 0,
    num(i["bInterfaceProtocol"]) ?? 0,
  );
  return `interface ${n}${alt ? ` alt ${alt}` : ""} (${cls})`;
}

const endpointLabel = (e: Fields) =>
  `endpoint ${String(fieldValue("bEndpointAddress", num(e["bEndpointAddress"]) ?? 0))}`;
const join = (where: string, label: string) => (where ? `${where}, ${label}` : label);

class Comparer {
  readonly differences: Difference[] = [];
  readonly notes: string[] = [];
  private readonly ignore: ReadonlySet<string>;
  private readonly cut: readonly string[];
  /** String indices whose content is not compared (an ignored i* field points at them). */
  readonly ignoredStrings = new Set<number>();

  constructor(options: CompareOptions) {
    this.ignore = new Set(options.ignore ?? []);
    this.cut = options.cut ?? [];
  }

  ignored(where: string, field?: string): boolean {
    if (this.ignore.size === 0) return false;
    if (field !== undefined && (this.ignore.has(field) || this.ignore.has(`${where}: ${field}`))) return true;
    for (const e of this.ignore) if (where === e || where.startsWith(e + ",")) return true;
    return false;
  }

  /** A missing element or field in a place the capture cut is a note, not a difference. */
  isCut(where: string): boolean {
    if (this.cut.length === 0) return false;
    return this.cut.some((c) => where === c || where.startsWith(c + ","));
  }

  add(d: Difference): void {
    if (this.ignored(d.where, d.field)) return;
    if (d.kind !== "extra" && d.got === undefined && this.isCut(d.where)) {
      this.notes.push(
        `${d.where}${d.field ? `: ${d.field}` : ""} not checked: the capture holds only part of that descriptor`,
      );
      return;
    }
    this.differences.push(d);
  }

  fields(where: string, exp: Fields, got: Fields): void {
    // A descriptor the device cut short: one difference, not one per field it did not send.
    if (typeof got["truncated"] === "number" && exp["truncated"] === undefined) {
      this.add({ where, kind: "truncated", expected: exp["bLength"], got: got["truncated"] });
      return;
    }
    if (typeof exp["truncated"] === "number" && got["truncated"] === undefined) {
      this.add({ where, kind: "whole", expected: exp["truncated"], got: got["bLength"] });
      return;
    }
    for (const k of Object.keys(exp)) {
      if (NESTED_KEYS.includes(k)) continue;
      const v = exp[k]!;
      if (!(k in got)) this.add({ where, field: k, kind: "changed", expected: v });
      else if (!same(v, got[k])) this.add({ where, field: k, kind: "changed", expected: v, got: got[k] });
    }
  }

  /** Lists matched by key; `label` names an element, `inner` compares a matched pair below the fields. */
  list(
    where: string,
    exp: Value | undefined,
    got: Value | undefined,
    key: (f: Fields, i: number) => string,
    label: (f: Fields, i: number) => string,
    inner?: (where: string, e: Fields, g: Fields) => void,
  ): void {
    if (!Array.isArray(exp)) return;
    const e = exp.filter(isFields);
    const g = Array.isArray(got) ? got.filter(isFields) : [];
    const byKey = new Map(g.map((x, i) => [key(x, i), x] as const));
    const expKeys = new Set<string>();
    e.forEach((x, i) => {
      const k = key(x, i);
      expKeys.add(k);
      const here = join(where, label(x, i));
      const other = byKey.get(k);
      if (!other) {
        this.add({ where: here, kind: "missing" });
        return;
      }
      if (x["kind"] !== undefined && other["kind"] !== undefined && !same(x["kind"], other["kind"])) {
        this.add({ where: here, field: "kind", kind: "changed", expected: x["kind"], got: other["kind"] });
        return;
      }
      this.fields(here, x, other);
      inner?.(here, x, other);
    });
    g.forEach((x, i) => {
      if (expKeys.has(key(x, i))) return;
      // The stub of a descriptor the capture cut (its key fields gone) is not a new element.
      if (typeof x["truncated"] === "number" && this.isCut(where)) return;
      this.add({ where: join(where, label(x, i)), kind: "extra" });
    });
  }

  classSpecific(where: string, e: Fields, g: Fields): void {
    if (!("classSpecific" in e) && !("classSpecific" in g)) return;
    this.list(
      where,
      e["classSpecific"] ?? [],
      g["classSpecific"],
      (_f, i) => String(i),
      (f, i) => `class descriptor ${i + 1} (${String(f["kind"] ?? "?")})`,
    );
  }

  configuration(where: string, e: Fields, g: Fields): void {
    this.list(
      where,
      e["interfaces"],
      g["interfaces"],
      (f) => `${num(f["bInterfaceNumber"])}/${num(f["bAlternateSetting"])}`,
      interfaceLabel,
      (w, ei, gi) => {
        this.classSpecific(w, ei, gi);
        this.list(
          w,
          ei["endpoints"],
          gi["endpoints"],
          (f) => String(num(f["bEndpointAddress"])),
          endpointLabel,
          (we, ee, ge) => this.classSpecific(we, ee, ge),
        );
      },
    );
    this.list(
      where,
      e["associations"],
      g["associations"] ?? [],
      (f) => String(num(f["bFirstInterface"])),
      (f) => `interface association ${num(f["bFirstInterface"])}`,
    );
  }

  /** A single descriptor (device, qualifier, BOS): absent key not checked; null means "the device has none". */
  single(where: string, exp: Fields | null | undefined, got: Fields | null | undefined): boolean {
    if (exp === undefined) return false;
    if (exp === null) {
      if (got) this.add({ where, kind: "extra" });
      return false;
    }
    if (!got) {
      this.add({ where, kind: "missing" });
      return false;
    }
    this.fields(where, exp, got);
    return true;
  }

  strings(exp: Product, got: Product): void {
    const e = exp.strings;
    if (!e) return;
    // The names of the strings are needed only for a difference: found then, once.
    let names: Map<number, string> | undefined;
    for (const k of Object.keys(e)) {
      const v = e[k]!;
      const i = Number(k);
      if (this.ignored("strings") || this.ignoredStrings.has(i)) continue;
      const g = got.strings?.[k];
      if (same(v, g)) continue;
      names ??= stringNames(exp);
      const where = `string ${k}${names.get(i) ? ` (${names.get(i)})` : ""}`;
      this.add({ where, kind: "changed", expected: v, got: g });
    }
  }
}

function isFields(v: Value): v is Fields {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Every `i*` string index field of a product and the string index it holds, in descriptor order. */
function* stringIndexFields(p: Product): Generator<[field: string, index: number]> {
  function* walk(f: Fields): Generator<[string, number]> {
    for (const [k, v] of Object.entries(f)) {
      if (/^i[A-Z]/.test(k)) {
        const n = num(v);
        if (n) yield [k, n];
      } else if (Array.isArray(v)) {
        for (const x of v) if (isFields(x)) yield* walk(x);
      }
    }
  }
  if (p.device) yield* walk(p.device);
  for (const c of p.configurations ?? []) yield* walk(c);
  if (p.bos) yield* walk(p.bos);
}

/** String index → the first field that points at it ("iSerialNumber"). */
export function stringNames(p: Product): Map<number, string> {
  const m = new Map<number, string>();
  for (const [f, i] of stringIndexFields(p)) if (!m.has(i)) m.set(i, f);
  return m;
}

/** Compare `got` with `expected`, field by field (see the file comment). */
export function compareProducts(expected: Product, got: Product, options: CompareOptions = {}): Comparison {
  const c = new Comparer(options);
  // Only an ignored field can make a string ignored: without any, no walk.
  if (options.ignore?.length)
    for (const p of [expected, got])
      for (const [f, i] of stringIndexFields(p)) if (c.ignored("", f)) c.ignoredStrings.add(i);
  c.single("device descriptor", expected.device, got.device);
  c.list(
    "",
    expected.configurations,
    got.configurations,
    (f) => String(num(f["bConfigurationValue"])),
    (f) => `configuration ${num(f["bConfigurationValue"])}`,
    (w, e, g) => c.configuration(w, e, g),
  );
  c.single("device qualifier", expected.qualifier, got.qualifier);
  if (c.single("BOS", expected.bos, got.bos))
    c.list(
      "BOS",
      expected.bos!["capabilities"],
      got.bos!["capabilities"],
      (_f, i) => String(i),
      (f, i) => `capability ${i + 1} (${String(f["name"] ?? "?")})`,
    );
  c.strings(expected, got);
  return { differences: c.differences, notes: c.notes };
}

/** Words for the two sides of a comparison: verify says "expected … got …", diff names its two inputs. */
export interface Sides {
  changed(field: string | undefined, a: Value | undefined, b: Value | undefined): string;
  missing: string;
  extra: string;
  truncated(got: Value | undefined, of: Value | undefined): string;
  whole(had: Value | undefined, of: Value | undefined): string;
}

export const EXPECTED_GOT: Sides = {
  changed: (f, a, b) => `expected ${valueText(f, a)}, got ${valueText(f, b)}`,
  missing: "expected, missing from the capture",
  extra: "present, not expected",
  truncated: (got, of) =>
    `cut short: the device sent ${String(got)} of its ${valueText(undefined, of)} bytes`,
  whole: (had, of) =>
    `expected cut short (${String(had)} bytes), the device sent all ${valueText(undefined, of)} bytes`,
};

/** One difference in words: `configuration 1, interface 2 (CDC Data), endpoint 0x83: wMaxPacketSize expected 64, got 512`. */
export function differenceText(d: Difference, sides: Sides = EXPECTED_GOT): string {
  const head = d.where ? `${d.where}: ` : "";
  if (d.kind === "truncated") return `${head}${sides.truncated(d.got, d.expected)}`;
  if (d.kind === "whole") return `${head}${sides.whole(d.expected, d.got)}`;
  if (d.kind === "changed")
    return `${head}${d.field ? `${d.field} ` : ""}${sides.changed(d.field, d.expected, d.got)}`;
  return `${d.where}: ${d.kind === "missing" ? sides.missing : sides.extra}`;
}
