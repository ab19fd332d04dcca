// Growing linear memory: the input region and the pcapng interface table grow at the end of memory
// (the memory map is in index.ts).

/** Grow memory to cover [0, end). Returns false when it cannot grow that far (the caller reports it). */
export function ensureMemory(end: usize): bool {
  const have = <usize>memory.size() << 16;
  if (end <= have) return true;
  const pages = <i32>((end - have + 0xffff) >> 16);
  return memory.grow(pages) >= 0;
}
