import { z } from 'zod';
import {
  DEFAULT_INTERFERENCE_BASIS,
  MAX_BASIS_DIM,
  MAX_BASIS_FIELDS,
  MAX_BASIS_OUT_FEATURES,
  MAX_HIDDEN_SIZE,
  MAX_NETWORK_DIMENSIONS,
  MAX_SEED,
  MAX_WAVES,
  type CreateModelOptions,
  type ModelType,
} from '../../core/index.js';
import type { DredgeConfig } from '../../config/index.js';
import { flag, oneOf, parseOrThrow, wholeNumber } from './schema.js';

/** load_model's `config`, per model type. Every key is optional; what is absent takes the default below. */
const seed = { seed: wholeNumber(0, MAX_SEED).optional() };
const ensemble = z.object({ ...seed, n_waves: wholeNumber(1, MAX_WAVES).optional() });

/** num_layers outside 1 … 10 is clamped, as the original does; this bound only stops absurd numbers. */
export const MAX_REQUESTED_LAYERS = 1000;

export const MODEL_CONFIG_SCHEMAS = {
  quasimoto_1d: z.object(seed),
  quasimoto_4d: z.object(seed),
  quasimoto_6d: z.object(seed),
  quasimoto_ensemble: ensemble,
  quasimoto_ensemble_4d: ensemble,
  quasimoto_ensemble_6d: ensemble,
  quasimoto_interference_basis: z.object({
    ...seed,
    dim: wholeNumber(1, MAX_BASIS_DIM).optional(),
    num_fields: wholeNumber(1, MAX_BASIS_FIELDS).optional(),
    out_features: wholeNumber(1, MAX_BASIS_OUT_FEATURES).optional(),
  }),
  string_theory: z.object({
    ...seed,
    dimensions: wholeNumber(1, MAX_NETWORK_DIMENSIONS).optional(),
    hidden_size: wholeNumber(1, MAX_HIDDEN_SIZE).optional(),
    num_layers: wholeNumber(-MAX_REQUESTED_LAYERS, MAX_REQUESTED_LAYERS).optional(),
    use_batch_norm: flag().optional(),
    device: oneOf(['auto', 'cpu', 'cuda', 'mps']).optional(),
  }),
} as const satisfies Record<ModelType, z.ZodType>;

/** What load_model echoes back: the keys the client gave that the model type knows. */
export type RequestedConfig = Readonly<Record<string, unknown>>;

/** Validates `config` for the type; problems are named from `params.config`. */
export function parseModelConfig(type: ModelType, config: unknown): RequestedConfig {
  return parseOrThrow(MODEL_CONFIG_SCHEMAS[type], config ?? {}, 'params.config') as RequestedConfig;
}

/** The core's options for a model: the request's values, else DREDGE's defaults (STRING_NN_* for the network). */
export function modelOptions(
  config: RequestedConfig,
  defaults: DredgeConfig['compute'],
  device: string,
): CreateModelOptions {
  const value = <T>(key: string, fallback: T): T =>
    config[key] === undefined ? fallback : (config[key] as T);
  return {
    ...(config.seed === undefined ? {} : { seed: config.seed as number }),
    nWaves: value('n_waves', 16),
    dim: value('dim', DEFAULT_INTERFERENCE_BASIS.dim),
    numFields: value('num_fields', DEFAULT_INTERFERENCE_BASIS.numFields),
    outFeatures: value('out_features', DEFAULT_INTERFERENCE_BASIS.outFeatures),
    dimensions: value('dimensions', 10),
    hiddenSize: value('hidden_size', defaults.stringNN.hiddenSize),
    numLayers: value('num_layers', defaults.stringNN.layers),
    useBatchNorm: value('use_batch_norm', defaults.stringNN.batchNorm),
    device: value('device', device),
  };
}
