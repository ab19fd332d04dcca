#!/usr/bin/env node
import { run } from "./program.js";
import { processIo } from "./io.js";

// A closed pipe (usbscope packets x | head) ends the output, not the process with a stack trace.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

run(process.argv.slice(2), processIo).then(
  // Exit once stdout has flushed: a pipe takes writes asynchronously, and exiting at once would cut
  // a large report at 64 KiB.
  (code) => void process.stdout.write("", () => process.exit(code)),
  (e: unknown) => {
    process.stderr.write(
      `usbscope: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exit(3);
  },
);
