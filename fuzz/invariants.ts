// What must hold for any input whatever (README "Reliability"), checked on one input in-process: the whole
// analysis with every listener the commands attach, then every output the commands print made from it.
//
//   exception   no exception escapes (the CLI would exit 3, "internal error")
//   exit        the exit status is 0, 1 or 2 (2: one line on stderr, for input errors only)
//   time        time per megabyte is bounded (a hang is caught by the runner's watchdog; a slow input here)
//   json        every JSON output parses: the analyze document, and each NDJSON line of transfers and packets
//   accounting  every record is accounted for: read = analysed + other link types + framing errors, in total
//               and per interface; URB records = events + filler + unparsed (each unparsed one with a finding)
//   terminal    no text output carries a control character, an escape sequence or a bidi override, and no
//               JSON output a raw C1, DEL or bidi character (they are escaped as \uXXXX)
//   bounded     every finding's message is short: what it quotes from the capture is capped
//   time        (also) every time in the JSON is ISO 8601 with nine digits
// Memory is bounded by the runner (each worker runs under a heap limit).
import { createCore, type Core } from "../src/core/core.js";
import {
  analysisJson,
  analysisText,
  analyzeSource,
  bufferSource,
  busEventJson,
  busEventText,
  descriptorsDocument,
  jsonText,
  PacketLines,
  readCapture,
  renderDevice,
  renderTransfer,
  transferJson,
  type AnalysisResult,
} from "../src/index.js";
import { exitCodeFor, inputProblem } from "../cli/analyzeInput.js";

export type Invariant =
  | "exception"
  | "exit"
  | "time"
  | "json"
  | "accounting"
  | "terminal"
  | "tshark"
  | "bounded"
  | "hang"
  | "memory";

export interface Verdict {
  /** The invariant broken, or undefined when all hold. */
  broken?: Invariant;
  message?: string;
  /** Milliseconds the analysis and the outputs took. */
  ms: number;
  /** The exit status the CLI would give (3 for an exception). */
  exit: number;
  /** Records framed, and the framing error's offset if framing stopped (for the comparison with tshark). */
  records?: number;
  framingErrorAt?: number;
}

/** Milliseconds an input may take: a fixed allowance (start-up, JIT) plus a per-megabyte budget far above the real rate. */
export function timeLimitMs(bytes: number): number {
  return 2000 + (bytes / (1 << 20)) * 2000;
}

/** A character a terminal acts on: C0 but tab and newline, DEL, C1, ESC, bidi controls. */
// eslint-disable-next-line no-control-regex
const UNSAFE_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

class Broken extends Error {
  constructor(
    readonly invariant: Invariant,
    message: string,
  ) {
    super(message);
  }
}

function must(cond: boolean, invariant: Invariant, message: string): void {
  if (!cond) throw new Broken(invariant, message);
}

/** Each text output is free of what a terminal would act on. */
function safeText(what: string, text: string): void {
  const m = UNSAFE_TEXT.exec(text);
  must(
    m === null,
    "terminal",
    `${what} holds U+${(m?.[0].charCodeAt(0) ?? 0).toString(16).padStart(4, "0")} at ${m?.index}`,
  );
}

/** In JSON output: no raw character a terminal acts on (JSON.stringify leaves C1, DEL and bidi controls raw). */
const UNSAFE_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** The JSON contract's time: ISO 8601 UTC with nine digits. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;
/** Characters a finding's message may take: its own words and capped quotes (src/usb/quote.ts). */
const MAX_MESSAGE = 2048;

function parses(what: string, text: string): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Broken("json", `${what} is not JSON: ${(e as Error).message}`);
  }
  const raw = UNSAFE_JSON.exec(text);
  must(
    raw === null,
    "terminal",
    `${what} holds a raw U+${(raw?.[0].charCodeAt(0) ?? 0).toString(16).padStart(4, "0")}`,
  );
  times(what, value);
}

/** Every "time" member of a JSON value is in the contract's form. */
function times(what: string, v: unknown): void {
  if (Array.isArray(v)) for (const x of v) times(what, x);
  else if (v !== null && typeof v === "object")
    for (const [k, x] of Object.entries(v)) {
      if (k === "time" && typeof x === "string")
        must(ISO_TIME.test(x), "time", `${what}: time ${JSON.stringify(x)}`);
      else times(what, x);
    }
}

/** The accounting identities of README "Reliability" on one result. */
export function checkAccounting(r: AnalysisResult): void {
  const a = r.recordAccounting;
  must(
    a.read === a.analysed + a.otherLinkTypes + a.framingErrors,
    "accounting",
    `read ${a.read} != analysed ${a.analysed} + other ${a.otherLinkTypes} + framing errors ${a.framingErrors}`,
  );
  const u = a.urbRecords;
  if (r.capture.format !== "usbmon-text" && r.capture.format !== "usbmon-binary") {
    let read = a.customBlocks + a.framingErrorsWithoutInterface;
    let analysed = a.customBlocks;
    let other = 0;
    let errors = a.framingErrorsWithoutInterface;
    for (const i of a.interfaces) {
      must(
        i.read === i.analysed + i.otherLinkTypes + i.framingErrors,
        "accounting",
        `interface ${i.interface}: read ${i.read} != ${i.analysed} + ${i.otherLinkTypes} + ${i.framingErrors}`,
      );
      read += i.read;
      analysed += i.analysed;
      other += i.otherLinkTypes;
      errors += i.framingErrors;
    }
    if (a.moreInterfaces) {
      read += a.moreInterfaces.analysed + a.moreInterfaces.otherLinkTypes;
      analysed += a.moreInterfaces.analysed;
      other += a.moreInterfaces.otherLinkTypes;
    }
    must(read === a.read, "accounting", `interfaces read ${read}, total ${a.read}`);
    must(analysed === a.analysed, "accounting", `interfaces analysed ${analysed}, layers ${a.analysed}`);
    must(other === a.otherLinkTypes, "accounting", `interfaces other ${other}, total ${a.otherLinkTypes}`);
    must(
      errors === a.framingErrors,
      "accounting",
      `interfaces framing errors ${errors}, total ${a.framingErrors}`,
    );
    must(
      a.read === r.capture.records + a.framingErrors,
      "accounting",
      `read ${a.read}, framed ${r.capture.records}`,
    );
    must(
      r.capture.error !== undefined || a.framingErrors === 0,
      "accounting",
      "framing errors without a framing error",
    );
  }
  must(u.events + u.filler + u.unparsed >= 0, "accounting", "negative URB counts");
  // Every URB record that did not parse has a finding of its own (its parser reports it).
  // FMT_MON_TRUNCATED is a capture note, said once with its count (`occurrences`).
  let urbFindings = 0;
  for (const rule of ["URB_BAD_LENGTH", "FMT_USBPCAP_HDRLEN", "URB_UNKNOWN_TYPE"])
    urbFindings += r.findings.countByRule.get(rule) ?? 0;
  for (const f of r.findings.kept) if (f.rule === "FMT_MON_TRUNCATED") urbFindings += f.occurrences ?? 1;
  must(
    urbFindings >= u.unparsed,
    "accounting",
    `${u.unparsed} URB records unparsed, ${urbFindings} findings`,
  );
}

/**
 * Run every command's work on `bytes` and check the invariants. `core` is reused between inputs (the core
 * resets itself for each capture), as one process analyzes many files in `verify`.
 */
export async function checkInput(bytes: Uint8Array, core: Core): Promise<Verdict> {
  const t0 = performance.now();
  let exit = 0;
  let records: number | undefined;
  let framingErrorAt: number | undefined;
  try {
    // (transfers prints its text lines through sanitizeTerminal; their JSON is checked here.)
    const ndjson: string[] = [];
    const r = await analyzeSource(bufferSource(bytes), "fuzz", {
      core,
      // As transfers --json and --hex print them: every transfer, raw or URB, with its payload.
      transferData: true,
      onTransfer: (t) => {
        renderTransfer(t, 3, { hex: true });
        ndjson.push(jsonText(transferJson(t, 3, { data: true })));
      },
      onBusEvent: (e) => {
        safeText("a bus event", busEventText(e));
        ndjson.push(jsonText(busEventJson(e)));
      },
    });
    records = r.capture.records;
    for (const f of r.findings.kept)
      must(
        f.message.length <= MAX_MESSAGE,
        "bounded",
        `a ${f.rule} message of ${f.message.length} characters`,
      );
    // A framing error is reported as FMT_FRAMING with its byte offset (analyze.ts): that is the finding.
    if (r.capture.error && r.findings.countByRule.get("FMT_FRAMING")) framingErrorAt = r.capture.error.offset;
    const problem = inputProblem(r);
    exit = problem ? 2 : exitCodeFor(r);
    must(exit === 0 || exit === 1 || exit === 2, "exit", `exit status ${exit}`);
    if (problem) {
      must(!problem.includes("\n"), "exit", "an input error of more than one line");
      safeText("the input error", problem);
    } else {
      checkAccounting(r);
      parses("analyze --json", jsonText(analysisJson(r), 2));
      parses("descriptors --json", jsonText(descriptorsDocument(r.file, r.descriptors), 2));
      for (const l of ndjson) parses("transfers --json", l);
      safeText("analyze", analysisText(r));
      // The commands print these through sanitizeTerminal line by line (transfers) or as built (descriptors).
      for (let i = 0; i < r.descriptors.tracked.length; i++)
        safeText("descriptors", renderDevice(r.descriptors.tracked[i]!, r.descriptors.hitsByDevice[i]));
    }
    // packets: its own pass, text with hex dumps and NDJSON with the bytes, as the command reads (URB records and text too).
    const packets = async (json: boolean): Promise<string> => {
      const out: string[] = [];
      const lines = new PacketLines((t) => out.push(t), { json, hex: !json, data: json });
      await readCapture(bufferSource(bytes), [lines], {
        core,
        onFormat: (_format, bigEndian) => lines.setByteOrder(bigEndian),
        text: lines.textSink(),
      });
      return out.join("");
    };
    safeText("packets", await packets(false));
    for (const l of (await packets(true)).split("\n")) if (l) parses("packets --json", l);
  } catch (e) {
    const ms = performance.now() - t0;
    if (e instanceof Broken) return { broken: e.invariant, message: e.message, ms, exit };
    return { broken: "exception", message: (e as Error).stack ?? String(e), ms, exit: 3 };
  }
  const ms = performance.now() - t0;
  if (ms > timeLimitMs(bytes.length))
    return { broken: "time", message: `${ms.toFixed(0)} ms for ${bytes.length} bytes`, ms, exit };
  return { ms, exit, records, framingErrorAt };
}

/**
 * The comparison with tshark: a file tshark reads whole (no error, `frames` frames) is read whole by usbscope
 * too, or the difference is a finding with its offset (FMT_FRAMING). Returns why not, or undefined.
 */
export function tsharkDifference(v: Verdict, frames: number): string | undefined {
  if (v.records === undefined || v.records === frames) return undefined;
  if (v.framingErrorAt !== undefined) return undefined;
  return `tshark reads ${frames} records, usbscope ${v.records}, with no framing finding`;
}

/** A core for checkInput. */
export function fuzzCore(): Promise<Core> {
  return createCore();
}
