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

  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

// One class per element type, each with its own push: a push shared by all types would see six array
// kinds at one store and run several times slower (V8 inline caches).
export class F64Column extends Column<Float64Array> {
  constructor(capacity = 1024) {
    super(Float64Array, capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) this.reserve(1);
    this.data[this.length++] = v;
  }
}
export class U32Column extends Column<Uint32Array> {
  constructor(capacity = 1024) {
    super(Uint32Array, capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) this.reserve(1);
    this.data[this.length++] = v;
  }
}
export class I32Column extends Column<Int32Array> {
  constructor(capacity = 1024) {
    super(Int32Array, capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) this.reserve(1);
    this.data[this.length++] = v;
  }
}
export class U16Column extends Column<Uint16Array> {
  constructor(capacity = 1024) {
    super(Uint16Array, capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) this.reserve(1);
    this.data[this.length++] = v;
  }
}
export class I16Column extends Column<Int16Array> {
  constructor(capacity = 1024) {
    super(Int16Array, capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) this.reserve(1);
    this.data[this.length++] = v;
  }
}
export class U8Column extends Column<Uint8Array> {
  constructor(capacity = 1024) {
    super(Uint8Array, capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) this.reserve(1);
    this.data[this.length++] = v;
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
