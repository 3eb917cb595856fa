import { z } from 'zod';
import {
  DEFAULT_INTERFERENCE_BASIS,
  DEVICE_REQUESTS,
  MAX_BASIS_DIM,
  MAX_BASIS_FIELDS,
  MAX_BASIS_OUT_FEATURES,
  MAX_HIDDEN_SIZE,
  MAX_NETWORK_DIMENSIONS,
  MAX_NUM_LAYERS,
  MAX_SEED,
  MAX_WAVES,
  MIN_NUM_LAYERS,
  MODEL_TYPES,
  type CreateModelOptions,
  type ModelType,
} from '../../core/index.js';
import type { DredgeConfig } from '../../config/index.js';
import { flag, oneOf, parseOrThrow, wholeNumber } from './schema.js';

/** load_model's `config`, per model type. Every key is optional; what is absent takes the default below. */
const seed = {
  seed: wholeNumber(0, MAX_SEED)
    .optional()
    .describe(
      `Seed of the random initial values (0 to ${MAX_SEED}): the same seed gives the same model; absent, a random one`,
    ),
};

/** num_layers outside 1 … 10 is clamped, as the original does; this bound only stops absurd numbers. */
export const MAX_REQUESTED_LAYERS = 1000;

/** Each family's settings, one schema per family: the wave types share one, the ensembles another. */
const waveConfig = z
  .object(seed)
  .meta({ title: 'quasimoto_1d, quasimoto_4d, quasimoto_6d', description: 'A single wave: only its seed' });

const ensembleConfig = z
  .object({
    ...seed,
    n_waves: wholeNumber(1, MAX_WAVES)
      .optional()
      .describe(`Waves side by side before the linear head (1 to ${MAX_WAVES}; default 16)`),
  })
  .meta({
    title: 'quasimoto_ensemble, quasimoto_ensemble_4d, quasimoto_ensemble_6d',
    description: 'An ensemble of waves',
  });

const interferenceBasisConfig = z
  .object({
    ...seed,
    dim: wholeNumber(1, MAX_BASIS_DIM)
      .optional()
      .describe(
        `Spatial axes of the input x (1 to ${MAX_BASIS_DIM}; default ${DEFAULT_INTERFERENCE_BASIS.dim})`,
      ),
    num_fields: wholeNumber(1, MAX_BASIS_FIELDS)
      .optional()
      .describe(
        `Coupled quasiperiodic fields (1 to ${MAX_BASIS_FIELDS}; default ${DEFAULT_INTERFERENCE_BASIS.numFields})`,
      ),
    out_features: wholeNumber(1, MAX_BASIS_OUT_FEATURES)
      .optional()
      .describe(
        `Outputs per row (1 to ${MAX_BASIS_OUT_FEATURES}; default ${DEFAULT_INTERFERENCE_BASIS.outFeatures})`,
      ),
  })
  .meta({
    title: 'quasimoto_interference_basis',
    description: 'The coupled quasiperiodic interference basis',
  });

const stringTheoryConfig = z
  .object({
    ...seed,
    dimensions: wholeNumber(1, MAX_NETWORK_DIMENSIONS)
      .optional()
      .describe(`Input width: numbers per row of inference's x (1 to ${MAX_NETWORK_DIMENSIONS}; default 10)`),
    hidden_size: wholeNumber(1, MAX_HIDDEN_SIZE)
      .optional()
      .describe(`Width of each hidden layer (1 to ${MAX_HIDDEN_SIZE}; default STRING_NN_HIDDEN, 64)`),
    num_layers: wholeNumber(-MAX_REQUESTED_LAYERS, MAX_REQUESTED_LAYERS)
      .optional()
      .describe(
        `Hidden layers, clamped to ${MIN_NUM_LAYERS} to ${MAX_NUM_LAYERS} as the original does ` +
          `(accepted from -${MAX_REQUESTED_LAYERS} to ${MAX_REQUESTED_LAYERS}; default STRING_NN_LAYERS, 2)`,
      ),
    use_batch_norm: flag()
      .optional()
      .describe('Whether each hidden layer has BatchNorm1d (default STRING_NN_BATCH_NORM, false)'),
    device: oneOf(DEVICE_REQUESTS)
      .optional()
      .describe(
        'Where to compute; cuda and mps fall back to cpu with a warning (default: the server’s DEVICE)',
      ),
  })
  .meta({ title: 'string_theory', description: 'The StringTheoryNN network' });

export const MODEL_CONFIG_SCHEMAS = {
  quasimoto_1d: waveConfig,
  quasimoto_4d: waveConfig,
  quasimoto_6d: waveConfig,
  quasimoto_ensemble: ensembleConfig,
  quasimoto_ensemble_4d: ensembleConfig,
  quasimoto_ensemble_6d: ensembleConfig,
  quasimoto_interference_basis: interferenceBasisConfig,
  string_theory: stringTheoryConfig,
} as const satisfies Record<ModelType, z.ZodType>;

/** A model type's `config` as a request gives it. */
export type ModelConfigInput<T extends ModelType = ModelType> = z.input<(typeof MODEL_CONFIG_SCHEMAS)[T]>;

/**
 * load_model's input: one object per model type, so that `config` is checked (and typed, and documented) by the
 * keys that type takes; `config` may be absent or null. An unknown or missing `model_type` fails with the sentence
 * `modelType` (the enum of model types) gives it, as it did when load_model's input was a plain object.
 */
export function loadModelInput(modelType: z.ZodType<ModelType>) {
  const options = MODEL_TYPES.map((type) =>
    z.object({
      model_type: z.literal(type).describe('Which model to create (list_capabilities describes each type)'),
      config: MODEL_CONFIG_SCHEMAS[type]
        .nullish()
        .describe('The model’s settings; which keys apply depends on model_type, others are ignored'),
    }),
  ) as unknown as LoadModelOptions;
  return z.discriminatedUnion('model_type', options, {
    // Only the discriminator's own failure: a params that is not an object keeps zod's sentence.
    error: (issue) => (issue.code === 'invalid_union' ? modelTypeFailure(modelType, issue.input) : undefined),
  });
}

function modelTypeFailure(modelType: z.ZodType<ModelType>, params: unknown): string | undefined {
  const value =
    typeof params === 'object' && params !== null
      ? (params as { model_type?: unknown }).model_type
      : undefined;
  return modelType.safeParse(value).error?.issues[0]?.message;
}

/**
 * The options of loadModelInput, one per model type, as a non-empty tuple (what zod's discriminated union takes).
 * Array.map keeps neither the tuple nor which config schema goes with which model_type, so the options are typed
 * here: each model_type with its own config, which is what makes load_model's input type a tagged union.
 */
type LoadModelOptions = [LoadModelOption, ...LoadModelOption[]];
type LoadModelOption = {
  [T in ModelType]: z.ZodObject<{
    model_type: z.ZodLiteral<T>;
    config: z.ZodOptional<z.ZodNullable<(typeof MODEL_CONFIG_SCHEMAS)[T]>>;
  }>;
}[ModelType];

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
