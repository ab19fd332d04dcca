// Shards of a batch for CI matrices (GitHub Actions matrix, GitLab `parallel`, Kubernetes indexed jobs): a
// trace belongs to shard i of n by a stable hash of its name, so the shards are disjoint, their union is the
// whole for the same inputs, and a trace stays in its shard whatever else the batch holds.

export interface Shard {
  /** 1-based, as CI systems number their jobs. */
  index: number;
  count: number;
}

/** "2/4" → { index: 2, count: 4 }; undefined when the text is not i/n with 1 ≤ i ≤ n. */
export function parseShard(text: string): Shard | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return undefined;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count || count > 1_000_000) return undefined;
  return { index, count };
}

/** 32-bit FNV-1a over the UTF-8 bytes of `s`: small, fast and the same on every machine. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(s)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Whether the trace named `name` is in `shard`. */
export function inShard(name: string, shard: Shard): boolean {
  return fnv1a(name) % shard.count === shard.index - 1;
}
