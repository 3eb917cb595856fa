import { describe, expect, it } from 'vitest';
import {
  ComputeInputError,
  createModel,
  inputFromColumns,
  inputFromRows,
  inputFromTrustedColumns,
  MAX_BATCH_SIZE,
  MAX_WAVES,
  QuasimotoEnsemble,
  QuasimotoWave,
  QuasimotoWave4D,
} from '../../src/core/index.js';

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ComputeInputError);
    return (error as ComputeInputError).field;
  }
  throw new Error('expected a ComputeInputError');
}

describe('model inputs are checked and name the offending field', () => {
  const wave = new QuasimotoWave({ seed: 1 });

  it('columns by name, in the model order', () => {
    const input = inputFromColumns(wave.inputNames, { t: [0, 0], x: [1, 2] });
    expect(Array.from(input.columns[0] as Float64Array)).toEqual([1, 2]);
    expect(input.size).toBe(2);
    expect(fieldOf(() => inputFromColumns(wave.inputNames, { x: [1] }))).toBe('t');
    expect(fieldOf(() => inputFromColumns(wave.inputNames, { x: [1, 2], t: [0] }))).toBe('t');
    expect(fieldOf(() => inputFromColumns(wave.inputNames, { x: [1, Number.NaN], t: [0, 0] }))).toBe('x');
    expect(fieldOf(() => inputFromColumns(wave.inputNames, { x: [], t: [] }))).toBe('x');
  });

  it('rows of fixed width', () => {
    expect(inputFromRows('x', [[1, 2, 3]], 3).columns).toHaveLength(3);
    expect(fieldOf(() => inputFromRows('x', [[1, 2]], 3))).toBe('x');
    expect(fieldOf(() => inputFromRows('x', [[1, 2, Number.POSITIVE_INFINITY]], 3))).toBe('x');
  });

  it('a model refuses the wrong number of columns, short columns, targets and gradients', () => {
    const four = new QuasimotoWave4D({ seed: 1 });
    const twoColumns = inputFromTrustedColumns([new Float64Array(3), new Float64Array(3)]);
    expect(fieldOf(() => four.forward(twoColumns))).toBe('inputs');
    expect(
      fieldOf(() => wave.forward({ size: 5, columns: [new Float64Array(5), new Float64Array(4)] })),
    ).toBe('t');
    expect(fieldOf(() => wave.forward({ size: MAX_BATCH_SIZE + 1, columns: [] }))).toBe('inputs');
    expect(fieldOf(() => wave.lossAndGradient(twoColumns, new Float64Array(2), new Float64Array(8)))).toBe(
      'target',
    );
    expect(fieldOf(() => wave.lossAndGradient(twoColumns, new Float64Array(3), new Float64Array(7)))).toBe(
      'grad',
    );
    expect(fieldOf(() => wave.forward(twoColumns, new Float64Array(2)))).toBe('out');
  });

  it('model configurations are bounded', () => {
    expect(fieldOf(() => new QuasimotoEnsemble({ nWaves: 0 }))).toBe('n_waves');
    expect(fieldOf(() => new QuasimotoEnsemble({ nWaves: MAX_WAVES + 1 }))).toBe('n_waves');
    expect(fieldOf(() => createModel('string_theory', { hiddenSize: 0 }))).toBe('hidden_size');
    expect(fieldOf(() => createModel('string_theory', { dimensions: 1e9 }))).toBe('dimensions');
    expect(fieldOf(() => createModel('string_theory', { useBatchNorm: 'yes' as unknown as boolean }))).toBe(
      'use_batch_norm',
    );
    expect(fieldOf(() => createModel('quasimoto_interference_basis', { numFields: 0 }))).toBe('num_fields');
    expect(fieldOf(() => createModel('nonexistent'))).toBe('model_type');
  });

  it('forward reuses a given output buffer', () => {
    const input = inputFromColumns(wave.inputNames, { x: [0.1, 0.2], t: [0, 0] });
    const out = new Float64Array(4);
    expect(wave.forward(input, out)).toBe(out);
    expect(out[2]).toBe(0);
  });
});
