import { Readable } from "node:stream";
import { run } from "../../cli/program.js";

/** Run the CLI in-process, as a user would from a shell. */
export async function cli(
  args: string[],
  stdin: Uint8Array | string = "",
): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(args, {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    stdin: Readable.from([typeof stdin === "string" ? Buffer.from(stdin) : Buffer.from(stdin)]),
  });
  return { code, out, err };
}
