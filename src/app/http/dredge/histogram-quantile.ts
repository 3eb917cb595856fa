/** One bucket of a Prometheus histogram: observations ≤ `le`, counted cumulatively. */
export interface CumulativeBucket {
  readonly le: number;
  readonly count: number;
}

/**
 * The q-quantile (0 < q ≤ 1) of a histogram's observations, estimated as Prometheus' histogram_quantile does:
 * find the bucket holding the rank and interpolate linearly inside it (the first bucket starts at 0; a rank in
 * the +Inf bucket answers the highest finite bound). Undefined when the histogram is empty.
 */
export function histogramQuantile(q: number, buckets: readonly CumulativeBucket[]): number | undefined {
  const total = buckets.at(-1)?.count ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const bucket of buckets) {
    if (bucket.count >= rank && bucket.count > below) {
      if (!Number.isFinite(bucket.le)) return lower;
      return lower + ((bucket.le - lower) * (rank - below)) / (bucket.count - below);
    }
    lower = Number.isFinite(bucket.le) ? bucket.le : lower;
    below = bucket.count;
  }
  return lower;
}

/** The observations of an interval: bucket by bucket, the later cumulative counts minus the earlier ones. */
export function bucketDelta(
  later: readonly CumulativeBucket[],
  earlier: readonly CumulativeBucket[],
): CumulativeBucket[] {
  const before = new Map(earlier.map((bucket) => [bucket.le, bucket.count]));
  return later.map((bucket) => ({ le: bucket.le, count: bucket.count - (before.get(bucket.le) ?? 0) }));
}
