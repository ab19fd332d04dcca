import type { Readable } from "node:stream";
import { fileSource, streamSource, type ByteSource } from "../src/index.js";

/** Where a command writes and reads; tests pass their own (commander's configureOutput in spirit). */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  stdin: Readable;
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  stdin: process.stdin,
};

/** Exit codes of every command (DESIGN.md). */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

/** An input error: the command prints the one-line message and exits 2. */
export class InputError extends Error {}

/** FILE or "-" (stdin) as a byte source. */
export async function openInput(file: string, io: Io): Promise<{ source: ByteSource; name: string }> {
  if (file === "-") return { source: streamSource(io.stdin), name: "-" };
  try {
    return { source: await fileSource(file), name: file };
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
  return `cannot read ${file}: ${why}`;
}
