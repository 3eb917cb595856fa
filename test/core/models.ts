import {
  createModel,
  SeededRandom,
  type AnyModel,
  type CreateModelOptions,
  type ModelInput,
} from '../../src/core/index.js';

/** A small instance of every model type, for tests that must cover them all. */
export const SMALL_MODELS: readonly { label: string; type: string; options: CreateModelOptions }[] = [
  { label: 'quasimoto_1d', type: 'quasimoto_1d', options: {} },
  { label: 'quasimoto_4d', type: 'quasimoto_4d', options: {} },
  { label: 'quasimoto_6d', type: 'quasimoto_6d', options: {} },
  { label: 'quasimoto_ensemble (n=5)', type: 'quasimoto_ensemble', options: { nWaves: 5 } },
  { label: 'quasimoto_ensemble_4d (n=3)', type: 'quasimoto_ensemble_4d', options: { nWaves: 3 } },
  { label: 'quasimoto_ensemble_6d (n=2)', type: 'quasimoto_ensemble_6d', options: { nWaves: 2 } },
  {
    label: 'quasimoto_interference_basis (dim 2, 3 fields, 2 outputs)',
    type: 'quasimoto_interference_basis',
    options: { dim: 2, numFields: 3, outFeatures: 2 },
  },
  {
    label: 'string_theory (3 → 5, 2 layers)',
    type: 'string_theory',
    options: { dimensions: 3, hiddenSize: 5, numLayers: 2 },
  },
  {
    label: 'string_theory with BatchNorm (3 → 4, 2 layers)',
    type: 'string_theory',
    options: { dimensions: 3, hiddenSize: 4, numLayers: 2, useBatchNorm: true },
  },
];

/** A model with every parameter moved off its initial value, so no derivative is trivially zero. */
export function perturbedModel(type: string, options: CreateModelOptions, seed = 11): AnyModel {
  const model = createModel(type, { ...options, seed: seed });
  const random = new SeededRandom(seed + 1);
  const p = model.parameters;
  for (let i = 0; i < p.length; i++) p[i] = (p[i] as number) + 0.3 * random.normal();
  model.markChanged();
  return model;
}

/** Random rows for a model: coordinates in [−2, 2], time in [−1, 1] (so velocity and ω matter). */
export function randomBatch(
  model: AnyModel,
  rows: number,
  seed = 5,
): { input: ModelInput; target: Float64Array } {
  const random = new SeededRandom(seed);
  const columns = model.inputNames.map((name) => {
    const column = new Float64Array(rows);
    for (let i = 0; i < rows; i++)
      column[i] = name === 't' ? random.uniformRange(-1, 1) : random.uniformRange(-2, 2);
    return column;
  });
  const target = new Float64Array(rows * model.outputWidth);
  for (let i = 0; i < target.length; i++) target[i] = random.normal() * 0.5;
  return { input: { size: rows, columns }, target };
}
