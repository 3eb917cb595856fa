import { describe, expect, it } from 'vitest';
import {
  ComputeStateError,
  shardRanges,
  sliceInput,
  sliceTarget,
  sumGradients,
  type AnyModel,
} from '../../src/core/index.js';
import { expectClose } from './golden.js';
import { perturbedModel, randomBatch, SMALL_MODELS } from './models.js';

describe('splitting a batch into shards', () => {
  it('ranges cover the rows contiguously with sizes differing by at most one', () => {
    expect(shardRanges(10, 3)).toEqual([
      { start: 0, end: 4 },
      { start: 4, end: 7 },
      { start: 7, end: 10 },
    ]);
    expect(shardRanges(2, 5)).toEqual([
      { start: 0, end: 1 },
      { start: 1, end: 2 },
    ]);
  });

  for (const { label, type, options } of SMALL_MODELS) {
    it(`${label}: shard gradients add up to the whole batch's`, () => {
      const model: AnyModel = perturbedModel(type, options);
      if (!model.canSplitBatch) model.eval();
      const { input, target } = randomBatch(model, 203);
      const whole = new Float64Array(model.parameterCount);
      const loss = model.lossAndGradient(input, target, whole);
      const normalizer = input.size * model.outputWidth;
      const parts = shardRanges(input.size, 3).map((range) => {
        const grad = new Float64Array(model.parameterCount);
        // Either through ranges of the whole batch or through sliced copies: the same numbers.
        const sse = model.accumulateGradient(
          sliceInput(input, range),
          sliceTarget(target, range, model.outputWidth),
          grad,
          { start: 0, end: range.end - range.start, normalizer },
        );
        return { sse, grad };
      });
      const total = sumGradients(
        new Float64Array(model.parameterCount),
        parts.map((p) => p.grad),
      );
      expectClose(parts.reduce((s, p) => s + p.sse, 0) / normalizer, loss, { rel: 1e-12 });
      const scale = Math.max(...Array.from(whole, Math.abs));
      expectClose(total, Array.from(whole), { rel: 1e-10, abs: 1e-13 * scale });
    });
  }

  it('BatchNorm in training mode refuses a partial range', () => {
    const model = perturbedModel('string_theory', { dimensions: 2, hiddenSize: 3, useBatchNorm: true });
    const { input, target } = randomBatch(model, 10);
    const grad = new Float64Array(model.parameterCount);
    expect(() => model.accumulateGradient(input, target, grad, { start: 0, end: 5, normalizer: 10 })).toThrow(
      ComputeStateError,
    );
  });
});
