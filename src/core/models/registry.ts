import { restoreQuantized, type QuantizedModel } from '../compress/quantized-model.js';
import { ComputeInputError } from '../errors.js';
import { decodeFloat64 } from './codec.js';
import { QuasimotoInterferenceBasis, type InterferenceBasisOptions } from './interference-basis.js';
import {
  MODEL_TYPES,
  type InitialValues,
  type ModelBase,
  type ModelSnapshot,
  type ModelType,
  type SerializedModel,
} from './model.js';
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
  | StringTheoryNN
  | QuantizedModel<QuasimotoEnsemble>
  | QuantizedModel<QuasimotoEnsemble4D>
  | QuantizedModel<QuasimotoEnsemble6D>
  | QuantizedModel<QuasimotoInterferenceBasis>
  | QuantizedModel<StringTheoryNN>;

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

/** What every stored form of a model says besides its values, checked field by field. */
interface CheckedHeader {
  readonly type: ModelType;
  readonly options: CreateModelOptions;
  readonly config: Readonly<Record<string, unknown>>;
  readonly version: number;
  readonly training: boolean;
}

function checkedHeader(value: unknown, formatVersion: 1 | 2): CheckedHeader {
  if (value === null || typeof value !== 'object') fail('expected an object');
  const s = value as Partial<Record<keyof ModelSnapshot, unknown>>;
  if (s.format !== 'dredge-model' || s.formatVersion !== formatVersion)
    fail('unknown format or formatVersion');
  if (!isModelType(s.type)) fail(`unknown type ${String(s.type)}`);
  if (s.config === null || typeof s.config !== 'object' || Array.isArray(s.config))
    fail('config must be an object');
  if (typeof s.version !== 'number' || !Number.isSafeInteger(s.version) || s.version < 0) fail('bad version');
  if (typeof s.training !== 'boolean') fail('training must be a boolean');
  const config = s.config as Record<string, unknown>;
  // Only configuration keys reach the constructor (not hooks such as onWarning or host facts); the configuration
  // decides the layout.
  const options: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) if (key in config) options[key] = config[key];
  return { type: s.type, options, config, version: s.version, training: s.training };
}

/** The model a header describes, its values adopted or (with 'zeros') about to be written, and its counters set. */
function restored(header: CheckedHeader, values: InitialValues): AnyModel {
  let model: AnyModel;
  try {
    // A configuration with `quantization` describes an int8 model of that type (compress/quantized-model.ts).
    model =
      (restoreQuantized(header.type, header.options, header.config, values) as AnyModel | undefined) ??
      createModel(header.type, { ...header.options, values });
  } catch (error) {
    if (error instanceof ComputeInputError && (error.field === 'parameters' || error.field === 'buffers')) {
      fail('parameters or buffers do not match the configuration');
    }
    throw error;
  }
  for (const [key, value] of Object.entries(model.config)) {
    // The device is where the model runs, not what it is: a model saved elsewhere may land on another one.
    if (key !== 'device' && header.config[key] !== value)
      fail(`config.${key} does not match the model it describes`);
  }
  (model as ModelBase).restoreCounters(header.version, header.training);
  return model;
}

/**
 * Restores a model from a snapshot (`model.snapshot()`, or one a store or thread rebuilt), bit-exactly: values,
 * version and mode. Every field is checked, since stored models cross a trust boundary. The values are copied
 * into the model's own storage, unless `adopt` hands the snapshot's arrays over to the model, which then owns
 * them (no copy: for arrays made for it, such as those a compute thread or the store's thread sent).
 */
export function modelFromSnapshot(snapshot: ModelSnapshot, options: { adopt?: boolean } = {}): AnyModel {
  const header = checkedHeader(snapshot, 2);
  const { parameters, buffers } = snapshot;
  if (!(parameters instanceof Float64Array) || !(buffers instanceof Float64Array))
    fail('parameters and buffers must be Float64Arrays');
  if (options.adopt) return restored(header, { parameters, buffers });
  const model = restored(header, 'zeros');
  if (parameters.length !== model.parameters.length || buffers.length !== model.buffers.length)
    fail('parameters or buffers do not match the configuration');
  model.parameters.set(parameters);
  model.buffers.set(buffers);
  return model;
}

/**
 * Restores a model from `toJSON()` output (format version 1: values as base64 text), bit-exactly (parameters,
 * buffers, version and mode). The input is checked field by field, since stored models cross a trust boundary.
 */
export function modelFromJSON(json: unknown): AnyModel {
  const header = checkedHeader(json, 1);
  const s = json as Partial<Record<keyof SerializedModel, unknown>>;
  if (typeof s.parameters !== 'string' || typeof s.buffers !== 'string')
    fail('parameters and buffers must be text');
  // Zeros: nothing is drawn for values about to be replaced.
  const model = restored(header, 'zeros');
  const parameters = decodeFloat64(s.parameters, model.parameters.length, model.parameters);
  const buffers = decodeFloat64(s.buffers, model.buffers.length, model.buffers);
  if (!parameters || !buffers) fail('parameters or buffers do not match the configuration');
  return model;
}
