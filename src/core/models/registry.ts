import { ComputeInputError } from '../errors.js';
import { decodeFloat64 } from './codec.js';
import { QuasimotoInterferenceBasis, type InterferenceBasisOptions } from './interference-basis.js';
import { MODEL_TYPES, type ModelBase, type ModelType, type SerializedModel } from './model.js';
import {
  QuasimotoEnsemble,
  QuasimotoEnsemble4D,
  QuasimotoEnsemble6D,
  type EnsembleOptions,
} from './quasimoto-ensemble.js';
import { QuasimotoWave, QuasimotoWave4D, QuasimotoWave6D } from './quasimoto-wave.js';
import { StringTheoryNN, type StringTheoryNNOptions } from './string-theory-nn.js';

/** Every model class, by wire type. */
export type AnyModel =
  | QuasimotoWave
  | QuasimotoWave4D
  | QuasimotoWave6D
  | QuasimotoEnsemble
  | QuasimotoEnsemble4D
  | QuasimotoEnsemble6D
  | QuasimotoInterferenceBasis
  | StringTheoryNN;

/** The union of every model's options; each model reads the ones it knows. */
export type CreateModelOptions = EnsembleOptions & InterferenceBasisOptions & StringTheoryNNOptions;

export function isModelType(value: unknown): value is ModelType {
  return typeof value === 'string' && (MODEL_TYPES as readonly string[]).includes(value);
}

/** Creates a model of the given type; unknown types are a ComputeInputError on `model_type`. */
export function createModel(type: string, options: CreateModelOptions = {}): AnyModel {
  switch (type) {
    case 'quasimoto_1d':
      return new QuasimotoWave(options);
    case 'quasimoto_4d':
      return new QuasimotoWave4D(options);
    case 'quasimoto_6d':
      return new QuasimotoWave6D(options);
    case 'quasimoto_ensemble':
      return new QuasimotoEnsemble(options);
    case 'quasimoto_ensemble_4d':
      return new QuasimotoEnsemble4D(options);
    case 'quasimoto_ensemble_6d':
      return new QuasimotoEnsemble6D(options);
    case 'quasimoto_interference_basis':
      return new QuasimotoInterferenceBasis(options);
    case 'string_theory':
      return new StringTheoryNN(options);
    default:
      throw new ComputeInputError('model_type', `Unknown model type: ${type}`);
  }
}

/** Every key a model configuration may hold. */
const CONFIG_KEYS = [
  'nWaves',
  'dim',
  'numFields',
  'outFeatures',
  'dimensions',
  'hiddenSize',
  'numLayers',
  'useBatchNorm',
  'device',
] as const;

function fail(message: string): never {
  throw new ComputeInputError('model', `not a serialised DREDGE model: ${message}`);
}

/**
 * Restores a model from `toJSON()` output, bit-exactly (parameters, buffers, version and mode). The input is
 * checked field by field, since stored models cross a trust boundary.
 */
export function modelFromJSON(json: unknown): AnyModel {
  if (json === null || typeof json !== 'object') fail('expected an object');
  const s = json as Partial<Record<keyof SerializedModel, unknown>>;
  if (s.format !== 'dredge-model' || s.formatVersion !== 1) fail('unknown format or formatVersion');
  if (!isModelType(s.type)) fail(`unknown type ${String(s.type)}`);
  if (s.config === null || typeof s.config !== 'object' || Array.isArray(s.config))
    fail('config must be an object');
  if (typeof s.version !== 'number' || !Number.isSafeInteger(s.version) || s.version < 0) fail('bad version');
  if (typeof s.training !== 'boolean') fail('training must be a boolean');
  if (typeof s.parameters !== 'string' || typeof s.buffers !== 'string')
    fail('parameters and buffers must be text');
  const config = s.config as Record<string, unknown>;
  // Only configuration keys reach the constructor (not hooks such as onWarning or host facts); the configuration
  // decides the layout; seed 0 only avoids drawing a random seed for values about to be replaced.
  const options: Record<string, unknown> = { seed: 0 };
  for (const key of CONFIG_KEYS) if (key in config) options[key] = config[key];
  const model = createModel(s.type, options as CreateModelOptions);
  for (const [key, value] of Object.entries(model.config)) {
    // The device is where the model runs, not what it is: a model saved elsewhere may land on another one.
    if (key !== 'device' && config[key] !== value)
      fail(`config.${key} does not match the model it describes`);
  }
  const parameters = decodeFloat64(s.parameters, model.parameters.length);
  const buffers = decodeFloat64(s.buffers, model.buffers.length);
  if (!parameters || !buffers) fail('parameters or buffers do not match the configuration');
  (model as ModelBase).restoreSerializedState(parameters, buffers, s.version, s.training);
  return model;
}
