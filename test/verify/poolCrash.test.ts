// verify's pool (cli/pool.ts) when a worker dies: every item gets exactly one outcome, the one the worker was on
// gets the crash outcome, and the items it held besides are checked by the other threads.
import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { runPool } from "../../cli/pool.js";
import { tempDir } from "./helpers.js";

/** A worker of the pool's protocol that answers "ok <item>" in order, and dies on "boom" (throws) or "exit". */
function script(): string {
  const file = path.join(tempDir(), "worker.mjs");
  writeFileSync(
    file,
    `import { parentPort } from "node:worker_threads";
parentPort.on("message", (batch) => {
  for (const { index, trace } of batch) {
    if (trace === "boom") throw new Error("boom");
    if (trace === "exit") process.exit(3);
    parentPort.postMessage({ index, outcome: "ok " + trace });
  }
});
`,
  );
  return file;
}

async function pool(items: string[], workers: number, here?: (item: string) => Promise<string>) {
  const outcomes = new Map<number, string[]>();
  await runPool<string, string>({
    script: script(),
    data: undefined,
    items,
    workers,
    here,
    onResult: (i, o) => outcomes.set(i, [...(outcomes.get(i) ?? []), o]),
    onCrash: (i, e) => `crash ${items[i]}: ${e.message}`,
  });
  return items.map((_, i) => outcomes.get(i));
}

describe("verify's pool", () => {
  const items = Array.from({ length: 40 }, (_, i) => (i === 9 ? "boom" : i === 25 ? "exit" : `t${i}`));
  const expected = items.map((t) =>
    t === "boom"
      ? ["crash boom: boom"]
      : t === "exit"
        ? ["crash exit: the worker stopped (exit code 3)"]
        : [`ok ${t}`],
  );

  it("workers only: a dead worker's trace fails, a fresh worker takes the rest", async () => {
    expect(await pool(items, 1)).toEqual(expected);
    expect(await pool(items, 3)).toEqual(expected);
  });

  it("with this thread checking too, every trace is checked once, by one thread or another", async () => {
    const here = async (t: string) => {
      await new Promise((r) => setTimeout(r, 2));
      return `here ${t}`;
    };
    const got = await pool(items, 2, here);
    got.forEach((o, i) => {
      const t = items[i]!;
      expect(o).toHaveLength(1);
      expect([`here ${t}`, ...expected[i]!]).toContain(o![0]);
    });
    const by = (prefix: string) => got.filter((o) => o![0]!.startsWith(prefix)).length;
    expect(by("here ")).toBeGreaterThan(0);
    expect(by("ok ")).toBeGreaterThan(0);
  });
});
