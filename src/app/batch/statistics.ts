/**
 * Latency statistics. Percentiles use linear interpolation between the two nearest ranks: for p in [0, 100]
 * and n sorted values x₀ ≤ … ≤ xₙ₋₁, the rank is h = (n − 1)·p/100 and the percentile is
 * x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋). This is Hyndman and Fan's definition 7, the default of NumPy, R and
 * Excel's PERCENTILE.INC; the median is the usual one (the mean of the middle two for even n), and it is
 * defined for every n ≥ 1, unlike the original's (Python's `statistics.quantiles`, definition 6, which the
 * original replaced by the maximum below 20 samples for p95 and below 100 for p99).
 */

export const PERCENTILE_METHOD = 'linear interpolation between closest ranks (Hyndman–Fan 7, as NumPy)';

/** The p-th percentile (0 ≤ p ≤ 100) of values already sorted ascending; NaN when there are none. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be from 0 to 100 (got ${p})`);
  const rank = ((n - 1) * p) / 100;
  const below = Math.floor(rank);
  const low = sorted[below] as number;
  if (below === rank) return low;
  const high = sorted[below + 1] as number;
  return low + (rank - below) * (high - low);
}

export interface LatencySummary {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly median: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Summary of the samples (any order; the array is not changed); undefined when there are none. */
export function summarizeLatencies(samples: Float64Array): LatencySummary | undefined {
  const count = samples.length;
  if (count === 0) return undefined;
  // A typed array sorts numerically, in place: sort a copy.
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (let i = 0; i < count; i++) sum += sorted[i] as number;
  return {
    count,
    min: sorted[0] as number,
    mean: sum / count,
    median: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[count - 1] as number,
  };
}
