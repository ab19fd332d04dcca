// Growable typed-array columns for the viewer's model (STYLE convention 4: no object per packet).
// Each column doubles its capacity when full; `view()` is the used part, without a copy.

type TypedArray =
  Float64Array | Float32Array | Uint32Array | Int32Array | Uint16Array | Int16Array | Uint8Array;

interface TypedArrayCtor<T extends TypedArray> {
  new (length: number): T;
}

export class Column<T extends TypedArray> {
  data: T;
  length = 0;
  constructor(
    private readonly ctor: TypedArrayCtor<T>,
    capacity = 1024,
  ) {
    this.data = new ctor(capacity);
  }

  /** Make room for `n` more values. */
  reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.data.length) return;
    let cap = Math.max(16, this.data.length);
    while (cap < need) cap *= 2;
    const next = new this.ctor(cap);
    next.set(this.data.subarray(0, this.length) as never);
    this.data = next;
  }

  push(v: number): void {
    if (this.length === this.data.length) this.reserve(1);
    this.data[this.length++] = v;
  }

  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

/** Strings that repeat (request names, outcomes) stored once; columns hold their index. */
export class Interner {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();
  id(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(s);
      this.index.set(s, i);
    }
    return i;
  }
}
