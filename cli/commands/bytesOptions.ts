// The options every command that shows payload bytes shares: --hex, --max-bytes, --data.
import { Command, InvalidArgumentError, Option } from "commander";
import { DEFAULT_MAX_BYTES } from "../../src/index.js";

export interface BytesFlags {
  hex?: boolean;
  maxBytes: number;
  data?: boolean;
}

/** Add --hex, --max-bytes N and --data to `cmd`. */
export function withBytesOptions(cmd: Command, what: string): Command {
  return cmd
    .option("--hex", `hex and ASCII dump of ${what}, 16 bytes a row`)
    .addOption(
      new Option("--max-bytes <n>", "bytes shown per dump; 0 shows all")
        .default(DEFAULT_MAX_BYTES)
        .argParser((v) => {
          const n = Number(v);
          if (!/^\d+$/.test(v) || !Number.isSafeInteger(n))
            throw new InvalidArgumentError("a number of bytes (0: all)");
          return n;
        }),
    )
    .option("--data", "with --json: add the payload as a hex string (`data`)");
}
