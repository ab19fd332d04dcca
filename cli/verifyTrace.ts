// One trace of a verify batch, checked: the same work in the main thread and in a pool worker (verifyWorker.ts),
// so the outcome is plain data a worker can post (structured clone), never an AnalysisResult.
import { InputError, openInput, shownName, type Io } from "./io.js";
import { inputProblem } from "./analyzeInput.js";
import type { Trace } from "./inputs.js";
import {
  analyzeSource,
  verifyCapture,
  type Core,
  type Expectation,
  type Finding,
  type Severity,
  type Verdict,
} from "../src/index.js";

export type TraceOutcome =
  | { kind: "error"; message: string; seconds: number }
  | { kind: "verdict"; verdict: Verdict; seconds: number }
  | {
      kind: "findings";
      failed: boolean;
      counts: Record<Severity, number>;
      records: number;
      countByRule: [string, number][];
      /** The kept findings in capture order, for JUnit only. */
      findings?: Finding[];
      seconds: number;
    };

export interface TraceJob {
  expectation?: Expectation;
  failOn: "error" | "warning";
  /** JUnit needs the findings of a capture checked without expectations. */
  junit: boolean;
  /** A core reused across the traces of this thread (readCapture resets it for each). */
  core?: Core;
}

/** Check `t`: an error outcome for anything that stops it (the batch goes on), else its verdict or findings. */
export async function checkTrace(t: Trace, job: TraceJob, io: Io): Promise<TraceOutcome> {
  const t0 = performance.now();
  const seconds = () => (performance.now() - t0) / 1000;
  if (t.problem) return { kind: "error", message: t.problem, seconds: 0 };
  try {
    const { source, name } = await openInput(t.path, io);
    let result;
    try {
      // Verdicts only: no control transfer list is needed.
      result = await analyzeSource(source, name, { keepControlTransfers: false, core: job.core });
    } finally {
      await source.close();
    }
    const problem = inputProblem(result);
    if (problem) return { kind: "error", message: problem, seconds: seconds() };
    if (job.expectation)
      return {
        kind: "verdict",
        verdict: verifyCapture(result, job.expectation, { failOn: job.failOn }),
        seconds: seconds(),
      };
    const c = result.findings.countBySeverity;
    return {
      kind: "findings",
      failed: c.error > 0 || (job.failOn === "warning" && c.warning > 0),
      counts: { ...c },
      records: result.capture.records,
      countByRule: [...result.findings.countByRule],
      findings: job.junit ? result.findings.sorted() : undefined,
      seconds: seconds(),
    };
  } catch (e) {
    // One trace that cannot be read (or that breaks the analysis) is that trace's error; the run goes on.
    const message =
      e instanceof InputError
        ? e.message
        : `${shownName(t.path)}: internal error: ${e instanceof Error ? e.message : String(e)}`;
    return { kind: "error", message, seconds: seconds() };
  }
}
