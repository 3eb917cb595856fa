import { z } from 'zod';
import {
  DEFAULT_LEARNING_RATE,
  MAX_EPOCHS,
  MAX_GRAD_CLIP_NORM,
  MAX_LEARNING_RATE,
  MAX_SEED,
  MODEL_TYPES,
  QuantizedModel,
  decimateLosses,
  type AnyModel,
  type Dataset,
  type FitResult,
} from '../../core/index.js';
import type { ModelRecipe } from '../../services/compute/index.js';
import { DredgeError } from '../../services/errors.js';
import { trainingHistory } from '../../services/store/index.js';
import {
  answer,
  count,
  deviceOut,
  lossCurveOut,
  modelIdOut,
  modelTypeOut,
  parameterCountOut,
  real,
  versionOut,
} from './answer.js';
import { DATASET_REQUEST_NAMES, datasetRows, defaultDataset, loadDataset } from './datasets.js';
import { MAX_INFERENCE_ROWS, requestRows, toModelInput } from './inference.js';
import { parseModelConfig } from './model-config.js';
import { modelIdSchema } from './model-ref.js';
import { logWarnings, modelRecipe, modelShape } from './models.js';
import { defineModelOperation, defineOperation, type OperationContext } from './operation.js';
import { numberArray, oneOf, parseOrThrow, positiveNumber, wholeNumber } from './schema.js';

/**
 * The most work one training request may ask for, in epochs × rows × parameters: about a minute of this
 * machine's time. It keeps one request from occupying a server, which the original allowed.
 */
export const MAX_TRAINING_WORK = 1e10;

const fitOptions = {
  epochs: wholeNumber(1, MAX_EPOCHS)
    .default(100)
    .describe(`Passes over the whole data set, one Adam step each (1 to ${MAX_EPOCHS})`),
  lr: positiveNumber(MAX_LEARNING_RATE)
    .default(DEFAULT_LEARNING_RATE)
    .describe(`Adam's learning rate (greater than 0, at most ${MAX_LEARNING_RATE})`),
  clip: positiveNumber(MAX_GRAD_CLIP_NORM)
    .optional()
    .describe(
      `Clip the gradient to this L2 norm before each step (greater than 0, at most ${MAX_GRAD_CLIP_NORM}); absent, no clipping`,
    ),
};

const initialLossOut = real('Mean squared error before the first step');
const finalLossOut = real('Mean squared error after the last step');
const datasetOut = z
  .string()
  .describe('The data set fitted: chirp_1d, grid_4d, grid_6d, string_modes, wave_packet, or request');

export const benchmark = defineOperation({
  name: 'benchmark',
  title: 'Benchmark a model type',
  scope: 'write',
  // The model it trains is made for the run and thrown away: nothing stored changes.
  effects: { readOnly: true, destructive: false, idempotent: true, openWorld: false },
  description:
    'Train a fresh model of a type on its data set with Adam (lr 1e-2, MSE) and report the loss curve; works for ' +
    'every model type. config holds epochs (default 100) and the model settings (e.g. n_waves, default 16).',
  input: z.object({
    model_type: oneOf(MODEL_TYPES).describe('The type of the fresh model to train'),
    config: z
      .record(z.string(), z.unknown())
      .default({})
      .describe(
        `epochs (1 to ${MAX_EPOCHS}, default 100) and the model's settings as load_model's config takes them ` +
          '(seed, n_waves, dimensions, …)',
      ),
  }),
  output: answer({
    model_type: modelTypeOut,
    epochs: count('Epochs trained'),
    initial_loss: initialLossOut,
    final_loss: finalLossOut,
    losses: lossCurveOut,
    device: deviceOut,
    dataset: datasetOut,
    n_parameters: parameterCountOut,
  }),
  workFormula: 'params.config.epochs × rows × parameters',
  work(input, _model, context) {
    // The model's shape (nothing drawn) and its data set's rows: what the handler trains, weighed first.
    const { epochs, ...modelSettings } = input.config;
    const parsedEpochs = parseOrThrow(fitOptions.epochs, epochs, 'params.config.epochs');
    const config = parseModelConfig(input.model_type, modelSettings);
    const model = modelShape(modelRecipe(input.model_type, config, context));
    return parsedEpochs * datasetRows(defaultDataset(model)) * model.parameterCount;
  },
  async handle(input, context) {
    const { epochs, ...modelSettings } = input.config;
    const parsedEpochs = parseOrThrow(fitOptions.epochs, epochs, 'params.config.epochs');
    const config = parseModelConfig(input.model_type, modelSettings);
    const recipe = modelRecipe(input.model_type, config, context);
    // The model is made on the pool thread that trains it; its shape (nothing drawn) sizes the work first.
    const model = modelShape(recipe);
    const dataset = loadDataset(defaultDataset(model), model);
    checkTrainingWork(parsedEpochs, dataset, model);
    const { result } = await train(
      recipe,
      dataset,
      { epochs: parsedEpochs, lr: DEFAULT_LEARNING_RATE },
      context,
    );
    return {
      model_type: input.model_type,
      epochs: parsedEpochs,
      initial_loss: result.initialLoss,
      final_loss: result.finalLoss,
      losses: decimateLosses(result.losses),
      device: context.services.device.resolution.device,
      dataset: dataset.name,
      n_parameters: model.parameterCount,
    };
  },
});

export const trainModel = defineModelOperation({
  name: 'train',
  title: 'Train a model',
  scope: 'write',
  // Overwrites the model's parameters; each call trains on from where the last left off.
  effects: { readOnly: false, destructive: true, idempotent: false, openWorld: false },
  description:
    'Fit a loaded model to a built-in data set (chirp_1d, grid_4d, grid_6d, string_modes, wave_packet; the first ' +
    "three also as chirp, grid4d, grid6d; default: the model's own) or to data in the request ({inputs, target}), " +
    'with Adam. The trained parameters replace the ' +
    "model's and its version changes, so cached outputs of the old parameters are no longer used. A seed " +
    'first re-initialises the parameters, for a reproducible fit. Sends progress while it runs.',
  input: z.object({
    model_id: modelIdSchema.describe('The id of a loaded model, as load_model answered it'),
    dataset: oneOf(DATASET_REQUEST_NAMES)
      .optional()
      .describe(
        "A built-in data set (chirp, grid4d and grid6d are other names of the first three); absent, the model's own. Not with data",
      ),
    data: z
      .object({
        inputs: z
          .record(z.string(), z.unknown())
          .describe(`The inputs, as inference takes them (at most ${MAX_INFERENCE_ROWS} rows)`),
        target: z
          .unknown()
          .describe('The wanted output of every row: [N] numbers, or rows [N][outputs] for several outputs'),
      })
      .optional()
      .describe('Data to fit instead of a built-in data set. Not with dataset'),
    seed: wholeNumber(0, MAX_SEED)
      .optional()
      .describe(
        `Re-initialise the parameters from this seed (0 to ${MAX_SEED}) before training, for a reproducible fit`,
      ),
    ...fitOptions,
  }),
  output: answer({
    model_id: modelIdOut,
    model_type: modelTypeOut,
    dataset: datasetOut,
    epochs: count('Epochs trained'),
    initial_loss: initialLossOut,
    final_loss: finalLossOut,
    losses: lossCurveOut,
    version: versionOut.describe('The model’s version after training'),
    device: deviceOut,
  }),
  model: (input) => input.model_id,
  workFormula: 'params.epochs × rows × parameters',
  work: (input, { model }) =>
    input.epochs *
    (input.data ? requestRows(input.data.inputs) : datasetRows(input.dataset ?? defaultDataset(model))) *
    model.parameterCount,
  async handle(input, context, registered) {
    if (input.dataset && input.data) {
      throw new DredgeError(
        'invalid_input',
        'params.dataset and params.data cannot both be given: choose one',
      );
    }
    // The stored model shapes the data and sizes the work, before any copy of it is made (a seed changes the
    // values, not the shape).
    const { model } = registered;
    if (model instanceof QuantizedModel) {
      throw new DredgeError(
        'invalid_input',
        `params.model_id ${registered.id} is an int8 model, for inference only: train its float source and quantize it again`,
      );
    }
    const dataset = input.data
      ? requestDataset(model, input.data)
      : loadDataset(input.dataset ?? defaultDataset(model), model);
    checkTrainingWork(input.epochs, dataset, model);
    // The pool trains a copy (made on its thread): requests reading the model meanwhile see the old parameters
    // whole, never a half-step. With a seed it trains a fresh model of the same configuration instead.
    const source =
      input.seed === undefined
        ? model
        : modelRecipe(
            registered.type,
            { ...parseModelConfig(registered.type, registered.requestConfig), seed: input.seed },
            context,
          );
    const { model: trained, result } = await train(source, dataset, input, context);
    const stored = await context.services.store.models.update(
      registered.id,
      trained.eval(),
      trainingHistory(dataset.name, result.losses),
    );
    return {
      model_id: stored.id,
      model_type: stored.type,
      dataset: dataset.name,
      epochs: result.epochs,
      initial_loss: result.initialLoss,
      final_loss: result.finalLoss,
      losses: decimateLosses(result.losses),
      version: stored.model.version,
      device: context.services.device.resolution.device,
    };
  },
});

/** Refuses (413) a training of more than MAX_TRAINING_WORK epochs × rows × parameters. */
function checkTrainingWork(epochs: number, dataset: Dataset, model: AnyModel): void {
  const work = epochs * dataset.input.size * model.parameterCount;
  if (work > MAX_TRAINING_WORK) {
    throw new DredgeError(
      'too_large',
      `params.epochs × rows × parameters must be at most ${MAX_TRAINING_WORK.toExponential()} ` +
        `(this request: ${epochs} × ${dataset.input.size} × ${model.parameterCount} = ${work.toExponential(2)})`,
    );
  }
}

/**
 * Trains a copy of a model, or a fresh model of a recipe, on the compute pool (within MAX_TRAINING_WORK, checked by
 * the caller first). The data set's arrays go to the pool thread: the caller must not use them afterwards.
 */
async function train(
  source: AnyModel | ModelRecipe,
  dataset: Dataset,
  options: { epochs: number; lr: number; clip?: number | undefined },
  context: OperationContext,
): Promise<{ model: AnyModel; result: FitResult }> {
  // The whole fit runs on a worker thread, so that this process keeps answering while a model trains.
  const {
    model: trained,
    warnings,
    result,
  } = await context.services.compute.train(source, dataset, {
    epochs: options.epochs,
    learningRate: options.lr,
    ...(options.clip === undefined ? {} : { gradClipNorm: options.clip }),
    progressEvery: Math.max(1, Math.floor(options.epochs / 20)),
    signal: context.signal,
    onProgress: ({ epoch, epochs, loss }) =>
      context.progress({ progress: epoch, total: epochs, message: `epoch ${epoch}/${epochs}: loss ${loss}` }),
  });
  logWarnings(trained.type, warnings, context);
  return { model: trained, result };
}

/** Data given in the request: inputs as inference takes them, and a target per row (and per output). */
function requestDataset(
  model: AnyModel,
  data: { inputs: Record<string, unknown>; target: unknown },
): Dataset {
  const input = toModelInput(model, data.inputs);
  const flat =
    Array.isArray(data.target) && data.target.every(Array.isArray) ? data.target.flat() : data.target;
  const target = parseOrThrow(
    numberArray(MAX_INFERENCE_ROWS * model.outputWidth, 1),
    flat,
    'params.data.target',
  );
  if (target.length !== input.size * model.outputWidth) {
    throw new DredgeError(
      'invalid_input',
      `params.data.target must hold ${input.size * model.outputWidth} values (${input.size} rows × ${model.outputWidth} outputs); it holds ${target.length}`,
    );
  }
  return { name: 'request', input, target: Float64Array.from(target) };
}
