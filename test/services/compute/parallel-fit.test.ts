import { describe, expect, it } from 'vitest';
import {
  ComputeInputError,
  createModel,
  fitSync,
  grid4dDataset,
  grid6dDataset,
  StringTheoryNN,
  stringModesDataset,
} from '../../../src/core/index.js';
import { fitParallel, planThreads } from '../../../src/services/compute/index.js';

describe('training with the batch split across worker threads', () => {
  it('gives the losses and parameters of single-threaded training, up to summation order', async () => {
    const data = grid4dDataset(8); // 512 rows
    const single = createModel('quasimoto_ensemble_4d', { nWaves: 3, seed: 4 });
    const split = createModel('quasimoto_ensemble_4d', { nWaves: 3, seed: 4 });
    const expected = fitSync(single, data, { epochs: 15 });
    const progress: number[] = [];
    const result = await fitParallel(split, data, {
      epochs: 15,
      threads: 3,
      onProgress: (p) => progress.push(p.epoch),
      progressEvery: 5,
    });
    expect(progress).toEqual([5, 10, 15]);
    expect(result.losses).toHaveLength(15);
    for (let e = 0; e < 15; e++) {
      expect(Math.abs((result.losses[e] as number) - (expected.losses[e] as number))).toBeLessThan(
        1e-12 * (expected.losses[e] as number),
      );
    }
    for (let i = 0; i < single.parameterCount; i++) {
      expect(split.parameters[i]).toBeCloseTo(single.parameters[i] as number, 9);
    }
    expect(split.version).toBe(single.version);
  });

  it('stops on abort and leaves no worker behind', async () => {
    const model = createModel('quasimoto_ensemble_4d', { nWaves: 2, seed: 1 });
    const controller = new AbortController();
    await expect(
      fitParallel(model, grid4dDataset(6), {
        epochs: 1000,
        threads: 2,
        progressEvery: 1,
        onProgress: (p) => {
          if (p.epoch === 4) controller.abort(new Error('stop'));
        },
        signal: controller.signal,
      }),
    ).rejects.toThrow('stop');
    expect(model.version).toBe(4);
  });

  it('plans threads only where splitting measured faster, and never for BatchNorm training', () => {
    const big = createModel('quasimoto_ensemble_6d', { nWaves: 6, seed: 1 });
    expect(planThreads(big, grid6dDataset(8).input.size, 2)).toBe(2);
    expect(planThreads(big, grid6dDataset(8).input.size, 1)).toBe(1);
    expect(planThreads(createModel('quasimoto_ensemble', { nWaves: 16, seed: 1 }), 1000, 2)).toBe(1);
    const bn = new StringTheoryNN({ dimensions: 4, hiddenSize: 64, useBatchNorm: true, seed: 1 });
    expect(planThreads(bn, 100_000, 2)).toBe(1);
  });

  it('trains BatchNorm models in the calling thread even when threads are asked for', async () => {
    const model = new StringTheoryNN({ dimensions: 3, hiddenSize: 4, useBatchNorm: true, seed: 2 });
    const result = await fitParallel(model, stringModesDataset(3, 64, 1), { epochs: 3, threads: 2 });
    expect(result.losses).toHaveLength(3);
  });

  it("refuses a bad thread count and reports bad fit options in the core's words", async () => {
    const model = createModel('quasimoto_1d', { seed: 1 });
    await expect(fitParallel(model, grid4dDataset(2) as never, { epochs: 1, threads: 0 })).rejects.toThrow(
      ComputeInputError,
    );
    const data = {
      input: { size: 4, columns: [new Float64Array(4), new Float64Array(4)] },
      target: new Float64Array(4),
    };
    await expect(fitParallel(model, data, { epochs: 0, threads: 2 })).rejects.toThrow(/epochs/);
  });
});
