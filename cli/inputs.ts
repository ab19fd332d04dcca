// The traces of a batch: files, directories (every regular file below, recursively), glob patterns
// ("traces/**/*.pcapng", for shells and CI steps that do not expand them) and lists read from a file or
// stdin (--files-from -). Each trace keeps a stable name for reports and JUnit: its path relative to the
// directory or the pattern's base it came from (the path as given for a file), so CI history lines up build
// after build whatever the checkout directory. With several inputs, the directory or base as given goes in
// front, so two directories holding the same relative path (good/a.pcap, bad/a.pcap) never share a name.
import { readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import picomatch from "picomatch";

export interface Trace {
  /** What to open ("-": stdin). */
  path: string;
  /**
   * The stable name, "/"-separated: relative to the directory or pattern base given, that directory or base
   * as given in front when the batch has several inputs; the path as given for a file.
   */
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
      // The entry's own type when it is not a link: a stat per file cost more than checking a small trace.
      if (e.isFile()) {
        out.push({ path: p, name: r });
        continue;
      }
      if (e.isDirectory()) {
        await visit(p, r);
        continue;
      }
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

/**
 * A directory or pattern base as given, as a name's prefix: "/"-separated, without "./" in front or "/" at
 * the end; "" for the current directory.
 */
function prefixOf(dir: string): string {
  let p = dir.split(path.sep).join("/");
  while (p.startsWith("./")) p = p.slice(2).replace(/^\/+/, "");
  if (p.length > 1) p = p.replace(/\/+$/, "");
  return p === "." ? "" : p;
}

/** `name` under the prefix of `dir` when `prefixed` (the batch has several inputs). */
function under(dir: string, name: string, prefixed: boolean): string {
  const p = prefixed ? prefixOf(dir) : "";
  return !p ? name : p.endsWith("/") ? p + name : `${p}/${name}`;
}

/** One command-line argument (or --files-from line) as traces; `prefixed`: the batch has several inputs. */
async function expand(arg: string, prefixed: boolean): Promise<Trace[]> {
  if (arg === "-") return [{ path: "-", name: "-" }];
  let s;
  try {
    s = await stat(arg);
  } catch {
    s = undefined;
  }
  if (s?.isDirectory()) {
    const files = await walk(arg);
    for (const f of files) f.name = under(arg, f.name, prefixed);
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
    for (const f of found) f.name = under(base, f.name, prefixed);
  } catch {
    found = [];
  }
  return found.length ? found : [{ path: arg, name: arg, problem: `no file matches ${arg}` }];
}

/**
 * The traces of `args`, in order, each file once (the first time it is named), each name once: a name that
 * two spellings of paths still share (a file named directly as "a/x.pcap" beside a directory "a" reached
 * through a link) gets " (2)", " (3)"... in input order.
 */
export async function expandInputs(args: readonly string[]): Promise<Trace[]> {
  const out: Trace[] = [];
  const seen = new Set<string>();
  const names = new Set<string>();
  for (const a of args) {
    for (const t of await expand(a, args.length > 1)) {
      const key = t.path === "-" ? "-" : path.resolve(t.path);
      if (seen.has(key)) continue;
      seen.add(key);
      if (names.has(t.name)) {
        let n = 2;
        while (names.has(`${t.name} (${n})`)) n++;
        t.name = `${t.name} (${n})`;
      }
      names.add(t.name);
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
