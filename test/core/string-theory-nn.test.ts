import { describe, expect, it } from 'vitest';
import { ComputeInputError, inputFromRows, StringTheoryNN } from '../../src/core/index.js';
import { expectClose, flatten, loadGolden, type NestedNumbers } from './golden.js';

interface NetworkCase {
  config: { dimensions: number; hidden_size: number; num_layers: number; use_batch_norm: boolean };
  effective_num_layers: number;
  n_parameters: number;
  state_dict: Record<string, NestedNumbers>;
  input: number[][];
  output_train_mode: NestedNumbers;
  output_eval_mode_after_one_train_step: NestedNumbers;
}

const golden = loadGolden<{ cases: NetworkCase[] }>('string_nn.json');

function build(c: NetworkCase): StringTheoryNN {
  return new StringTheoryNN({
    dimensions: c.config.dimensions,
    hiddenSize: c.config.hidden_size,
    numLayers: c.config.num_layers,
    useBatchNorm: c.config.use_batch_norm,
    seed: 7,
  });
}

describe('StringTheoryNN matches golden/string_nn.json', () => {
  for (const c of golden.cases) {
    const label = JSON.stringify(c.config);
    it(`${label}: depth, parameter count and state_dict layout`, () => {
      const model = build(c);
      expect(model.config.numLayers).toBe(c.effective_num_layers);
      expect(model.parameterCount).toBe(c.n_parameters);
      expect(Object.keys(model.stateDict())).toEqual(expect.arrayContaining(Object.keys(c.state_dict)));
      expect(Object.keys(model.stateDict()).length).toBe(Object.keys(c.state_dict).length);
    });

    it(`${label}: train-mode output uses the batch statistics`, () => {
      const model = build(c);
      model.loadState(c.state_dict);
      const input = inputFromRows('input', c.input, c.config.dimensions);
      expect(model.training).toBe(true);
      expectClose(model.forward(input), c.output_train_mode, { label: 'train output' });
    });

    // The recorded running statistics are those after the one train-mode step (num_batches_tracked = 1, running
    // mean 0.1·batch mean), so the eval-mode answer is computed from the state_dict as recorded.
    it(`${label}: eval-mode output uses the running statistics`, () => {
      const model = build(c);
      model.loadState(c.state_dict);
      model.eval();
      const input = inputFromRows('input', c.input, c.config.dimensions);
      const version = model.version;
      expectClose(model.forward(input), c.output_eval_mode_after_one_train_step, { label: 'eval output' });
      expect(model.version, 'eval mode leaves the running statistics alone').toBe(version);
    });

    if (c.config.use_batch_norm) {
      it(`${label}: one train-mode step from fresh statistics gives the recorded running statistics`, () => {
        const model = build(c);
        const fresh: Record<string, NestedNumbers> = { ...c.state_dict };
        for (const [name, value] of Object.entries(c.state_dict)) {
          if (name.endsWith('running_mean')) fresh[name] = (value as number[]).map(() => 0);
          if (name.endsWith('running_var')) fresh[name] = (value as number[]).map(() => 1);
          if (name.endsWith('num_batches_tracked')) fresh[name] = 0;
        }
        model.loadState(fresh);
        const before = model.version;
        model.forward(inputFromRows('input', c.input, c.config.dimensions));
        expect(model.version).toBe(before + 1);
        const state = model.stateDict();
        for (const [name, value] of Object.entries(c.state_dict)) {
          if (!/running_|num_batches/.test(name)) continue;
          expectClose(flatten(state[name] as NestedNumbers), value, { label: name });
        }
      });
    }
  }

  it('clamps num_layers into 1 … 10 but rejects non-integers', () => {
    expect(new StringTheoryNN({ numLayers: -3, seed: 1 }).config.numLayers).toBe(1);
    expect(new StringTheoryNN({ numLayers: 99, seed: 1 }).config.numLayers).toBe(10);
    expect(() => new StringTheoryNN({ numLayers: 2.5, seed: 1 })).toThrow(ComputeInputError);
  });

  it('defaults as the reference: 10 → 64 → 64 → 1, 4929 parameters, on the CPU', () => {
    const model = new StringTheoryNN({ seed: 1 });
    expect(model.config).toEqual({
      dimensions: 10,
      hiddenSize: 64,
      numLayers: 2,
      useBatchNorm: false,
      device: 'cpu',
    });
    expect(model.parameterCount).toBe(4929);
  });

  it('BatchNorm in training mode refuses a single row, as PyTorch does; eval mode accepts it', () => {
    const model = new StringTheoryNN({ dimensions: 3, hiddenSize: 4, useBatchNorm: true, seed: 1 });
    const one = inputFromRows('x', [[0.1, 0.2, 0.3]], 3);
    expect(() => model.forward(one)).toThrow(ComputeInputError);
    expect(model.eval().forward(one)).toHaveLength(1);
  });

  it('BatchNorm training batches cannot be split; eval batches can', () => {
    const model = new StringTheoryNN({ dimensions: 2, hiddenSize: 3, useBatchNorm: true, seed: 1 });
    expect(model.canSplitBatch).toBe(false);
    expect(model.eval().canSplitBatch).toBe(true);
    expect(new StringTheoryNN({ dimensions: 2, hiddenSize: 3, seed: 1 }).canSplitBatch).toBe(true);
  });

  it('a cuda request falls back to the CPU with a warning', () => {
    const warnings: string[] = [];
    const model = new StringTheoryNN({ device: 'cuda', seed: 1, onWarning: (w) => warnings.push(w) });
    expect(model.config.device).toBe('cpu');
    expect(model.deviceWarning).toMatch(/CUDA requested but not available/);
    expect(warnings).toEqual([model.deviceWarning]);
  });
});
