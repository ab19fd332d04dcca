// verify's worker pool: the same lines, in input order, whatever the number of workers; a progress line only on
// a terminal (the Io.status hook), none when stderr is piped.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { run } from "../../cli/program.js";
import { cli } from "../helpers/cli.js";
import { repoRoot } from "../helpers/paths.js";
import { buildCapture, extension, FORMATS, tempDir, writeCapture, type Variant } from "./helpers.js";

/** 36 traces: every format, good and with a changed endpoint, a slow enumeration, an unreadable file. */
async function batch(): Promise<{ dir: string; product: string }> {
  const dir = tempDir();
  const variants: Variant[] = [
    {},
    { bulkIn: { wMaxPacketSize: 32 } },
    { enumerate: { setAddressDelayNs: 300_000_000 } },
  ];
  let i = 0;
  for (let round = 0; round < 2; round++)
    for (const v of variants)
      for (const f of FORMATS)
        writeCapture(dir, `t${String(i++).padStart(2, "0")}.${extension(f)}`, buildCapture(f, v));
  writeCapture(dir, "t99.txt", "not a capture");
  const product = writeCapture(
    tempDir(),
    "product.json",
    (await cli(["expect", path.join(dir, "t00.pcap")])).out,
  );
  return { dir, product };
}

const withoutTimes = (xml: string) => xml.replace(/ time="[^"]*"/g, "");

describe("verify --jobs", () => {
  it("two workers print the same lines in the same order as one thread, and the same JUnit", async () => {
    const { dir, product } = await batch();
    const out = tempDir();
    const one = await cli([
      "verify",
      "--json",
      "--jobs",
      "1",
      "--expect",
      product,
      "--junit",
      `${out}/1.xml`,
      dir,
    ]);
    const two = await cli([
      "verify",
      "--json",
      "--jobs",
      "2",
      "--expect",
      product,
      "--junit",
      `${out}/2.xml`,
      dir,
    ]);
    const lines = one.out.trimEnd().split("\n");
    expect(lines).toHaveLength(37);
    expect(two.out).toBe(one.out);
    expect(two.code).toBe(one.code);
    expect(withoutTimes(readFileSync(`${out}/2.xml`, "utf8"))).toBe(
      withoutTimes(readFileSync(`${out}/1.xml`, "utf8")),
    );
    const names = lines.map((l) => (JSON.parse(l) as { name: string }).name);
    expect(names).toEqual([...names].sort());
    const failures = lines.map((l) => (JSON.parse(l) as { ok?: boolean }).ok).filter((ok) => ok === false);
    // 12 changed endpoints and 12 slow enumerations, less the 2 endpoints usbmon text cut (noted, not checked).
    expect(failures).toHaveLength(22);
    // Without --expect too (a worker sends the findings JUnit needs).
    const f1 = await cli(["verify", "--json", "--jobs", "1", "--junit", `${out}/f1.xml`, dir]);
    const f2 = await cli(["verify", "--json", "--jobs", "2", "--junit", `${out}/f2.xml`, dir]);
    expect(f2.out).toBe(f1.out);
    expect(withoutTimes(readFileSync(`${out}/f2.xml`, "utf8"))).toBe(
      withoutTimes(readFileSync(`${out}/f1.xml`, "utf8")),
    );
    expect((await cli(["verify", "--jobs", "0", dir])).code).toBe(2);
  });
});

describe("verify progress", () => {
  it("a terminal gets a progress line through Io.status, cleared at the end", async () => {
    const { dir, product } = await batch();
    const status: string[] = [];
    let out = "";
    const code = await run(["verify", "--jobs", "1", "--expect", product, dir], {
      out: (t) => void (out += t),
      err: () => {},
      stdin: Readable.from([]),
      status: (t) => void status.push(t),
    });
    expect(code).toBe(1);
    expect(status[0]).toMatch(/^verify: 1\/37 traces, 0 failed, 0 unreadable, \d+\.\d s$/);
    expect(status.at(-1)).toBe("");
    expect(out).not.toContain("verify: ");
  });

  it("piped, the command writes no progress at all: stderr stays empty", async () => {
    const { dir, product } = await batch();
    const r = spawnSync(
      process.execPath,
      [path.join(repoRoot, "dist/cli/main.js"), "verify", "--expect", product, dir],
      {
        encoding: "utf8",
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("");
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(38);
  });
});
