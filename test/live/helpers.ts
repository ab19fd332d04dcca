// Running the real `usbscope live` process on a FIFO, timing its output and sampling its memory.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { repoRoot } from "../helpers/paths.js";

/** A fresh FIFO in a temporary directory. */
export function makeFifo(name = "usbmon.fifo"): string {
  const dir = mkdtempSync(path.join(tmpdir(), "usbscope-live-"));
  const fifo = path.join(dir, name);
  execFileSync("mkfifo", [fifo]);
  return fifo;
}

export interface Chunk {
  /** performance.now() when the chunk reached this process. */
  at: number;
  text: string;
}

/** `usbscope live ARGS` as a child process, with its stdout kept chunk by chunk with arrival times. */
export class LiveProcess {
  readonly child: ChildProcess;
  readonly chunks: Chunk[] = [];
  stdout = "";
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: (() => void)[] = [];

  constructor(args: string[], nodeArgs: string[] = [], stdin: "ignore" | "pipe" = "ignore") {
    this.child = spawn(
      process.execPath,
      [...nodeArgs, path.join(repoRoot, "dist/cli/main.js"), "live", ...args],
      { stdio: [stdin, "pipe", "pipe"] },
    );
    this.child.stdout!.setEncoding("utf8");
    this.child.stdout!.on("data", (text: string) => {
      this.chunks.push({ at: performance.now(), text });
      this.stdout += text;
      this.wake();
    });
    this.child.stderr!.setEncoding("utf8");
    this.child.stderr!.on("data", (t: string) => {
      this.stderr += t;
      this.wake();
    });
    this.exited = new Promise((resolve) =>
      this.child.on("exit", (code, signal) => resolve({ code, signal })),
    );
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** The arrival time of the first stdout chunk after `since` whose text (joined from `since`) matches `re`. */
  async waitForOutput(re: RegExp, since: number, timeoutMs = 5000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      let text = "";
      for (const c of this.chunks) {
        if (c.at < since) continue;
        text += c.text;
        if (re.test(text)) return c.at;
      }
      const left = deadline - performance.now();
      if (left <= 0)
        throw new Error(
          `no output matching ${re} within ${timeoutMs} ms; stdout so far:\n${this.stdout}\nstderr:\n${this.stderr}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async waitForStderr(re: RegExp, timeoutMs = 10_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!re.test(this.stderr)) {
      if (performance.now() > deadline) throw new Error(`no stderr matching ${re}; stderr:\n${this.stderr}`);
      await sleep(10);
    }
  }

  /** VmRSS of the process in kB, from /proc (undefined once it has exited). */
  rssKb(): number | undefined {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.child.pid}/status`, "utf8"));
      return m ? Number(m[1]) : undefined;
    } catch {
      return undefined;
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Open the FIFO for writing (resolves once the reader has it open). */
export function openWriter(fifo: string): Promise<FileHandle> {
  return open(fifo, "w");
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}
