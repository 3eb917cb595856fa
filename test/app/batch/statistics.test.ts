import { describe, expect, it } from 'vitest';
import { percentile, summarizeLatencies } from '../../../src/app/batch/index.js';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('percentiles by linear interpolation between closest ranks (NumPy default)', () => {
  it('gives the textbook answers', () => {
    // Wikipedia's worked example of this method: the 40th percentile of 15, 20, 35, 40, 50 is 29.
    expect(percentile([15, 20, 35, 40, 50], 40)).toBeCloseTo(29, 12);
    // numpy.percentile(range(1, 101), [0, 25, 50, 95, 99, 100]) = 1, 25.75, 50.5, 95.05, 99.01, 100
    const hundred = range(1, 100);
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile(hundred, 25)).toBeCloseTo(25.75, 12);
    expect(percentile(hundred, 50)).toBeCloseTo(50.5, 12);
    expect(percentile(hundred, 95)).toBeCloseTo(95.05, 12);
    expect(percentile(hundred, 99)).toBeCloseTo(99.01, 12);
    expect(percentile(hundred, 100)).toBe(100);
    // An odd count has an exact middle; an even one averages the middle two.
    expect(percentile([1, 2, 3, 4, 5], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
  });

  it('is exact on a uniform grid: the p-th percentile of 0, 1, …, 1000 is 10·p', () => {
    const grid = range(0, 1000);
    for (const p of [1, 5, 10, 33, 50, 90, 95, 99, 99.9]) expect(percentile(grid, p)).toBeCloseTo(10 * p, 9);
  });

  it('recovers the quantiles of an exponential distribution', () => {
    // 200,000 points placed at the exponential's own quantiles (midpoints): the sample's percentiles are the
    // distribution's, −ln(1 − p/100), to within the grid's spacing.
    const n = 200_000;
    const sorted = Float64Array.from({ length: n }, (_, i) => -Math.log(1 - (i + 0.5) / n));
    expect(percentile(sorted, 50)).toBeCloseTo(Math.LN2, 4);
    expect(percentile(sorted, 95)).toBeCloseTo(-Math.log(0.05), 3);
    expect(percentile(sorted, 99)).toBeCloseTo(-Math.log(0.01), 2);
  });

  it('handles one value, no values and bad p', () => {
    expect(percentile([42], 0)).toBe(42);
    expect(percentile([42], 99)).toBe(42);
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1, 2], 101)).toThrow(RangeError);
    expect(() => percentile([1, 2], Number.NaN)).toThrow(RangeError);
  });
});

describe('latency summary', () => {
  it('sorts a copy and reports min, mean, median, p95, p99 and max', () => {
    const shuffled = Float64Array.from(range(1, 100).sort((a, b) => ((a * 37) % 101) - ((b * 37) % 101)));
    const before = Float64Array.from(shuffled);
    const summary = summarizeLatencies(shuffled)!;
    expect(shuffled).toEqual(before);
    expect(summary).toEqual({
      count: 100,
      min: 1,
      mean: 50.5,
      median: 50.5,
      p95: expect.closeTo(95.05, 9) as number,
      p99: expect.closeTo(99.01, 9) as number,
      max: 100,
    });
    expect(summarizeLatencies(new Float64Array(0))).toBeUndefined();
  });
});
