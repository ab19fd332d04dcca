// Capture time: one formatter for every time usbscope prints (the JSON contract's ISO 8601 form), and the
// repair of the timestamps a header can hold but no clock can mean (the core does the same for pcap and
// pcapng, as/framer.ts; the URB parsers use normalTime). Every time that leaves here has whole seconds
// within ISO 8601's four-digit years and nanoseconds in [0, 10^9), so it always prints in one form.
import { MAX_TIME_SEC, MIN_TIME_SEC, TimeFix } from "../../as/shared/constants.js";
import type { Timestamp } from "./model.js";

export { MAX_TIME_SEC, MIN_TIME_SEC, TimeFix };

const NS_PER_SEC = 1_000_000_000;
const SEC_PER_DAY = 86_400;

/**
 * `sec` seconds plus `nsec` nanoseconds, made whole: nanoseconds of a second or more (or below zero) carried
 * into the seconds (TimeFix.CARRIED), seconds outside 0000-01-01..9999-12-31 clamped to it (TimeFix.CLAMPED).
 * Exact for every whole `sec` and `nsec` below 2^53. `fix` is 0 when the time was already whole.
 */
export function normalTime(sec: number, nsec: number): { time: Timestamp; fix: number } {
  let fix = 0;
  let s = sec;
  let n = nsec;
  if (!Number.isFinite(s) || !Number.isFinite(n)) {
    // No header field reads as these; a caller's arithmetic can. Clamp towards the sign, NaN to the epoch.
    fix |= TimeFix.CLAMPED;
    s = Number.isNaN(s) || Number.isNaN(n) ? 0 : s + n > 0 ? MAX_TIME_SEC : MIN_TIME_SEC;
    n = 0;
  }
  if (!Number.isInteger(s)) {
    // Whole seconds only (model.ts Timestamp): a fraction moves to the nanoseconds.
    const whole = Math.floor(s);
    n += Math.round((s - whole) * NS_PER_SEC);
    s = whole;
  }
  n = Math.floor(n);
  if (n < 0 || n >= NS_PER_SEC) {
    // Whole seconds carried, exactly: in BigInt past 2^53 (an integer double is exact; n - rest may not be).
    let carry: number;
    let rest: number;
    if (Math.abs(n) <= Number.MAX_SAFE_INTEGER) {
      rest = n % NS_PER_SEC;
      carry = (n - rest) / NS_PER_SEC;
    } else {
      const big = BigInt(n);
      rest = Number(big % 1_000_000_000n);
      carry = Number(big / 1_000_000_000n);
    }
    if (rest < 0) {
      rest += NS_PER_SEC;
      carry -= 1;
    }
    s += carry;
    n = rest;
    fix |= TimeFix.CARRIED;
  }
  if (s < MIN_TIME_SEC || s > MAX_TIME_SEC) {
    s = s < MIN_TIME_SEC ? MIN_TIME_SEC : MAX_TIME_SEC;
    fix |= TimeFix.CLAMPED;
  }
  return { time: { sec: s, nsec: n }, fix };
}

/**
 * ISO 8601 UTC with nanoseconds, e.g. 2023-11-14T22:13:20.000123456Z (the JSON contract), exact to the
 * nanosecond. A time outside normalTime's range prints as normalTime makes it, so the form never changes.
 */
export function isoTime(t: Timestamp): string {
  const { sec, nsec } = normalTime(t.sec, t.nsec).time;
  const days = Math.floor(sec / SEC_PER_DAY);
  let rest = sec - days * SEC_PER_DAY;
  const hh = Math.floor(rest / 3600);
  rest -= hh * 3600;
  const mm = Math.floor(rest / 60);
  const ss = rest - mm * 60;
  const { y, m, d } = civilFromDays(days);
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}T${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}.${pad(nsec, 9)}Z`;
}

/**
 * The proleptic Gregorian date of `days` since 1970-01-01 (H. Hinnant, "chrono-Compatible Low-Level Date
 * Algorithms", civil_from_days): whole-number arithmetic, exact over the four-digit years.
 */
function civilFromDays(days: number): { y: number; m: number; d: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097; // [0, 146096]
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  ); // [0, 399]
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100)); // [0, 365]
  const mp = Math.floor((5 * doy + 2) / 153); // [0, 11], March first
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/**
 * The timestamps a capture's parsers repaired (TimeFix), counted for one finding per capture: how many,
 * which kinds, and where the first one is.
 */
export class TimeFixLog {
  count = 0;
  kinds = 0;
  record?: number;
  offset?: number;

  note(fix: number, record: number, offset?: number): void {
    if (fix === 0) return;
    if (this.count === 0) {
      this.record = record;
      this.offset = offset;
    }
    this.count++;
    this.kinds |= fix;
  }

  /** Add what another log (the core's, CaptureInfo.timeFixes) counted; its first stands when it came earlier. */
  merge(other: { count: number; kinds: number; record: number; offset: number }): void {
    if (other.count === 0) return;
    if (this.count === 0 || other.record < (this.record ?? Infinity)) {
      this.record = other.record;
      this.offset = other.offset;
    }
    this.count += other.count;
    this.kinds |= other.kinds;
  }
}

/** Seconds from a to b (b - a), as a float. */
export function secondsBetween(a: Timestamp, b: Timestamp): number {
  return b.sec - a.sec + (b.nsec - a.nsec) / 1e9;
}

/** Milliseconds from a to b (b - a), as a float. */
export function msBetween(a: Timestamp, b: Timestamp): number {
  return (b.sec - a.sec) * 1000 + (b.nsec - a.nsec) / 1e6;
}
