// The expectations file (README "Expectations"): what a product looks like on the bus, written by `expect` from
// a known-good capture and edited by hand: identity, descriptors (product.ts), the state reached (USB 2.0
// §9.1.1), how long enumeration took, and the tolerances (fields to ignore, a time budget, rules allowed with a
// reason or forbidden). JSON, versioned by schemaVersion; parseExpectation checks every field and names the bad one.
import type { AnalysisResult } from "../result.js";
import type { Speed } from "../usb/model.js";
import { allRules } from "../rules/registry.js";
import { productOf, type Fields, type Product, type Value } from "./product.js";
import { normalValue } from "./compare.js";
import { enumerationMs, findDevice, type DeviceChoice } from "./select.js";

export const SCHEMA_VERSION = 1;

export type Reached = "configured" | "addressed" | "default";

export interface RuleTolerance {
  rule: string;
  /** Why (required for allowRules: the file says why a finding is acceptable). */
  reason?: string;
}

export interface Tolerances {
  /** Field names ("bcdDevice", "iSerialNumber": also the string it points at), places ("configuration 1, interface 2 (CDC Data)"), a place and a field ("…, endpoint 0x83: wMaxPacketSize"), or "strings". */
  ignore: string[];
  /** Enumeration (first request to SET_CONFIGURATION) must take at most this; null: not checked. */
  enumerationBudgetMs: number | null;
  /** Findings of these rules never fail the trace. */
  allowRules: RuleTolerance[];
  /** Findings of these rules fail the trace whatever their severity. */
  forbidRules: RuleTolerance[];
}

export interface Expectation {
  schemaVersion: number;
  /** The capture it was written from (information only). */
  source?: string;
  identity: { idVendor?: number; idProduct?: number; speed?: Speed };
  /** The state the device must reach; absent: not checked. */
  state?: Reached;
  /** How long the good capture's enumeration took (information; the budget is in tolerances). */
  enumerationMs?: number | null;
  descriptors: Product;
  tolerances: Tolerances;
}

/** An expectations file that cannot be used: the message names the field and what is wrong with it. */
export class ExpectationError extends Error {}

/** The default time budget: twice what the good capture took, rounded up to 10 ms, at least 100 ms (host jitter). */
export function defaultBudgetMs(measured: number | undefined): number | null {
  if (measured === undefined) return null;
  return Math.max(100, Math.ceil((2 * measured) / 10) * 10);
}

/** The expectations of the device `choose` picks in a good capture, or why there is none to write. */
export function expectationOf(
  result: AnalysisResult,
  choose: DeviceChoice = {},
): { expectation: Expectation; notes: string[] } | { problem: string } {
  const found = findDevice(result, choose);
  if ("problem" in found) return { problem: found.problem };
  const { index } = found;
  const device = result.descriptors.tracked[index]!;
  const report = result.descriptors.devices[index]!;
  const { product, cut } = productOf(device);
  const ms = enumerationMs(report, device);
  const dd = device.device!.descriptor;
  return {
    expectation: {
      schemaVersion: SCHEMA_VERSION,
      source: result.file,
      identity: { idVendor: dd.idVendor, idProduct: dd.idProduct, speed: report.speed },
      state: report.state,
      enumerationMs: ms ?? null,
      descriptors: product,
      tolerances: {
        ignore: [],
        enumerationBudgetMs: defaultBudgetMs(ms),
        allowRules: [],
        forbidRules: [],
      },
    },
    notes: cut.map((c) => `the capture holds only part of ${c}: the expectations list what it holds`),
  };
}

/** The file's text: two-space JSON, identity in hex ("0x1209"), a trailing newline. */
export function expectationText(e: Expectation): string {
  const hex4 = (n: number | undefined) =>
    n === undefined ? undefined : "0x" + n.toString(16).padStart(4, "0");
  const doc = {
    schemaVersion: e.schemaVersion,
    source: e.source,
    identity: {
      idVendor: hex4(e.identity.idVendor),
      idProduct: hex4(e.identity.idProduct),
      speed: e.identity.speed,
    },
    state: e.state,
    enumerationMs: e.enumerationMs,
    descriptors: e.descriptors,
    tolerances: e.tolerances,
  };
  return JSON.stringify(doc, null, 2) + "\n";
}

const SPEEDS: readonly string[] = ["low", "full", "high", "unknown"];
const STATES: readonly string[] = ["configured", "addressed", "default"];

function isObject(v: unknown): v is { [k: string]: unknown } {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function fail(what: string): never {
  throw new ExpectationError(what);
}

function u16Field(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = normalValue(v as Value);
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 0xffff)
    fail(`${name} must be a 16-bit number ("0x1209" or 4617), not ${JSON.stringify(v)}`);
  return n;
}

function ruleList(v: unknown, name: string, needReason: boolean, known: Set<string>): RuleTolerance[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) fail(`tolerances.${name} must be a list of { "rule": ..., "reason": ... }`);
  return v.map((x, i) => {
    const at = `tolerances.${name}[${i}]`;
    const t: RuleTolerance =
      typeof x === "string"
        ? { rule: x }
        : isObject(x)
          ? (x as unknown as RuleTolerance)
          : fail(`${at} must be { "rule": ..., "reason": ... }`);
    if (typeof t.rule !== "string") fail(`${at}.rule must be a rule ID`);
    if (!known.has(t.rule)) fail(`${at}.rule "${t.rule}" is not a usbscope rule (usbscope rules lists them)`);
    if (t.reason !== undefined && typeof t.reason !== "string") fail(`${at}.reason must be text`);
    if (needReason && !t.reason?.trim()) fail(`${at} allows ${t.rule} without a reason: say why in "reason"`);
    return t.reason === undefined ? { rule: t.rule } : { rule: t.rule, reason: t.reason };
  });
}

/** Every field name of a product (to catch a misspelt ignore entry). */
function fieldNames(p: Product): Set<string> {
  const names = new Set<string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObject(v))
      for (const [k, x] of Object.entries(v)) {
        names.add(k);
        walk(x);
      }
  };
  walk(p);
  return names;
}

/** Read an expectations file; throws ExpectationError naming the first field that is wrong. */
export function parseExpectation(text: string): Expectation {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    fail(`not JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc)) fail("not an expectations file: the JSON is not an object");
  if (doc["schemaVersion"] === undefined)
    fail("not an expectations file: no schemaVersion (usbscope expect writes one)");
  if (doc["schemaVersion"] !== SCHEMA_VERSION)
    fail(
      `schemaVersion ${JSON.stringify(doc["schemaVersion"])} is not supported (this usbscope reads ${SCHEMA_VERSION})`,
    );
  const id = doc["identity"] ?? {};
  if (!isObject(id)) fail("identity must be an object");
  const speed = id["speed"];
  if (speed !== undefined && (typeof speed !== "string" || !SPEEDS.includes(speed)))
    fail(`identity.speed must be one of ${SPEEDS.join(", ")}, not ${JSON.stringify(speed)}`);
  const state = doc["state"];
  if (state !== undefined && (typeof state !== "string" || !STATES.includes(state)))
    fail(`state must be one of ${STATES.join(", ")}, not ${JSON.stringify(state)}`);
  const descriptors = doc["descriptors"] ?? {};
  if (!isObject(descriptors)) fail("descriptors must be an object");
  const d = descriptors as Product;
  if (d.device !== undefined && !isObject(d.device)) fail("descriptors.device must be an object");
  if (
    d.configurations !== undefined &&
    (!Array.isArray(d.configurations) || !d.configurations.every(isObject))
  )
    fail("descriptors.configurations must be a list of objects");
  if (d.bos !== undefined && d.bos !== null && !isObject(d.bos))
    fail("descriptors.bos must be an object or null");
  if (d.strings !== undefined && !isObject(d.strings))
    fail("descriptors.strings must be an object (index → text)");
  const t = doc["tolerances"] ?? {};
  if (!isObject(t)) fail("tolerances must be an object");
  const ignore = t["ignore"] ?? [];
  if (!Array.isArray(ignore) || !ignore.every((x) => typeof x === "string"))
    fail("tolerances.ignore must be a list of field names");
  const names = fieldNames(d);
  for (const entry of ignore as string[]) {
    // A place ("configuration 1, interface 2 (CDC Data)") or "place: field" is taken as written.
    if (entry.includes(" ") || entry === "strings" || names.has(entry)) continue;
    fail(`tolerances.ignore: "${entry}" names no field of the expected descriptors`);
  }
  const budget = t["enumerationBudgetMs"];
  if (budget !== undefined && budget !== null && (typeof budget !== "number" || !(budget > 0)))
    fail(
      `tolerances.enumerationBudgetMs must be a number of milliseconds above 0, or null, not ${JSON.stringify(budget)}`,
    );
  const known = new Set(allRules().map((r) => r.id));
  const ms = doc["enumerationMs"];
  return {
    schemaVersion: SCHEMA_VERSION,
    source: typeof doc["source"] === "string" ? doc["source"] : undefined,
    identity: {
      idVendor: u16Field(id["idVendor"], "identity.idVendor"),
      idProduct: u16Field(id["idProduct"], "identity.idProduct"),
      speed: speed as Speed | undefined,
    },
    state: state as Reached | undefined,
    enumerationMs: typeof ms === "number" ? ms : null,
    descriptors: d as Product & { [k: string]: Fields | Fields[] | Value },
    tolerances: {
      ignore: ignore as string[],
      enumerationBudgetMs: (budget as number | null | undefined) ?? null,
      allowRules: ruleList(t["allowRules"], "allowRules", true, known),
      forbidRules: ruleList(t["forbidRules"], "forbidRules", false, known),
    },
  };
}
