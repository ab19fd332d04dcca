// The options every command that selects records shares: --filter EXPR and the shortcuts
// --hide-sof, --hide-polls, --device VID:PID; compiling them (a caret under a bad column, exit 2),
// the pass before a filter that needs the whole capture, and the note when a filter cannot match.
import { Command } from "commander";
import { EXIT_USAGE, InputError, openInput, shownName, type Io } from "../io.js";
import {
  compileFilterOptions,
  FilterError,
  gatherFacts,
  sanitizeTerminal,
  CaptureFacts,
  type CompiledFilter,
  type FilterOptions,
} from "../../src/index.js";

export type FilterFlags = FilterOptions;

/** Add --filter, --hide-sof, --hide-polls and --device to `cmd`; `what` names the records selected. */
export function withFilterOptions(cmd: Command, what: string): Command {
  return cmd
    .option("--filter <expr>", `only the ${what} the expression selects (usbscope filter --help)`)
    .option("--hide-sof", "leave out SOF packets (kind!=sof)")
    .option("--hide-polls", "leave out NAKed polls and empty interrupt completions (kind!=poll)")
    .option("--device <vid:pid>", "only the device with this idVendor:idProduct (vidpid==VID:PID)");
}

/** A filter error as the user sees it: the message, the text it is in, a caret under the column. */
export function filterErrorText(e: FilterError): string {
  const { source, shown } = e as FilterError & { source?: string; shown?: string };
  const head = `usbscope: ${source ?? "filter"}: ${e.message} (column ${e.column})\n`;
  if (!shown) return head;
  const line = sanitizeTerminal(shown.replace(/[\t\r\n]/g, " "));
  return `${head}  ${line}\n  ${" ".repeat(e.column - 1)}${"^".repeat(Math.max(1, e.width))}\n`;
}

/**
 * Compile the flags for FILE. Undefined: no filter asked for. Null: an error was reported (exit 2 set).
 * A filter that needs the whole capture known (vidpid, rule, severity, request, endpoint types) reads it once first.
 */
export async function prepareFilter(
  file: string,
  flags: FilterFlags,
  io: Io,
  setExit: (code: number) => void,
): Promise<CompiledFilter | undefined | null> {
  let filter: CompiledFilter | undefined;
  try {
    filter = compileFilterOptions(flags);
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    io.err(filterErrorText(e));
    setExit(EXIT_USAGE);
    return null;
  }
  if (!filter?.needsFacts) return filter;
  if (file === "-") {
    io.err(
      `usbscope: this filter (vidpid, rule, severity, request or an endpoint type) reads the capture twice: give a file, not stdin\n`,
    );
    setExit(EXIT_USAGE);
    return null;
  }
  let facts: CaptureFacts;
  try {
    const { source, name } = await openInput(file, io);
    try {
      facts = await gatherFacts(source, name);
    } finally {
      await source.close();
    }
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    io.err(`usbscope: ${e.message}\n`);
    setExit(EXIT_USAGE);
    return null;
  }
  if (facts.findingsDropped > 0)
    io.err(
      `usbscope: ${shownName(file)}: the filter knows the findings of the first ${facts.findingsRecords} records that have any; ${facts.findingsDropped} later findings are not matched by rule/severity\n`,
    );
  return compileFilterOptions(flags, facts);
}

/**
 * Compile the flags for a stream that is read once (live): the facts a filter needs are learnt as it goes.
 * Undefined: no filter; null: an error was reported (exit 2 set).
 */
export function prepareLiveFilter(
  flags: FilterFlags,
  io: Io,
  setExit: (code: number) => void,
): CompiledFilter | undefined | null {
  try {
    return compileFilterOptions(flags, new CaptureFacts());
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    io.err(filterErrorText(e));
    setExit(EXIT_USAGE);
    return null;
  }
}

/** Say on stderr why a filter selected nothing when it asks for a device the capture does not have. */
export function reportNeverMatched(filter: CompiledFilter, devicesSeen: Uint8Array, io: Io): void {
  for (const a of new Set(filter.wanted.addresses))
    if (!devicesSeen[a])
      io.err(`usbscope: no device at address ${a} in this capture: the filter cannot match\n`);
  const facts = filter.env.facts;
  for (const [vid, pid] of filter.wanted.vidpids) {
    const vp = `${vid.toString(16).padStart(4, "0")}:${pid.toString(16).padStart(4, "0")}`;
    if (facts && !facts.seenVidPid(vid, pid))
      io.err(
        `usbscope: no device ${vp} (by its device descriptor) in this capture: the filter cannot match\n`,
      );
  }
}
