import type { Timestamp } from "./model.js";

/** ISO 8601 UTC with nanoseconds, e.g. 2023-11-14T22:13:20.000123456Z (DESIGN.md JSON contract). */
export function isoTime(t: Timestamp): string {
  const ms = t.sec * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return `${t.sec}.${String(t.nsec).padStart(9, "0")}`;
  const iso = new Date(ms).toISOString(); // ...T22:13:20.000Z
  return `${iso.slice(0, 19)}.${String(t.nsec).padStart(9, "0")}Z`;
}

/** Seconds from a to b (b - a), as a float. */
export function secondsBetween(a: Timestamp, b: Timestamp): number {
  return b.sec - a.sec + (b.nsec - a.nsec) / 1e9;
}

/** Milliseconds from a to b (b - a), as a float. */
export function msBetween(a: Timestamp, b: Timestamp): number {
  return (b.sec - a.sec) * 1000 + (b.nsec - a.nsec) / 1e6;
}
