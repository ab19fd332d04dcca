// The traces of a batch: files, directories (every regular file below, recursively), glob patterns
// ("traces/**/*.pcapng", for shells and CI steps that do not expand them) and lists read from a file or
// stdin (--files-from -). Each trace keeps a stable name for reports and JUnit: its path relative to the
// directory or the pattern's base it came from (the path as given for a file), so CI history lines up build
// after build whatever the checkout directory.
import { readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import picomatch from "picomatch";

export interface Trace {
  /** What to open ("-": stdin). */
  path: string;
  /** The stable name: relative to the directory or pattern base given, "/"-separated. */
  name: string;
  /** Why it cannot be read, found while listing (not a regular file, an empty directory, no match). */
  problem?: string;
}

function kindOf(s: {
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}): string {
  if (s.isFIFO()) return "a FIFO";
  if (s.isSocket()) return "a socket";
  if (s.isCharacterDevice() || s.isBlockDevice()) return "a device file";
  return "not a regular file";
}

/** Every regular file under `dir`, sorted, hidden ones left out; symbolic links followed once (no loops). */
async function walk(dir: string): Promise<Trace[]> {
  const out: Trace[] = [];
  const seen = new Set<string>();
  async function visit(abs: string, rel: string): Promise<void> {
    const real = await realpath(abs);
    if (seen.has(real)) return;
    seen.add(real);
    const entries = (await readdir(abs, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      const p = path.join(abs, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      let s;
      try {
        s = await stat(p);
      } catch {
        out.push({ path: p, name: r, problem: `cannot read ${p}: a broken link` });
        continue;
      }
      if (s.isDirectory()) await visit(p, r);
      else if (s.isFile()) out.push({ path: p, name: r });
      else out.push({ path: p, name: r, problem: `${p} is ${kindOf(s)}, not a capture file` });
    }
  }
  await visit(dir, "");
  return out;
}

/** One command-line argument (or --files-from line) as traces. */
async function expand(arg: string): Promise<Trace[]> {
  if (arg === "-") return [{ path: "-", name: "-" }];
  let s;
  try {
    s = await stat(arg);
  } catch {
    s = undefined;
  }
  if (s?.isDirectory()) {
    const files = await walk(arg);
    return files.length ? files : [{ path: arg, name: arg, problem: `${arg}: no files in this directory` }];
  }
  // A FIFO, socket or device would block or never end: a batch reads regular files only ("-" is stdin).
  if (s && !s.isFile())
    return [{ path: arg, name: arg, problem: `${arg} is ${kindOf(s)}, not a capture file` }];
  if (s || !picomatch.scan(arg).isGlob) return [{ path: arg, name: arg }];
  // A pattern: the files under its static base that match the rest, found as a directory's are.
  const { base, glob } = picomatch.scan(arg);
  const isMatch = picomatch(glob, { dot: false });
  let found: Trace[];
  try {
    found = (await walk(base || ".")).filter((t) => isMatch(t.name));
  } catch {
    found = [];
  }
  return found.length ? found : [{ path: arg, name: arg, problem: `no file matches ${arg}` }];
}

/** The traces of `args`, in order, each file once (the first time it is named). */
export async function expandInputs(args: readonly string[]): Promise<Trace[]> {
  const out: Trace[] = [];
  const seen = new Set<string>();
  for (const a of args) {
    for (const t of await expand(a)) {
      const key = t.path === "-" ? "-" : path.resolve(t.path);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(t);
    }
  }
  return out;
}

/** The paths of a --files-from list: one per line, blank lines skipped, a trailing CR dropped. */
export function listLines(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.replace(/\r$/, ""))
    .filter((l) => l.trim() !== "");
}
