/**
 * Params for every operation of the catalogue: valid (small: well under the fuzz servers' MAX_REQUEST_WORK), at
 * their documented bounds and one past them, mutated, weird, or with deep nesting spliced in.
 */
import { MAX_INFERENCE_ROWS } from '../../src/app/operations/inference.js';
import { MAX_FIT_POINTS } from '../../src/app/operations/model-fit.js';
import { MAX_INSIGHT_LENGTH } from '../../src/app/operations/string-theory.js';
import { MAX_COORDINATES, MAX_MODES, MAX_STRING_MODES, MAX_WAVES } from '../../src/core/limits.js';
import { aroundBound, deepNesting, mutate, weirdValue } from './generators.js';
import { someId, type IdPool } from './ids.js';
import type { Rng } from './rng.js';

export const MODEL_TYPES = [
  'quasimoto_1d',
  'quasimoto_4d',
  'quasimoto_6d',
  'quasimoto_ensemble',
  'quasimoto_interference_basis',
  'string_theory',
] as const;

const numbers = (count: number, rng: Rng): number[] =>
  Array.from({ length: count }, (_, i) => (i % 97) / 97 + rng.int(0, 1));

/** Inputs a model of the id's type takes: columns for the Quasimoto waves, rows of its width for the others. */
function inferenceInputs(rng: Rng, modelId: string): Record<string, unknown> {
  const rows = rng.int(1, 20);
  if (modelId.startsWith('string_theory')) {
    return { x: Array.from({ length: rows }, () => numbers(10, rng)) };
  }
  if (modelId.startsWith('quasimoto_interference_basis')) {
    return { x: numbers(rows, rng).map((value) => [value]), t: [rng.next()] };
  }
  return { x: numbers(rows, rng), t: [rng.next()] };
}

/** Small, valid params for an operation (its work well under the fuzz servers' MAX_REQUEST_WORK). */
export function validParams(rng: Rng, operation: string, ids: IdPool): Record<string, unknown> {
  const model = () => someId(rng, ids, 'models');
  switch (operation) {
    case 'load_model': {
      const type = rng.pick(MODEL_TYPES);
      if (type === 'quasimoto_ensemble') return { model_type: type, config: { n_waves: rng.int(1, 8) } };
      if (type === 'string_theory') {
        return { model_type: type, config: { hidden_size: rng.int(2, 16), num_layers: rng.int(1, 3) } };
      }
      return { model_type: type };
    }
    case 'inference': {
      const id = model();
      return { model_id: id, inputs: inferenceInputs(rng, id) };
    }
    case 'get_parameters':
      return { model_id: model() };
    case 'delete_model':
      return { model_id: someId(rng, ids, 'models', true) };
    case 'model_fit':
      return { model_id: model(), points: rng.int(10, 200) };
    case 'export_model':
      return { model_id: model(), ...(rng.chance(0.3) ? { include_bundle: false } : {}) };
    case 'list_model_versions':
      return { model_id: model() };
    case 'quantize_model':
      return {
        model_id: model(),
        ...(rng.chance(0.5) ? { granularity: rng.pick(['per_tensor', 'per_row']) } : {}),
      };
    case 'prune_model':
      return {
        model_id: model(),
        sparsity: rng.pick([0, 0.5, 0.99, 1, -0.1]),
        fine_tune_epochs: rng.int(0, 2),
      };
    case 'rollback_model':
      return { model_id: model(), version: rng.int(-1, 5) };
    case 'import_model':
      return { bundle: rng.chance(0.5) ? 'RFJFREdFTUI=' : rng.text(rng.int(0, 30)) };
    case 'benchmark':
      return {
        model_type: rng.pick(['quasimoto_1d', 'quasimoto_ensemble']),
        config: { epochs: rng.int(1, 3) },
      };
    case 'train':
      return {
        model_id: model(),
        epochs: rng.int(1, 3),
        ...(rng.chance(0.3) ? { dataset: rng.pick(['chirp', 'grid4d', 'string_modes', 'bogus']) } : {}),
        ...(rng.chance(0.3) ? { seed: rng.int(0, 100) } : {}),
      };
    case 'string_spectrum':
      return { max_modes: rng.int(1, 50), dimensions: rng.int(1, 26) };
    case 'string_parameters':
      return { energy_scale: rng.next() * 1e3, coupling_constant: rng.next() + 0.01 };
    case 'unified_inference':
      return {
        dredge_insight: rng.text(rng.int(0, 30)),
        quasimoto_coords: numbers(rng.int(1, 5), rng),
        string_modes: [1, 2, rng.int(3, 9)],
      };
    case 'get_dependabot_alerts':
      return { repo_owner: 'octo', repo_name: 'repo' };
    case 'explain_dependabot_alert':
      return { repo_owner: 'octo', repo_name: 'repo', alert_id: rng.int(1, 9) };
    case 'update_dependabot_alert':
      return {
        repo_owner: 'octo',
        repo_name: 'repo',
        alert_id: 1,
        state: 'dismissed',
        dismissed_reason: 'tolerable_risk',
      };
    case 'get_traces':
      return { limit: rng.int(1, 20) };
    case 'submit_task':
      return {
        operation: rng.pick(['string_spectrum', 'string_parameters', 'unified_inference', 'list_models']),
        params: rng.chance(0.5) ? { max_modes: rng.int(1, 10) } : {},
        ...(rng.chance(0.3) ? { attempts: rng.int(1, 3) } : {}),
        ...(rng.chance(0.3) ? { timeout: rng.int(1, 30) } : {}),
      };
    case 'get_task':
      return { task_id: someId(rng, ids, 'tasks') };
    case 'cancel_task':
      return { task_id: someId(rng, ids, 'tasks', true) };
    default:
      return {};
  }
}

/** Params at their documented bounds and one past them (arrays near the limits, the largest numbers). */
export function boundaryParams(rng: Rng, operation: string, ids: IdPool): Record<string, unknown> {
  const model = () => someId(rng, ids, 'models');
  switch (operation) {
    case 'string_spectrum':
      return { max_modes: aroundBound(rng, MAX_MODES), dimensions: rng.pick([0, 1, 1024, 1025, 1e9]) };
    case 'string_parameters':
      return {
        energy_scale: rng.pick([1e30, 1e31, -1e30, 0]),
        coupling_constant: rng.pick([1e6, 1e6 + 1, 0, -1]),
      };
    case 'unified_inference': {
      const kind = rng.int(0, 2);
      if (kind === 0) return { quasimoto_coords: numbers(aroundBound(rng, MAX_COORDINATES), rng) };
      if (kind === 1)
        return { string_modes: Array.from({ length: aroundBound(rng, MAX_STRING_MODES) }, () => 1) };
      return { dredge_insight: 'i'.repeat(aroundBound(rng, MAX_INSIGHT_LENGTH)) };
    }
    case 'inference':
      return {
        model_id: model(),
        inputs: { x: numbers(rng.pick([MAX_INFERENCE_ROWS, MAX_INFERENCE_ROWS + 1, 4096]), rng) },
      };
    case 'model_fit':
      return { model_id: model(), points: aroundBound(rng, MAX_FIT_POINTS) };
    case 'load_model':
      return rng.chance(0.5)
        ? { model_type: 'quasimoto_ensemble', config: { n_waves: aroundBound(rng, MAX_WAVES) } }
        : {
            model_type: 'string_theory',
            config: {
              hidden_size: rng.pick([1024, 1025]),
              num_layers: rng.pick([10, 11, 1000, 1001, -1001]),
              dimensions: rng.pick([1024, 1025]),
            },
          };
    case 'train':
      return { model_id: model(), epochs: rng.pick([100_000, 100_001, 0]), lr: rng.pick([1e-300, 10, 1e9]) };
    case 'benchmark':
      return {
        model_type: 'string_theory',
        config: { epochs: rng.pick([100_000, 100_001]), hidden_size: 1024 },
      };
    case 'submit_task':
      return {
        operation: 'string_spectrum',
        params: { max_modes: 1, pad: 'p'.repeat(rng.pick([1000, 200_000])) },
        attempts: rng.pick([0, 1, 10, 11, 1e9]),
        timeout: rng.pick([0, 1e-9, 3600, 86_401, 1e300]),
      };
    case 'get_traces':
      return {
        limit: rng.pick([0, 1, 10_000, 10_001]),
        trace_id: rng.pick(['0'.repeat(32), 'z'.repeat(33)]),
      };
    default:
      return validParams(rng, operation, ids);
  }
}

/**
 * Params for a JSON body as text: valid, at the bounds, mutated, or with deep nesting spliced in (also inside
 * submit_task's params). Text, so that nesting far beyond what JSON.stringify could build cheaply is sent as is.
 */
export function paramsText(rng: Rng, operation: string, ids: IdPool): string {
  const variant = rng.weighted<'valid' | 'boundary' | 'mutated' | 'nested' | 'weird'>([
    [6, 'valid'],
    [2, 'boundary'],
    [4, 'mutated'],
    [1, 'nested'],
    [1, 'weird'],
  ]);
  if (variant === 'valid') return JSON.stringify(validParams(rng, operation, ids));
  if (variant === 'boundary') return JSON.stringify(boundaryParams(rng, operation, ids));
  if (variant === 'mutated') return JSON.stringify(mutate(rng, validParams(rng, operation, ids)));
  if (variant === 'weird') return JSON.stringify(weirdValue(rng)) ?? 'null';
  const deep = deepNesting(rng);
  if (operation === 'submit_task' || rng.chance(0.3)) {
    return `{"operation":"${rng.pick(['string_spectrum', 'unified_inference', 'train'])}","params":{"max_modes":1,"deep":${deep}}}`;
  }
  const field = rng.pick(['inputs', 'config', 'quasimoto_coords', 'params', 'x']);
  return `{"${field}":${deep}}`;
}
