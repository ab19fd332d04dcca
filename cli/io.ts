import type { Readable } from "node:stream";
import { fileSource, sanitizeTerminal, streamSource, type ByteSource } from "../src/index.js";

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
}

/** The progress line on stderr, rewritten in place with a carriage return and erase-to-end-of-line. */
function ttyStatus(text: string): void {
  process.stderr.write(
    text ? `\r\u001b[K${text.slice(0, (process.stderr.columns || 80) - 1)}` : "\r\u001b[K",
  );
}

export const processIo: Io = {
  status: process.stderr.isTTY ? ttyStatus : undefined,
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  stdin: process.stdin,
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

/** FILE or "-" (stdin) as a byte source. */
export async function openInput(file: string, io: Io): Promise<{ source: ByteSource; name: string }> {
  if (file === "-") return { source: paced(streamSource(io.stdin), io), name: "-" };
  try {
    return { source: paced(await fileSource(file), io), name: file };
  } catch (e) {
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
