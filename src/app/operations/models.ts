import { z } from 'zod';
import {
  MODEL_TYPES,
  createModel,
  legacyDeviceInfo,
  reportParameters,
  type AnyModel,
  type ModelType,
} from '../../core/index.js';
import { JsonText } from '../../services/cache/index.js';
import type { ModelRecipe } from '../../services/compute/index.js';
import type { RegisteredModel } from '../../services/store/index.js';
import { DredgeError } from '../../services/errors.js';
import {
  answer,
  count,
  deviceOut,
  instant,
  modelIdOut,
  modelTypeOut,
  parameterCountOut,
  versionOut,
} from './answer.js';
import { loadModelInput, modelOptions, type RequestedConfig } from './model-config.js';
import { modelIdSchema, modelVersionSchema } from './model-ref.js';
import {
  READS_ONLY,
  defineModelOperation,
  defineOperation,
  fixedWork,
  type OperationContext,
  type RequestContext,
} from './operation.js';
import { oneOf } from './schema.js';

const modelType = oneOf(MODEL_TYPES, (type) => `Unknown model type: ${type}`);

/**
 * The work of making a model, per parameter: drawing an initial value costs 10–20 ns (a 2.6 M-parameter network
 * took 53 ms of the event loop), counted as ten multiply-adds. Above COMPUTE_INLINE_WORK (100,000 parameters at its
 * default) the model is made on the compute pool.
 */
export const CREATE_WORK_PER_PARAMETER = 10;

/** How to make a model of the type from a validated config: plain data, for this thread or a compute thread. */
export function modelRecipe(type: ModelType, config: RequestedConfig, context: RequestContext): ModelRecipe {
  const options = modelOptions(
    config,
    context.services.config.compute,
    context.services.device.resolution.device,
  );
  return { type, options: options as ModelRecipe['options'] };
}

/**
 * A model of the recipe with nothing drawn (its values all zero, allocated lazily): its size and inputs, cheap to
 * know, so bounds are checked before the real model is made.
 */
export function modelShape(recipe: ModelRecipe): AnyModel {
  return createModel(recipe.type, { ...recipe.options, values: 'zeros' });
}

/** Logs a model's construction warnings (a device fallback), one line each. */
export function logWarnings(type: ModelType, warnings: readonly string[], context: OperationContext): void {
  for (const message of warnings) context.logger.warn({ model_type: type }, message);
}

/** Builds a model of the recipe here, logging any device fallback. */
function buildModel(recipe: ModelRecipe, context: OperationContext): AnyModel {
  const warnings: string[] = [];
  const model = createModel(recipe.type, { ...recipe.options, onWarning: (w) => warnings.push(w) });
  logWarnings(recipe.type, warnings, context);
  return model;
}

/** Builds a model of the recipe here, or on the compute pool when drawing its values would hold the event loop. */
async function makeModel(recipe: ModelRecipe, context: OperationContext): Promise<AnyModel> {
  if (!context.offLoop) return buildModel(recipe, context);
  const { model, warnings } = await context.services.compute.create(recipe);
  logWarnings(recipe.type, warnings, context);
  return model;
}

const requestConfigOut = z
  .record(z.string(), z.unknown())
  .describe('The config keys given that the model type takes, as given (absent ones took their defaults)');

const loadedAnswer = answer({
  model_id: modelIdOut.describe(
    'The new model’s id: pass it to inference, train, get_parameters, delete_model',
  ),
  model_type: modelTypeOut,
  n_parameters: parameterCountOut,
  config: requestConfigOut,
  version: versionOut,
  dimensions: count('string_theory only: the input width').optional(),
  num_layers: count('string_theory only: the hidden layers it has, after clamping to 1 to 10').optional(),
  device: deviceOut.optional().describe('string_theory only: the device it computes on'),
  device_info: z
    .object({
      cuda_available: z.boolean().describe('Whether CUDA is available (never, here)'),
      mps_available: z.boolean().describe('Whether Apple MPS is available (never, here)'),
      device: deviceOut,
      num_layers: count('The hidden layers it has'),
      use_batch_norm: z.boolean().describe('Whether its hidden layers have BatchNorm1d'),
    })
    .optional()
    .describe('string_theory only: the device and depth, as the original reported them'),
});

export const loadModel = defineOperation({
  name: 'load_model',
  title: 'Load a model',
  scope: 'write',
  effects: { readOnly: false, destructive: false, idempotent: false, openWorld: false },
  description:
    'Create a model (Quasimoto waves, ensembles, interference basis or StringTheoryNN) with fresh parameters; ' +
    'answers its id for inference, training and get_parameters.',
  input: loadModelInput(modelType),
  output: loadedAnswer,
  workFormula: `${CREATE_WORK_PER_PARAMETER} × parameters`,
  work(input, _model, context) {
    const { parameterCount } = modelShape(modelRecipe(input.model_type, input.config ?? {}, context));
    return CREATE_WORK_PER_PARAMETER * parameterCount;
  },
  async handle(input, context) {
    const config = input.config ?? {};
    const recipe = modelRecipe(input.model_type, config, context);
    const { parameterCount } = modelShape(recipe);
    // A model that would not fit is refused before anything is drawn.
    await context.services.store.models.checkFits(parameterCount, context.tenant);
    // Served models answer in evaluation mode (BatchNorm uses its running statistics, and inference changes
    // nothing); `train` switches a copy to training mode for the fit.
    const model = (await makeModel(recipe, context)).eval();
    const registered = await context.services.store.models.add(
      input.model_type,
      model,
      config,
      context.tenant,
    );
    return describeLoaded(registered);
  },
});

/** The original's load_model answer, plus the version; string_theory adds its depth and device as the original did. */
function describeLoaded(registered: RegisteredModel) {
  const { model } = registered;
  const common = {
    model_id: registered.id,
    model_type: registered.type,
    n_parameters: model.parameterCount,
    config: registered.requestConfig,
    version: model.version,
  };
  if (model.type !== 'string_theory') return common;
  const { numLayers, useBatchNorm, device, dimensions } = model.config;
  const { cuda_available, mps_available } = legacyDeviceInfo();
  return {
    ...common,
    dimensions,
    num_layers: numLayers,
    device,
    device_info: {
      cuda_available,
      mps_available,
      device,
      num_layers: numLayers,
      use_batch_norm: useBatchNorm,
    },
  };
}

/** A loaded model as list_models and the `dredge://models` resource show it. */
export function describeModel(registered: RegisteredModel) {
  return {
    model_id: registered.id,
    model_type: registered.type,
    n_parameters: registered.model.parameterCount,
    config: registered.requestConfig,
    version: registered.model.version,
    created_at: registered.createdAt.toISOString(),
    updated_at: registered.updatedAt.toISOString(),
  };
}

const modelSummaryOut = z
  .object({
    model_id: modelIdOut,
    model_type: modelTypeOut,
    n_parameters: parameterCountOut,
    config: requestConfigOut,
    version: versionOut,
    created_at: instant('When it was loaded'),
    updated_at: instant('When its parameters last changed'),
  })
  .describe('A loaded model');

export const listModels = defineOperation({
  name: 'list_models',
  title: 'List loaded models',
  scope: 'read',
  effects: READS_ONLY,
  description: 'List the loaded models with their type, size, configuration and version.',
  input: z.object({}),
  output: answer({
    models: z.array(modelSummaryOut).describe('The caller’s loaded models'),
    count: count('How many models there are'),
  }),
  workFormula: 'fixed',
  work: fixedWork,
  async handle(_input, context) {
    const models = await context.services.store.models.list(context.tenant);
    return { models: models.map(describeModel), count: models.length };
  },
});

export const deleteModel = defineOperation({
  name: 'delete_model',
  title: 'Delete a model',
  scope: 'write',
  // A second call finds no model (404) and changes nothing more.
  effects: { readOnly: false, destructive: true, idempotent: true, openWorld: false },
  description: 'Remove a loaded model and free its memory.',
  input: z.object({ model_id: modelIdSchema.describe('The id of the model to remove') }),
  output: answer({
    model_id: modelIdOut.describe('The id of the model removed'),
    deleted: z.literal(true).describe('Always true: an unknown id is a not_found error instead'),
  }),
  workFormula: 'fixed',
  work: fixedWork,
  async handle(input, context) {
    // Another tenant's model is not there for this caller: the same 404 as an id never used.
    if (!(await context.services.store.models.delete(input.model_id, context.tenant))) {
      throw new DredgeError('not_found', `Model not found: ${input.model_id}`);
    }
    return { model_id: input.model_id, deleted: true as const };
  },
});

/**
 * The work of get_parameters, per parameter: writing a value as JSON costs about 100 ns (a 2.6 M-parameter network
 * took 345 ms of the event loop), a hundred multiply-adds' time. Above COMPUTE_INLINE_WORK (10,000 parameters at its
 * default) the JSON is written on the compute pool.
 */
export const REPORT_WORK_PER_PARAMETER = 100;

/** A tensor's values as JSON carries them: nested arrays shaped like it, a plain number for a one-value tensor. */
type TensorValue = number | null | TensorValue[];
const tensorValueOut: z.ZodType<TensorValue> = z
  .lazy(() => z.union([z.number().nullable(), z.array(tensorValueOut)]))
  .meta({
    id: 'TensorValue',
    description:
      'The values, nested as the shape says (a plain number for a one-value tensor; null where not finite)',
  });

export const getParameters = defineModelOperation({
  name: 'get_parameters',
  title: 'Get model parameters',
  scope: 'read',
  effects: READS_ONLY,
  description: "A model's parameters by PyTorch name, with values, shapes and requires_grad.",
  input: z.object({
    model_id: modelIdSchema.describe('The id of a loaded model, as load_model answered it'),
    version: modelVersionSchema
      .optional()
      .describe(
        'A kept version of the model to report, by its version number (a whole number from 0; ' +
          'list_model_versions lists the kept ones, at most MODEL_VERSIONS_KEPT); the current one when omitted',
      ),
  }),
  output: answer({
    model_id: modelIdOut,
    model_type: modelTypeOut,
    n_parameters: parameterCountOut,
    version: versionOut,
    parameters: z
      .record(
        z.string(),
        z.object({
          value: tensorValueOut,
          shape: z.array(count('A dimension')).describe('The tensor’s shape, as PyTorch gives it'),
          requires_grad: z.boolean().describe('Whether training changes it (true for every parameter)'),
        }),
      )
      .describe(
        'Every parameter tensor by its PyTorch name (A, k, waves.0.A, head.weight, network.0.weight, …)',
      ),
  }),
  model: (input) => input.model_id,
  modelVersion: (input) => input.version,
  workFormula: `${REPORT_WORK_PER_PARAMETER} × parameters`,
  work: (_input, { model }) => REPORT_WORK_PER_PARAMETER * model.parameterCount,
  async handle(_input, context, registered) {
    const { model } = registered;
    const answer = {
      model_id: registered.id,
      model_type: registered.type,
      n_parameters: model.parameterCount,
      version: model.version,
    };
    if (!context.offLoop) {
      return { ...answer, parameters: reportParameters(model) };
    }
    const bytes = await context.services.compute.report(model, answer, context.signal);
    // Sent as the bytes the thread wrote: megabytes of numbers never become a string on the event loop.
    return JsonText.joined([bytes]);
  },
});
