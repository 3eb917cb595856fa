import { describe, expect, it } from 'vitest';
import {
  chirpDataset,
  generateChirp,
  generateGrid4d,
  generateGrid6d,
  grid6dDataset,
  linspaceFloat32,
  MAX_GRID_SIZE_6D,
  stringModesDataset,
  wavePacketDataset,
} from '../../src/core/index.js';
import { expectClose, loadGolden } from './golden.js';

interface DataGolden {
  chirp_1d: { x: number[]; t: number[]; y: number[] };
  grid_4d_size4: Record<'x' | 'y' | 'z' | 't' | 'signal', number[]>;
  grid_6d_size3: Record<'x1' | 'x2' | 'x3' | 'x4' | 'x5' | 't' | 'signal', number[]>;
}

const golden = loadGolden<DataGolden>('data.json');
/**
 * One float32 ulp is at most 1.2e-7 relative and PyTorch's float32 sin/exp are within one or two; in the
 * glitch the sum of two terms of size ≈ 0.5 can cancel, so an ulp of the terms (3e-8) is the absolute floor.
 */
const FLOAT32 = { rel: 2.5e-7, abs: 6e-8 };

describe('data generators match golden/data.json', () => {
  it('chirp: identical coordinates, values within float32 rounding', () => {
    const chirp = generateChirp();
    expect(Array.from(chirp.x)).toEqual(golden.chirp_1d.x);
    expect(Array.from(chirp.t)).toEqual(golden.chirp_1d.t);
    expectClose(chirp.y, golden.chirp_1d.y, { ...FLOAT32, label: 'chirp y' });
    // The glitch sits on rows 500 … 549.
    const smooth = (x: number): number => Math.sin(0.5 * x * x) * Math.exp(-0.1 * x * x);
    expect(Math.abs((chirp.y[499] as number) - smooth(chirp.x[499] as number))).toBeLessThan(1e-6);
    expect(Math.abs((chirp.y[525] as number) - smooth(chirp.x[525] as number))).toBeGreaterThan(1e-3);
    expect(Math.abs((chirp.y[550] as number) - smooth(chirp.x[550] as number))).toBeLessThan(1e-6);
  });

  it('4D grid of size 4: identical, bit for bit', () => {
    const g = generateGrid4d(4);
    for (const key of ['x', 'y', 'z', 't', 'signal'] as const) {
      expect(Array.from(g[key]), key).toEqual(golden.grid_4d_size4[key]);
    }
  });

  it('6D grid of size 3: identical, bit for bit', () => {
    const g = generateGrid6d(3);
    for (const key of ['x1', 'x2', 'x3', 'x4', 'x5', 't', 'signal'] as const) {
      expect(Array.from(g[key]), key).toEqual(golden.grid_6d_size3[key]);
    }
  });

  it('the default sizes are the original benchmark sizes: 1000-point chirp, 8⁵ = 32,768-point 6D grid', () => {
    expect(chirpDataset().input.size).toBe(1000);
    expect(grid6dDataset().input.size).toBe(32_768);
    expect(grid6dDataset().input.columns).toHaveLength(6);
  });

  it('linspace hits both ends exactly and rises evenly', () => {
    const line = linspaceFloat32(-10, 10, 1000);
    expect(line[0]).toBe(-10);
    expect(line[999]).toBe(10);
    for (let i = 1; i < 1000; i++)
      expect((line[i] as number) - (line[i - 1] as number)).toBeCloseTo(20 / 999, 5);
  });

  it('the StringTheoryNN and interference-basis tasks are deterministic per seed', () => {
    expect(Array.from(stringModesDataset(3, 10, 1).target)).toEqual(
      Array.from(stringModesDataset(3, 10, 1).target),
    );
    expect(Array.from(wavePacketDataset(2, 2, 10, 1).target)).not.toEqual(
      Array.from(wavePacketDataset(2, 2, 10, 2).target),
    );
    expect(wavePacketDataset(2, 3, 10).target).toHaveLength(30);
  });

  it('bounds the sizes', () => {
    expect(() => generateChirp(1)).toThrow(/points/);
    expect(() => generateGrid6d(MAX_GRID_SIZE_6D + 1)).toThrow(/grid_size/);
    expect(() => generateGrid4d(1)).toThrow(/grid_size/);
  });
});
