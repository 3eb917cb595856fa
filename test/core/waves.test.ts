import { describe, expect, it } from 'vitest';
import {
  createModel,
  inputFromColumns,
  inputFromRows,
  QuasimotoEnsemble,
  QuasimotoWave,
  QuasimotoWave4D,
  QuasimotoWave6D,
  type ModelBase,
} from '../../src/core/index.js';
import { expectClose, flatten, loadGolden, type NestedNumbers } from './golden.js';

interface WaveCase {
  params: Record<string, NestedNumbers>;
  inputs: Record<string, number[]>;
  output: NestedNumbers;
  target: NestedNumbers;
  mse_loss: number;
  grad: Record<string, NestedNumbers>;
}

interface BasisCase {
  config: { dim: number; num_fields: number; out_features: number };
  params: Record<string, NestedNumbers>;
  inputs: { x: number[][]; t: number[] };
  output: NestedNumbers;
  loss_mean_square_output: number;
  grad: Record<string, NestedNumbers>;
}

const golden = loadGolden<
  Record<string, WaveCase> & { interference_basis: BasisCase; n_parameters: Record<string, number> }
>('waves.json');

/** The golden cases and the model each one describes (ensemble sizes follow from head.weight). */
function modelFor(name: string, c: WaveCase): ModelBase {
  const heads = c.params['head.weight'];
  const nWaves = heads ? flatten(heads).length : undefined;
  const type = name === 'quasimoto_ensemble' ? 'quasimoto_ensemble' : name;
  return createModel(type, { seed: 1, ...(nWaves ? { nWaves } : {}) });
}

describe('Quasimoto waves and ensembles match golden/waves.json', () => {
  const cases = [
    'quasimoto_1d',
    'quasimoto_4d',
    'quasimoto_6d',
    'quasimoto_ensemble',
    'quasimoto_ensemble_4d',
    'quasimoto_ensemble_6d',
  ];
  for (const name of cases) {
    it(`${name}: parameter names, outputs, MSE and every gradient`, () => {
      const c = golden[name] as WaveCase;
      const model = modelFor(name, c);
      expect(model.parameterTable.entries.map((e) => e.name)).toEqual(Object.keys(c.params));
      model.loadState(c.params);
      const input = inputFromColumns(model.inputNames, c.inputs);
      const output = model.forward(input);
      expectClose(output, c.output, { label: `${name} output` });
      const target = Float64Array.from(flatten(c.target));
      const grad = new Float64Array(model.parameterCount);
      const loss = model.lossAndGradient(input, target, grad);
      expectClose(loss, c.mse_loss, { label: `${name} loss` });
      expectClose(model.loss(input, target), c.mse_loss, { label: `${name} loss()` });
      for (const [param, expected] of Object.entries(c.grad)) {
        const view = model.parameterTable.get(param);
        expect(view, param).toBeDefined();
        if (!view) continue;
        // Gradients are sums of products of order-one terms: judge them against the largest gradient.
        const scale = Math.max(...Object.values(c.grad).flatMap(flatten).map(Math.abs));
        expectClose(grad.subarray(view.offset, view.offset + view.size), expected, {
          rel: 1e-9,
          abs: 1e-12 * scale,
          label: `${name} grad ${param}`,
        });
      }
    });
  }

  it('the single waves report [N] outputs, ensembles [N, 1]', () => {
    expect(new QuasimotoWave({ seed: 1 }).outputShape(6)).toEqual([6]);
    expect(new QuasimotoWave4D({ seed: 1 }).outputShape(6)).toEqual([6]);
    expect(new QuasimotoEnsemble({ seed: 1, nWaves: 2 }).outputShape(6)).toEqual([6, 1]);
  });

  it('parameter counts equal the original: 8, 14, 20, 145 (n = 16), 73 (n = 8)', () => {
    const n = golden.n_parameters;
    expect(new QuasimotoWave({ seed: 1 }).parameterCount).toBe(n.quasimoto_1d);
    expect(new QuasimotoWave4D({ seed: 1 }).parameterCount).toBe(n.quasimoto_4d);
    expect(new QuasimotoWave6D({ seed: 1 }).parameterCount).toBe(n.quasimoto_6d);
    expect(new QuasimotoEnsemble({ seed: 1 }).parameterCount).toBe(n.quasimoto_ensemble_n16);
    expect(new QuasimotoEnsemble({ seed: 1, nWaves: 8 }).parameterCount).toBe(n.quasimoto_ensemble_n8);
  });
});

describe('QuasimotoInterferenceBasis matches golden/waves.json', () => {
  const c = golden.interference_basis;
  const model = createModel('quasimoto_interference_basis', {
    dim: c.config.dim,
    numFields: c.config.num_fields,
    outFeatures: c.config.out_features,
    seed: 1,
  });
  const rows = inputFromRows('x', c.inputs.x, c.config.dim);
  const input = { size: rows.size, columns: [...rows.columns, Float64Array.from(c.inputs.t)] };

  it('has the original parameter names and shapes', () => {
    expect(model.parameterTable.entries.map((e) => e.name)).toEqual(Object.keys(c.params));
    model.loadState(c.params);
    for (const [name, value] of Object.entries(c.params)) {
      expect(model.describeParameters()[name]?.value, name).toEqual(value);
    }
  });

  it('outputs, mean square output and every gradient', () => {
    model.loadState(c.params);
    expect(model.outputShape(5)).toEqual([5, c.config.out_features]);
    expectClose(model.forward(input), c.output, { label: 'basis output' });
    const grad = new Float64Array(model.parameterCount);
    const zeros = new Float64Array(input.size * model.outputWidth);
    expectClose(model.lossAndGradient(input, zeros, grad), c.loss_mean_square_output, {
      label: 'basis loss',
    });
    const scale = Math.max(...Object.values(c.grad).flatMap(flatten).map(Math.abs));
    for (const [param, expected] of Object.entries(c.grad)) {
      const view = model.parameterTable.get(param);
      if (!view) throw new Error(`missing ${param}`);
      expectClose(grad.subarray(view.offset, view.offset + view.size), expected, {
        abs: 1e-12 * scale,
        label: `basis grad ${param}`,
      });
    }
  });
});
