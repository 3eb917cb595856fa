import { ComputeInputError } from '../errors.js';
import type { ModelInput } from '../models/model-input.js';

/**
 * The pure half of splitting a batch across threads: contiguous row ranges, views of a batch restricted to a
 * range (no copy), and the sum of shard gradients. The thread plumbing lives outside the core.
 */

export interface RowRange {
  readonly start: number;
  readonly end: number;
}

/** `parts` contiguous ranges covering [0, rows), sizes differing by at most one. */
export function shardRanges(rows: number, parts: number): RowRange[] {
  if (!Number.isInteger(rows) || rows < 0)
    throw new ComputeInputError('rows', 'rows must be a non-negative integer');
  if (!Number.isInteger(parts) || parts < 1)
    throw new ComputeInputError('parts', 'parts must be a positive integer');
  const count = Math.min(parts, Math.max(1, rows));
  const base = Math.floor(rows / count);
  const extra = rows % count;
  const ranges: RowRange[] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = start + base + (i < extra ? 1 : 0);
    ranges.push({ start, end });
    start = end;
  }
  return ranges;
}

/** The rows of a range as their own batch, sharing memory with the original. */
export function sliceInput(input: ModelInput, range: RowRange): ModelInput {
  return {
    size: range.end - range.start,
    columns: input.columns.map((c) => c.subarray(range.start, range.end)),
  };
}

/** target rows of a range (outputWidth values per row), sharing memory. */
export function sliceTarget(target: Float64Array, range: RowRange, outputWidth = 1): Float64Array {
  return target.subarray(range.start * outputWidth, range.end * outputWidth);
}

/** into[i] = Σ_s shards[s][i]. */
export function sumGradients(into: Float64Array, shards: readonly Float64Array[]): Float64Array {
  into.fill(0);
  for (const shard of shards) {
    for (let i = 0; i < into.length; i++) into[i] = (into[i] as number) + (shard[i] as number);
  }
  return into;
}
