import { describe, expect, it } from 'vitest';
import { bucketDelta, histogramQuantile } from '../../../../src/app/http/dredge/histogram-quantile.js';

const buckets = (counts: Array<[number, number]>) => counts.map(([le, count]) => ({ le, count }));

describe('histogramQuantile', () => {
  it('interpolates inside the bucket that holds the rank, as Prometheus does', () => {
    // 10 observations ≤ 1, 10 more in (1, 2], none beyond.
    const histogram = buckets([
      [1, 10],
      [2, 20],
      [Infinity, 20],
    ]);
    expect(histogramQuantile(0.5, histogram)).toBe(1);
    expect(histogramQuantile(0.25, histogram)).toBe(0.5);
    expect(histogramQuantile(0.75, histogram)).toBe(1.5);
    expect(histogramQuantile(1, histogram)).toBe(2);
  });

  it('answers the highest finite bound for a rank in the +Inf bucket, and nothing for an empty histogram', () => {
    expect(
      histogramQuantile(
        0.99,
        buckets([
          [1, 1],
          [5, 1],
          [Infinity, 100],
        ]),
      ),
    ).toBe(5);
    expect(histogramQuantile(0.5, buckets([[1, 0]]))).toBeUndefined();
    expect(histogramQuantile(0.5, [])).toBeUndefined();
  });

  it('skips empty buckets below the rank', () => {
    expect(
      histogramQuantile(
        0.5,
        buckets([
          [0.001, 0],
          [0.01, 0],
          [0.1, 4],
        ]),
      ),
    ).toBeCloseTo(0.055, 12);
  });
});

describe('bucketDelta', () => {
  it('subtracts an earlier reading bucket by bucket; buckets it did not have count from zero', () => {
    expect(
      bucketDelta(
        buckets([
          [1, 5],
          [Infinity, 9],
        ]),
        buckets([[1, 2]]),
      ),
    ).toEqual(
      buckets([
        [1, 3],
        [Infinity, 9],
      ]),
    );
  });
});
