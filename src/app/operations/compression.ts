import { z } from 'zod';
import {
  DEFAULT_GRANULARITY,
  DEFAULT_LEARNING_RATE,
  GRANULARITIES,
  MAX_LEARNING_RATE,
  MAX_SPARSITY,
  QuantizedModel,
  isCompressibleType,
  type AnyModel,
  type Compression,
  type CompressionRequest,
} from '../../core/index.js';
import { DredgeError } from '../../services/errors.js';
import type { RegisteredModel } from '../../services/store/index.js';
import { answer, count, modelIdOut, modelTypeOut, real } from './answer.js';
import { datasetNamed, datasetRows, defaultDataset, loadDataset, type DatasetName } from './datasets.js';
import { modelIdSchema } from './model-ref.js';
import { defineModelOperation, type OperationContext } from './operation.js';
import { finiteNumber, oneOf, positiveNumber, wholeNumber } from './schema.js';

/** Most fine-tuning epochs prune_model runs (each a full pass over the data set, as train's). */
export const MAX_FINE_TUNE_EPOCHS = 10_000;

const EFFECTS = { readOnly: false, destructive: false, idempotent: false, openWorld: false } as const;

const compressionFacts = {
  model_id: modelIdOut.describe('The id of the new, compressed model'),
  source_model_id: modelIdOut.describe('The id of the model it was made from (unchanged)'),
  model_type: modelTypeOut,
  dataset: z.string().describe('The data set the error was measured on: the source’s (see model_fit)'),
  rows: count('Rows of that data set'),
  bytes_before: count('Bytes of values the store keeps for the source (float64 parameters and buffers)'),
  bytes_after: count('Bytes of values the store keeps for the new model'),
  rmse: real('Root-mean-square difference of the new model’s outputs from the source’s over the data set'),
  max_error: real(
    'Largest absolute difference of the new model’s outputs from the source’s over the data set',
  ),
};

const modelIdField = modelIdSchema.describe(
  'The id of a loaded string_theory, quasimoto_ensemble(_4d, _6d) or quasimoto_interference_basis model',
);

export const quantizeModelOperation = defineModelOperation({
  name: 'quantize_model',
  title: 'Quantise a model to int8',
  scope: 'write',
  effects: EFFECTS,
  description:
    'Make an int8 copy of a float model (post-training affine quantisation, a scale and zero point per output ' +
    'channel or per tensor) as a new model that runs inference from its int8 codes; answers its id, the stored ' +
    'bytes before and after, and its error against the source on the source’s data set. An int8 model cannot be ' +
    'trained: train the source and quantise again.',
  input: z.object({
    model_id: modelIdField,
    granularity: oneOf(GRANULARITIES)
      .default(DEFAULT_GRANULARITY)
      .describe(
        'per_channel (default: a scale per row of each matrix, per parameter across an ensemble’s waves) or ' +
          'per_tensor (one per tensor: fewer bytes, more error)',
      ),
  }),
  output: answer({
    ...compressionFacts,
    granularity: z.enum(GRANULARITIES).describe('How scales are shared in the new model'),
  }),
  model: (input) => input.model_id,
  workFormula: '2 × rows of the data set × parameters',
  work: (_input, registered) => 2 * rowsOf(registered) * registered.model.parameterCount,
  async handle(input, context, registered) {
    const request: CompressionRequest = { kind: 'quantize', granularity: input.granularity };
    const made = await compressed(registered, request, context, {
      quantization: 'int8',
      granularity: input.granularity,
    });
    return { ...made.facts, granularity: input.granularity };
  },
});

export const pruneModelOperation = defineModelOperation({
  name: 'prune_model',
  title: 'Prune a model',
  scope: 'write',
  effects: EFFECTS,
  description:
    'Make a copy of a float model with the given share of its parameters set to zero (magnitude pruning, tensor ' +
    'by tensor), optionally fine-tuned on the source’s data set with the pruned parameters held at zero, as a ' +
    'new model; answers its id, the stored bytes before and after (and of a sparse encoding), and its error ' +
    'against the source on that data set.',
  input: z.object({
    model_id: modelIdField,
    sparsity: finiteNumber(0, MAX_SPARSITY).describe(
      `The share of parameters to set to zero, from 0 to ${MAX_SPARSITY} (0.5: half of them)`,
    ),
    fine_tune_epochs: wholeNumber(0, MAX_FINE_TUNE_EPOCHS)
      .default(0)
      .describe(
        `Adam epochs on the source’s data set after pruning, 0 to ${MAX_FINE_TUNE_EPOCHS} (default 0: none)`,
      ),
    lr: positiveNumber(MAX_LEARNING_RATE)
      .default(DEFAULT_LEARNING_RATE)
      .describe(`Fine-tuning’s learning rate (greater than 0, at most ${MAX_LEARNING_RATE})`),
  }),
  output: answer({
    ...compressionFacts,
    sparsity: z
      .number()
      .min(0)
      .max(1)
      .describe('The share of the new model’s parameters that are exactly zero'),
    sparse_bytes: count(
      'Bytes of its values as a bitmap of nonzeros plus their float64 values (the store keeps them dense)',
    ),
    fine_tune_epochs: count('Fine-tuning epochs run'),
    fine_tune_initial_loss: real('Loss on the data set before the first fine-tuning step').optional(),
    fine_tune_final_loss: real('Loss on the data set before the last fine-tuning step').optional(),
  }),
  model: (input) => input.model_id,
  workFormula: '(2 + params.fine_tune_epochs) × rows of the data set × parameters',
  work: (input, registered) =>
    (2 + input.fine_tune_epochs) * rowsOf(registered) * registered.model.parameterCount,
  async handle(input, context, registered) {
    const request: CompressionRequest = {
      kind: 'prune',
      sparsity: input.sparsity,
      fineTuneEpochs: input.fine_tune_epochs,
      learningRate: input.lr,
    };
    const made = await compressed(registered, request, context, {});
    const { result } = made;
    return {
      ...made.facts,
      sparsity: result.sparsity ?? 0,
      sparse_bytes: result.sparseBytes ?? result.bytesAfter,
      fine_tune_epochs: input.fine_tune_epochs,
      ...(result.fineTune
        ? {
            fine_tune_initial_loss: result.fineTune.initialLoss,
            fine_tune_final_loss: result.fineTune.finalLoss,
          }
        : {}),
    };
  },
});

/** The data set a model is measured on: that of its last training when built in, else its own (as model_fit). */
function datasetOf({ model, training }: RegisteredModel): DatasetName {
  return (training ? datasetNamed(training.dataset) : undefined) ?? defaultDataset(model);
}

function rowsOf(registered: RegisteredModel): number {
  return datasetRows(datasetOf(registered));
}

/** Refuses (400) a model these operations do not apply to, naming what they take. */
function checkCompressible(model: AnyModel, id: string): void {
  if (model instanceof QuantizedModel) {
    throw new DredgeError(
      'invalid_input',
      `params.model_id ${id} is already an int8 model: quantize or prune its float source instead`,
    );
  }
  if (!isCompressibleType(model.type)) {
    throw new DredgeError(
      'invalid_input',
      `params.model_id ${id} is a ${model.type} model: quantize_model and prune_model take string_theory, ` +
        'quasimoto_ensemble, quasimoto_ensemble_4d, quasimoto_ensemble_6d or quasimoto_interference_basis',
    );
  }
}

/**
 * Compresses the stored model on the compute pool (the copy, the quantisation or pruning, any fine-tuning and both
 * models' passes over the data set all run there) and stores the result as a new model of the caller's tenant,
 * within the registry's bounds and the tenant's quotas (checked before the work, and again on adding it).
 */
async function compressed(
  registered: RegisteredModel,
  request: CompressionRequest,
  context: OperationContext,
  configAdded: Readonly<Record<string, unknown>>,
): Promise<{ result: Omit<Compression, 'model'>; facts: CompressionAnswer }> {
  const { model } = registered;
  checkCompressible(model, registered.id);
  const models = context.services.store.models;
  await models.checkFits(model.parameterCount, context.tenant);
  const dataset = loadDataset(datasetOf(registered), model);
  const { model: made, ...result } = await context.services.compute.compress(
    model,
    request,
    dataset,
    context.signal,
  );
  const stored = await models.add(
    registered.type,
    made,
    { ...registered.requestConfig, ...configAdded },
    context.tenant,
  );
  return {
    result,
    facts: {
      model_id: stored.id,
      source_model_id: registered.id,
      model_type: registered.type,
      dataset: dataset.name,
      rows: dataset.input.size,
      bytes_before: result.bytesBefore,
      bytes_after: result.bytesAfter,
      rmse: result.error.rmse,
      max_error: result.error.max,
    },
  };
}

interface CompressionAnswer {
  readonly model_id: string;
  readonly source_model_id: string;
  readonly model_type: RegisteredModel['type'];
  readonly dataset: string;
  readonly rows: number;
  readonly bytes_before: number;
  readonly bytes_after: number;
  readonly rmse: number;
  readonly max_error: number;
}
