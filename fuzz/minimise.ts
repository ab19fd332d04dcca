// Minimising a failing input: remove what is not needed to break the same invariant, container units first
// (pcap records, pcapng blocks, text lines: the result stays a capture one can read), then bytes. Each
// candidate is checked by `fails`, which runs it in a worker with the same limits as the fuzzing run.
import { concatAll, splitCapture } from "./corpus.js";

/** At most this many candidates are tried: a minimised input is a help, not a proof. */
const MAX_TRIES = 600;

export async function minimise(
  input: Uint8Array,
  fails: (candidate: Uint8Array) => Promise<boolean>,
): Promise<Uint8Array> {
  let tries = 0;
  const attempt = async (c: Uint8Array) => tries++ < MAX_TRIES && (await fails(c));
  let best = input;
  // 1. Whole units, in chunks from half of them down to one (ddmin's complement step).
  const seed = splitCapture("input", best);
  if (seed) {
    let units = seed.units;
    // Trailing bytes that are no whole unit stay at the end (a cut record is often the point).
    const framed = seed.head.length + units.reduce((n, u) => n + u.length, 0);
    const tail = best.slice(framed);
    const join = (us: Uint8Array[]) => concatAll([seed.head, ...us, tail]);
    for (let chunk = Math.max(1, units.length >> 1); chunk >= 1; chunk >>= 1) {
      for (let at = 0; at < units.length;) {
        const candidate = [...units.slice(0, at), ...units.slice(at + chunk)];
        if (await attempt(join(candidate))) units = candidate;
        else at += chunk;
        if (tries >= MAX_TRIES) break;
      }
      if (chunk === 1) break;
    }
    best = join(units);
  }
  // 2. The end of the input, then runs of bytes from large to small.
  for (let cut = best.length >> 1; cut >= 1; cut >>= 1) {
    while (best.length > cut && (await attempt(best.subarray(0, best.length - cut))))
      best = best.slice(0, best.length - cut);
  }
  for (let run = Math.max(1, best.length >> 2); run >= 1 && tries < MAX_TRIES; run >>= 1) {
    for (let at = 0; at + run <= best.length && tries < MAX_TRIES;) {
      const candidate = concatAll([best.subarray(0, at), best.subarray(at + run)]);
      if (await attempt(candidate)) best = candidate;
      else at += run;
    }
    if (run === 1) break;
  }
  return best;
}
