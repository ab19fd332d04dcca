// DFU sessions (DFU 1.1 §6.1, §6.2, §7) in words for the text reports: which device and interface, what
// was moved, how the host polled (GETSTATUS, bwPollTimeout and how long it waited), the manifest phase
// and the final state. The JSON document carries the same sessions as objects (`dfuSessions`).
import type { DfuPoll, DfuSession } from "../classes/dfuSession.js";
import { wrap } from "./layout.js";

/** DFU sessions listed in the text reports; the JSON document lists more. */
const MAX_DFU_SESSIONS = 20;

/**
 * The "DFU sessions" section (a blank line, its title, each session's lines wrapped to `width`), or
 * nothing when the capture holds none.
 */
export function dfuSessionsSection(
  r: { dfuSessions: readonly DfuSession[]; dfuSessionCount: number },
  width?: number,
): string[] {
  if (!r.dfuSessions.length) return [];
  const out = ["", "DFU sessions (DFU 1.1 §6.1, §6.2, §7)"];
  for (const s of r.dfuSessions.slice(0, MAX_DFU_SESSIONS)) {
    const { head, details } = dfuSessionLines(s);
    out.push(...wrap("  ", head, width, 6));
    for (const d of details) out.push(...wrap("    ", d, width, 6));
  }
  const more = r.dfuSessionCount - Math.min(r.dfuSessions.length, MAX_DFU_SESSIONS);
  if (more > 0) out.push(`  … and ${more} more (--json lists the first ${r.dfuSessions.length})`);
  return out;
}

/** The session's lines: a head line, then its blocks, polling, manifest and final state, indented. */
export function dfuSessionLines(s: DfuSession): { head: string; details: string[] } {
  const where = `${s.bus !== undefined ? `bus ${s.bus} ` : ""}device ${s.device} interface ${s.interface}`;
  const head = `${where}, records ${s.startRecord}-${s.endRecord}: ${s.summary}`;
  const details = [blocksLine(s), pollingLine(s)];
  if (s.kind === "download") details.push(manifestLine(s));
  details.push(
    s.finalState
      ? `final state ${s.finalState}, status ${s.finalStatus ?? "unknown"}`
      : "final state not reported (no GETSTATUS after the last request)",
  );
  return { head, details };
}

/** "blocks 0-3, 200 bytes, all accepted". */
function blocksLine(s: DfuSession): string {
  if (s.blockCount === 0) return "blocks: none";
  const numbers = s.blocks.map((b) => b.block);
  const run = numbers.every((n, i) => n === numbers[0]! + i);
  const listed =
    run && numbers.length > 1
      ? `${numbers[0]}-${numbers[numbers.length - 1]}`
      : numbers.slice(0, 8).join(", ") + (numbers.length > 8 ? ", …" : "");
  const more = s.blockCount > s.blocks.length ? ` (first ${s.blocks.length} of ${s.blockCount} listed)` : "";
  const refused = s.blocks.filter((b) => !b.accepted).map((b) => b.block);
  const accepted = refused.length
    ? `block${refused.length === 1 ? "" : "s"} ${refused.join(", ")} not accepted`
    : s.blocks.length === 1
      ? "accepted"
      : "all accepted";
  const word = s.blocks.length === 1 ? "block" : "blocks";
  return `${word} ${listed}${more}, ${s.bytes} bytes, ${accepted}`;
}

/** How the host polled after the blocks: replies, the waits the device asked for, how long the host waited. */
function pollingLine(s: DfuSession): string {
  const polls = s.blocks.flatMap((b) => b.polls);
  const count = s.blocks.reduce((n, b) => n + (b.pollCount ?? b.polls.length), 0);
  if (count === 0)
    return s.kind === "download"
      ? "polling: none (no GETSTATUS after the blocks)"
      : "polling: none (an upload needs none)";
  return `polling: ${count} GETSTATUS repl${count === 1 ? "y" : "ies"} after the blocks${waits(polls)}`;
}

/** "; the device asked the host to wait 4 times (dfuDNBUSY, 20 ms), the host waited 20-21 ms". */
function waits(polls: readonly DfuPoll[]): string {
  const asked: DfuPoll[] = [];
  const waited: number[] = [];
  let early = 0;
  let wait: number | undefined;
  for (const p of polls) {
    if (p.waitedMs !== undefined && wait !== undefined) {
      waited.push(p.waitedMs);
      if (p.waitedMs < wait) early++;
    }
    wait = undefined;
    if (p.state === "dfuDNBUSY" || p.state === "dfuMANIFEST") {
      asked.push(p);
      wait = p.bwPollTimeout;
    }
  }
  if (!asked.length) return "; the device never asked the host to wait";
  const states = [...new Set(asked.map((p) => p.state))].join(", ");
  const text = `; the device asked the host to wait ${times(asked.length)} (${states}, ${range(asked.map((p) => p.bwPollTimeout))})`;
  if (!waited.length) return text;
  const soon = early ? `, ${times(early)} less than asked` : "";
  return `${text}, the host waited ${range(waited)}${soon}`;
}

/** "manifest: DNLOAD of wLength 0 at record 40, accepted; polled: dfuMANIFEST (asked 20 ms), then dfuIDLE after 20 ms". */
function manifestLine(s: DfuSession): string {
  const m = s.manifest;
  if (!m) return "manifest: not reached (no DNLOAD of wLength 0)";
  const head = `manifest: DNLOAD of wLength 0 at record ${m.record}, ${m.accepted ? "accepted" : "not accepted"}`;
  if (!m.polls.length) return `${head}, not polled`;
  // Each reply with the wait it asked for, and how long the host waited before the next.
  let wait: number | undefined;
  const states = m.polls.map((p) => {
    const soon =
      wait !== undefined && p.waitedMs !== undefined && p.waitedMs < wait ? ", less than asked" : "";
    const after = p.waitedMs !== undefined ? ` after ${p.waitedMs} ms${soon}` : "";
    wait = p.state === "dfuMANIFEST" ? p.bwPollTimeout : undefined;
    return `${p.state}${wait !== undefined ? ` (asked ${wait} ms)` : ""}${after}`;
  });
  return `${head}; polled: ${states.join(", then ")}`;
}

const times = (n: number) => (n === 1 ? "once" : n === 2 ? "twice" : `${n} times`);

/** "20 ms" or "20-1500 ms". */
function range(ms: number[]): string {
  const lo = Math.min(...ms);
  const hi = Math.max(...ms);
  return lo === hi ? `${lo} ms` : `${lo}-${hi} ms`;
}
