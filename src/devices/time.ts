import type { Timestamp } from "../model.js";

/** Milliseconds from `a` to `b`. */
export function msBetween(a: Timestamp, b: Timestamp): number {
  return (b.sec - a.sec) * 1000 + (b.nsec - a.nsec) / 1e6;
}
