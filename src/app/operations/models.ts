import { z } from 'zod';
import {
  MODEL_TYPES,
  createModel,
  legacyDeviceInfo,
  type AnyModel,
  type ModelType,
} from '../../core/index.js';
import type { RegisteredModel } from '../../services/store/index.js';
import { DredgeError } from '../../services/errors.js';
import { modelOptions, parseModelConfig } from './model-config.js';
import { modelIdSchema, requireModel } from './model-ref.js';
import { defineOperation, type OperationContext } from './operation.js';
import { oneOf } from './schema.js';

const modelType = oneOf(MODEL_TYPES);

/** Builds a model of the type from a validated config, logging any device fallback. */
export function buildModel(
  type: ModelType,
  config: Readonly<Record<string, unknown>>,
  context: OperationContext,
): AnyModel {
  const { compute } = context.services.config;
  return createModel(type, {
    ...modelOptions(config, compute, context.services.device.resolution.device),
    onWarning: (message) => context.logger.warn({ model_type: type }, message),
  });
}

export const loadModel = defineOperation({
  name: 'load_model',
  description:
    'Create a model (Quasimoto waves, ensembles, interference basis or StringTheoryNN) with fresh parameters; ' +
    'answers its id for inference, training and get_parameters.',
  input: z.object({ model_type: modelType, config: z.unknown().optional() }),
  async handle(input, context) {
    const config = parseModelConfig(input.model_type, input.config);
    // Served models answer in evaluation mode (BatchNorm uses its running statistics, and inference changes
    // nothing); `train` switches a copy to training mode for the fit.
    const model = buildModel(input.model_type, config, context).eval();
    const registered = await context.services.store.models.add(input.model_type, model, config);
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

export const listModels = defineOperation({
  name: 'list_models',
  description: 'List the loaded models with their type, size, configuration and version.',
  input: z.object({}),
  async handle(_input, context) {
    const models = await context.services.store.models.list();
    return { models: models.map(describeModel), count: models.length };
  },
});

export const deleteModel = defineOperation({
  name: 'delete_model',
  description: 'Remove a loaded model and free its memory.',
  input: z.object({ model_id: modelIdSchema }),
  async handle(input, context) {
    if (!(await context.services.store.models.delete(input.model_id))) {
      throw new DredgeError('not_found', `Model not found: ${input.model_id}`);
    }
    return { model_id: input.model_id, deleted: true };
  },
});

/** As the original reports them: a one-value tensor (such as head.bias, shape [1]) has a plain number as its value. */
function asReported(parameters: ReturnType<AnyModel['describeParameters']>) {
  return Object.fromEntries(
    Object.entries(parameters).map(([name, description]) => {
      const single = description.shape.reduce((size, n) => size * n, 1) === 1;
      const value = single ? firstNumber(description.value) : description.value;
      return [name, { ...description, value }];
    }),
  );
}

function firstNumber(value: unknown): unknown {
  return Array.isArray(value) ? firstNumber(value[0]) : value;
}

export const getParameters = defineOperation({
  name: 'get_parameters',
  description: "A model's parameters by PyTorch name, with values, shapes and requires_grad.",
  input: z.object({ model_id: modelIdSchema }),
  async handle(input, context) {
    const registered = await requireModel(input.model_id, context);
    return {
      model_id: registered.id,
      model_type: registered.type,
      n_parameters: registered.model.parameterCount,
      version: registered.model.version,
      parameters: asReported(registered.model.describeParameters()),
    };
  },
});
