import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** The repository root, and the original's recorded answers kept in it (test/fixtures/golden, see its README). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const goldenDir = path.join(repoRoot, 'test/fixtures/golden');

export function loadGolden<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(path.join(goldenDir, name), 'utf8')) as T;
}

export type NestedNumbers = number | NestedNumbers[];

export function flatten(value: NestedNumbers): number[] {
  return Array.isArray(value) ? value.flatMap(flatten) : [value];
}

/**
 * |actual − expected| ≤ rel·max(|actual|, |expected|) + abs, element by element, with the index in the message.
 * REFERENCE.md's tolerances: 1e-9 relative for float64 results, about 1e-4 for float32 training trajectories.
 */
export function expectClose(
  actual: ArrayLike<number> | number,
  expected: NestedNumbers,
  options: { rel?: number; abs?: number; label?: string } = {},
): void {
  const rel = options.rel ?? 1e-9;
  const abs = options.abs ?? 1e-14;
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = flatten(expected);
  expect(a.length, `${options.label ?? 'values'}: length`).toBe(e.length);
  for (let i = 0; i < e.length; i++) {
    const x = a[i] as number;
    const y = e[i] as number;
    const tolerance = rel * Math.max(Math.abs(x), Math.abs(y)) + abs;
    if (!(Math.abs(x - y) <= tolerance)) {
      expect.fail(`${options.label ?? 'values'}[${i}]: got ${x}, expected ${y} (tolerance ${tolerance})`);
    }
  }
}
