// The shared start of every command that analyzes one capture: open FILE or stdin, analyze, and turn
// input problems (unreadable file, unknown format, empty input) into one line on stderr and exit 2.
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, InputError, openInput, shownName, type Io } from "./io.js";
import {
  analyzeSource,
  linktypeName,
  READ_LINKTYPES,
  type AnalyzeOptions,
  type AnalysisResult,
} from "../src/index.js";

/**
 * Unknown format, an empty input, or records of no link type usbscope reads (macOS USB 266...): an input
 * error, not a report of zero findings.
 */
export function inputProblem(r: AnalysisResult): string | undefined {
  if (r.capture.bytes === 0) return `${shownName(r.file)}: empty input`;
  if (r.capture.error && r.capture.error.offset === 0 && r.capture.records === 0)
    return `${shownName(r.file)}: ${r.capture.error.message}`;
  const a = r.recordAccounting;
  if (a.analysed === 0 && a.otherLinkTypes > 0) {
    const types = r.linktypes
      .map((lt) => (linktypeName(lt) === `link type ${lt}` ? `${lt}` : `${lt} (${linktypeName(lt)})`))
      .join(", ");
    return `${shownName(r.file)}: link type ${types} is not one usbscope reads (it reads ${READ_LINKTYPES})`;
  }
  return undefined;
}

/** Exit status for an analysis: 1 on any error finding, else 0. */
export function exitCodeFor(r: AnalysisResult): number {
  return r.findings.countBySeverity.error > 0 ? EXIT_FINDINGS : EXIT_OK;
}

/** Analyze FILE ("-": stdin). Returns undefined after reporting an input problem (exit status 2 set). */
export async function analyzeInput(
  file: string,
  io: Io,
  setExit: (code: number) => void,
  options: AnalyzeOptions = {},
): Promise<AnalysisResult | undefined> {
  let opened;
  try {
    opened = await openInput(file, io);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    io.err(`usbscope: ${e.message}\n`);
    setExit(EXIT_USAGE);
    return undefined;
  }
  try {
    const r = await analyzeSource(opened.source, opened.name, options);
    const problem = inputProblem(r);
    if (problem) {
      io.err(`usbscope: ${problem}\n`);
      setExit(EXIT_USAGE);
      return undefined;
    }
    return r;
  } finally {
    await opened.source.close();
  }
}
