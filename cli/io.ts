import type { Readable } from "node:stream";
import { statSync } from "node:fs";
import {
  fileSource,
  sanitizeTerminal,
  streamSource,
  type ByteSource,
  type TextLayout,
} from "../src/index.js";

/** Where a command writes and reads; tests pass their own (commander's configureOutput in spirit). */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  stdin: Readable;
  /**
   * Resolves when what `out` wrote has gone on (a pipe takes writes asynchronously and buffers the rest in
   * memory): commands read their input only as fast as the output drains, so memory stays bounded.
   */
  drain?(): Promise<void>;
  /**
   * A progress line for long runs, rewritten in place ("" clears it). Only a terminal gets one: processIo
   * defines it when stderr is a TTY, so nothing is written when the output is piped or logged.
   */
  status?(text: string): void;
  /** Whether stdout is a terminal and how wide, and the environment (COLUMNS, NO_COLOR); absent: not a terminal. */
  terminal?: { isTTY: boolean; columns?: number; env: Record<string, string | undefined> };
  /** Binary output on stdout (export -o -); absent where only text can be written. */
  outBytes?(bytes: Uint8Array): void;
}

/** The progress line on stderr, rewritten in place with a carriage return and erase-to-end-of-line. */
function ttyStatus(text: string): void {
  process.stderr.write(
    text ? `\r\u001b[K${text.slice(0, (process.stderr.columns || 80) - 1)}` : "\r\u001b[K",
  );
}

// stdin and status are getters: Node makes process.stdin and process.stderr on first use, and a run that reads
// no stdin (analyze FILE) need not pay for them (start-up, bench/PERFORMANCE.md).
export const processIo: Io = {
  get status() {
    return process.stderr.isTTY ? ttyStatus : undefined;
  },
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  outBytes: (b) => void process.stdout.write(b),
  get stdin() {
    return process.stdin;
  },
  get terminal() {
    return { isTTY: process.stdout.isTTY === true, columns: process.stdout.columns, env: process.env };
  },
  drain: () =>
    process.stdout.writableNeedDrain
      ? new Promise<void>((resolve) => {
          const done = () => {
            process.stdout.off("drain", done);
            process.stdout.off("close", done);
            resolve();
          };
          process.stdout.once("drain", done);
          process.stdout.once("close", done);
        })
      : Promise.resolve(),
};

/** `source`, reading on only once the output has drained (Io.drain): output never piles up in memory. */
export function paced<S extends ByteSource>(source: S, io: Io): S {
  const drain = io.drain;
  if (!drain) return source;
  const read = source.read.bind(source);
  return Object.assign(source, {
    read: async (into: Uint8Array) => {
      await drain();
      return read(into);
    },
  });
}

/** Exit codes of every command (DESIGN.md). */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

/** An input error: the command prints the one-line message and exits 2. */
export class InputError extends Error {}

/** A file name as messages show it: on one line, without the control characters a terminal would act on. */
export function shownName(file: string): string {
  return sanitizeTerminal(file);
}

/** Columns a text report wraps at when stdout is not a terminal and COLUMNS is not set. */
export const PIPE_COLUMNS = 100;

/**
 * How a text report meets stdout: wrapped at COLUMNS when set, else at the terminal's width, else (a pipe or
 * file) at `pipeColumns` (100; live's event lines stay whole for grep); coloured only on a terminal and never
 * with NO_COLOR set (no-color.org).
 */
export function textLayout(io: Io, pipeColumns = PIPE_COLUMNS): TextLayout {
  const t = io.terminal;
  const env = t?.env ?? {};
  const fromEnv = Number(env.COLUMNS);
  const width =
    Number.isInteger(fromEnv) && fromEnv > 0
      ? fromEnv
      : t?.isTTY && t.columns && t.columns > 0
        ? t.columns
        : pipeColumns;
  const color = t?.isTTY === true && !env.NO_COLOR;
  return { width, color };
}

/**
 * What a path is when it is not a regular file, in the words of the one-line error; undefined for a file.
 * A directory would fail the first read, a FIFO would block the open until a writer comes, and a device node
 * is no capture file (usbscope live reads /dev/usbmonN and FIFOs).
 */
function notAFile(file: string): string | undefined {
  // Synchronous: the open and reads that follow block anyway (fileSource), and a thread-pool round trip per
  // input cost a tenth of verify's time on a batch of small traces (bench, issue 16).
  const s = statSync(file);
  if (s.isFile()) return undefined;
  if (s.isDirectory()) return "is a directory, not a capture file";
  if (s.isFIFO()) return "is a FIFO, not a capture file (read it with `usbscope live FILE`, or `- < FILE`)";
  if (s.isCharacterDevice() || s.isBlockDevice())
    return "is a device node, not a capture file (usbscope live reads /dev/usbmonN)";
  if (s.isSocket()) return "is a socket, not a capture file";
  return "is not a regular file";
}

/** FILE or "-" (stdin) as a byte source; a path that is not a regular file is an InputError. */
export async function openInput(file: string, io: Io): Promise<{ source: ByteSource; name: string }> {
  if (file === "-") return { source: paced(streamSource(io.stdin), io), name: "-" };
  try {
    const why = notAFile(file);
    if (why) throw new InputError(`${shownName(file)}: ${why}`);
    return { source: paced(await fileSource(file), io), name: file };
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(readErrorMessage(file, e));
  }
}

/** "cannot read FILE: why", in words for the usual errno codes. */
export function readErrorMessage(file: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const why =
    err.code === "ENOENT"
      ? "no such file"
      : err.code === "EACCES"
        ? "permission denied"
        : err.code === "EISDIR"
          ? "is a directory"
          : err.message;
  return `cannot read ${shownName(file)}: ${why}`;
}
