/**
 * The layout of a model's numbers: every tensor is a named view {name, shape, offset, size} into ONE flat
 * Float64Array, in PyTorch's registration order and with PyTorch's names. One flat array makes Adam, gradient
 * clipping, hashing and serialisation single loops, and lets get_parameters answer with the original's names.
 */

export interface TensorSpec {
  readonly name: string;
  /** [] for a scalar, [n] for a vector, [rows, cols] for a matrix (row-major, as PyTorch stores it). */
  readonly shape: readonly number[];
}

export interface TensorView extends TensorSpec {
  readonly offset: number;
  readonly size: number;
}

export class TensorTable {
  readonly entries: readonly TensorView[];
  /** Total number of values. */
  readonly size: number;
  readonly #byName: ReadonlyMap<string, TensorView>;

  constructor(specs: readonly TensorSpec[]) {
    const entries: TensorView[] = [];
    const byName = new Map<string, TensorView>();
    let offset = 0;
    for (const spec of specs) {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      const view: TensorView = { name: spec.name, shape: [...spec.shape], offset, size };
      if (byName.has(spec.name)) throw new Error(`duplicate tensor name ${spec.name}`);
      entries.push(view);
      byName.set(spec.name, view);
      offset += size;
    }
    this.entries = entries;
    this.size = offset;
    this.#byName = byName;
  }

  get(name: string): TensorView | undefined {
    return this.#byName.get(name);
  }

  /** Offset of a tensor that must exist (a programming error otherwise). */
  offsetOf(name: string): number {
    const view = this.#byName.get(name);
    if (!view) throw new Error(`no tensor named ${name}`);
    return view.offset;
  }

  /** The same layout with every name prefixed (for a module inside a container, e.g. `waves.3.`). */
  static prefixed(prefix: string, specs: readonly TensorSpec[]): TensorSpec[] {
    return specs.map((s) => ({ name: `${prefix}${s.name}`, shape: s.shape }));
  }
}

export type Nested = number | Nested[];

/** The values of one tensor as nested arrays shaped like it (a plain number for shape []). */
export function nestTensor(values: Float64Array, view: TensorView): Nested {
  const build = (dim: number, offset: number): Nested => {
    if (dim === view.shape.length) return values[offset] as number;
    const n = view.shape[dim] as number;
    let stride = 1;
    for (let d = dim + 1; d < view.shape.length; d++) stride *= view.shape[d] as number;
    const out: Nested[] = new Array<Nested>(n);
    for (let i = 0; i < n; i++) out[i] = build(dim + 1, offset + i * stride);
    return out;
  };
  return build(0, view.offset);
}

/**
 * Copies a nested array (or a number for shape []) into the tensor's slot, checking the shape exactly.
 * Returns an error sentence instead of throwing so callers can name the field.
 */
export function unnestTensor(value: unknown, view: TensorView, target: Float64Array): string | undefined {
  let cursor = view.offset;
  const walk = (v: unknown, dim: number): string | undefined => {
    if (dim === view.shape.length) {
      if (typeof v !== 'number' || Number.isNaN(v)) return `${view.name} must hold numbers`;
      target[cursor++] = v;
      return undefined;
    }
    const n = view.shape[dim] as number;
    if (!Array.isArray(v) || v.length !== n) {
      return `${view.name} must have shape [${view.shape.join(', ')}]`;
    }
    for (const item of v) {
      const problem = walk(item, dim + 1);
      if (problem) return problem;
    }
    return undefined;
  };
  return walk(value, 0);
}
