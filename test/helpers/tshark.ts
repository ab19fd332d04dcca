import { spawnSync } from "node:child_process";

/**
 * Run tshark with -T fields and return one string[] per frame. Throws if tshark fails.
 * `occurrence` is tshark's -E occurrence: "a" joins every occurrence of a field with ",", "f" keeps the first.
 */
export function tsharkFields(
  file: string,
  fields: readonly string[],
  extra: string[] = [],
  occurrence: "a" | "f" = "a",
): string[][] {
  const args = [
    "-r",
    file,
    "-n",
    "-T",
    "fields",
    "-E",
    "separator=\t",
    "-E",
    `occurrence=${occurrence}`,
    "-E",
    "aggregator=,",
  ];
  for (const f of fields) args.push("-e", f);
  args.push(...extra);
  const r = spawnSync("tshark", args, { encoding: "utf8", maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`tshark failed on ${file}: ${r.stderr}`);
  const lines = r.stdout.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map((l) => l.split("\t"));
}
