// The filter front: one expression (and the shortcuts) compiled once for every kind of record a
// command meets: raw packets (on their columns), URB events, transfers, findings. Free of Node: the
// viewer compiles and runs filters in a Web Worker.
import type { Finding } from "../usb/finding.js";
import type { TransferSummary } from "../transfers/transferSummary.js";
import type { UrbEvent } from "../urb/urbEvent.js";
import {
  compileTree,
  needsData,
  needsEndpointTypes,
  needsFacts,
  wantedDevices,
  type FilterEnv,
  type Predicate,
} from "./compile.js";
import type { CaptureFacts } from "./facts.js";
import { FilterError } from "./filterError.js";
import { parseFilter, type FilterNode } from "./parser.js";
import { packetSubject, PacketSelector, type PacketCursor, type SelectedRecords } from "./packetSelector.js";
import { findingSubject, transferSubject, urbSubject } from "./subjects.js";

/** What a command's options ask for: an expression and the shortcuts, all of which must hold. */
export interface FilterOptions {
  filter?: string;
  /** Leave out SOF packets. */
  hideSof?: boolean;
  /** Leave out NAKed polls and empty interrupt completions. */
  hidePolls?: boolean;
  /** Only the device with this VID:PID ("1209:0001"). */
  device?: string;
}

export interface CompiledFilter {
  /** The whole expression, shortcuts included, as it was compiled. */
  text: string;
  tree: FilterNode;
  /** Judging needs CaptureFacts (vidpid, rule, severity, request; endpoint types on raw packets): a pass over the capture first. */
  needsFacts: boolean;
  /** It reads payload bytes: the layers must keep them. */
  needsData: boolean;
  env: FilterEnv;
  packet: Predicate<PacketCursor>;
  urb: Predicate<UrbEvent>;
  transfer: Predicate<TransferSummary>;
  finding: Predicate<Finding>;
  /** Devices and VID:PIDs it asks for with ==: when none is in the capture it can never match. */
  wanted: { addresses: number[]; vidpids: [number, number][] };
  /** A selector of raw packets (push each RecordBatch, get it back with a mask). */
  packetSelector(emit: SelectedRecords): PacketSelector;
}

/**
 * Compile FilterOptions; undefined when they ask for nothing. Throws FilterError: its `source` says which
 * text it points into (the --filter expression, or the shortcut's value).
 */
export function compileFilterOptions(
  options: FilterOptions,
  facts?: CaptureFacts,
): CompiledFilter | undefined {
  const parts: { tree: FilterNode; text: string }[] = [];
  const part = (text: string, source: string, shown: string) => {
    try {
      parts.push({ tree: parseFilter(text), text });
    } catch (e) {
      if (e instanceof FilterError) throw Object.assign(e, { source, shown });
      throw e;
    }
  };
  if (options.filter !== undefined) part(options.filter, "--filter", options.filter);
  if (options.hideSof) part("!(kind==sof)", "--hide-sof", "");
  if (options.hidePolls) part("!(kind==poll)", "--hide-polls", "");
  if (options.device !== undefined) {
    if (!/^[0-9a-f]{1,4}:[0-9a-f]{1,4}$/i.test(options.device))
      throw Object.assign(
        new FilterError(`--device takes VID:PID in hex, e.g. 1209:0001`, 1, options.device.length),
        {
          source: "--device",
          shown: options.device,
        },
      );
    part(`vidpid==${options.device}`, "--device", options.device);
  }
  if (parts.length === 0) return undefined;
  const tree = parts.map((p) => p.tree).reduce((left, right) => ({ type: "and", left, right }));
  const text = parts.map((p) => (parts.length > 1 ? `(${p.text})` : p.text)).join(" && ");
  try {
    return compileFilter(tree, text, facts);
  } catch (e) {
    // A value error in the --filter expression points into it: compile each part alone to find which.
    if (e instanceof FilterError) {
      for (const [k, p] of parts.entries()) {
        try {
          compileFilter(p.tree, p.text, facts);
        } catch (inner) {
          if (inner instanceof FilterError) {
            const source = k === 0 && options.filter !== undefined ? "--filter" : "--device";
            throw Object.assign(inner, {
              source,
              shown: source === "--filter" ? options.filter : options.device,
            });
          }
        }
      }
    }
    throw e;
  }
}

/** Compile one expression (throws FilterError with the column). */
export function compileExpression(expr: string, facts?: CaptureFacts): CompiledFilter {
  return compileFilter(parseFilter(expr), expr, facts);
}

/** Check an expression: undefined when it compiles, else the error (message, column) for the caret. */
export function checkFilter(expr: string): FilterError | undefined {
  try {
    compileExpression(expr);
    return undefined;
  } catch (e) {
    if (e instanceof FilterError) return e;
    throw e;
  }
}

function compileFilter(tree: FilterNode, text: string, facts?: CaptureFacts): CompiledFilter {
  const env: FilterEnv = { facts };
  const packet = compileTree(tree, packetSubject(env), env);
  const compiled: CompiledFilter = {
    text,
    tree,
    needsFacts: needsFacts(tree) || needsEndpointTypes(tree),
    needsData: needsData(tree),
    env,
    packet,
    urb: compileTree(tree, urbSubject(env), env),
    transfer: compileTree(tree, transferSubject(env), env),
    finding: compileTree(tree, findingSubject(env), env),
    wanted: wantedDevices(tree),
    packetSelector: (emit) => new PacketSelector(packet, env, emit),
  };
  return compiled;
}
