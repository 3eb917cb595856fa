import { z } from 'zod';
import { meanSquaredError, type AnyModel, type Dataset, type ModelInput } from '../../core/index.js';
import type { RegisteredModel } from '../../services/store/index.js';
import { cachedAnswer, count, instant, modelIdOut, modelTypeOut, real, versionOut } from './answer.js';
import { datasetNamed, datasetRows, defaultDataset, loadDataset } from './datasets.js';
import { modelIdSchema } from './model-ref.js';
import { READS_ONLY, defineModelOperation, type OperationContext, type ResultOf } from './operation.js';
import { wholeNumber } from './schema.js';

/** Points a fit curve may have: enough for the 1000-point chirp, few enough to send every poll. */
export const MIN_FIT_POINTS = 10;
export const MAX_FIT_POINTS = 2000;
export const DEFAULT_FIT_POINTS = 1000;
/**
 * Most rows × parameters one fit evaluates (tens of milliseconds of computing). A data set the model is too large
 * for is evaluated on evenly spaced rows instead, at least MIN_FIT_POINTS of them, so that no request for a
 * picture can occupy a compute thread for long.
 */
export const MAX_FIT_WORK = 5e7;

/** A model's fit to its data set, as the dashboard plots it (the original drew it with matplotlib). */
const modelFitAnswer = cachedAnswer({
  model_id: modelIdOut,
  model_type: modelTypeOut,
  version: versionOut,
  dataset: z
    .string()
    .describe('The data set evaluated: that of the last training when built in, else the model’s own'),
  rows: count('Rows of the data set'),
  rows_evaluated: count(
    `Rows evaluated: all of them, or evenly spaced ones when the model is too large (rows × parameters ≤ ${MAX_FIT_WORK})`,
  ),
  x_label: z
    .string()
    .describe('What x is: the input column that varies (x), else "rows sorted by data value" (their rank)'),
  x: z.array(z.number()).describe('The horizontal position of each point plotted'),
  data: z.array(z.number()).describe('The data set’s value at each point (its first output)'),
  prediction: z.array(real('The model’s output')).describe('The model’s first output at each point'),
  output: count('Which output is plotted (always the first, 0)'),
  outputs: count('How many outputs the model has'),
  mse: real('Mean squared error over every row evaluated and every output, not only the points plotted'),
  training: z
    .object({
      dataset: z.string().describe('The data set it was trained on (request: data given in the request)'),
      epochs: count('Epochs trained'),
      initial_loss: real('Mean squared error before the first step'),
      final_loss: real('Mean squared error after the last step'),
      loss_epochs: z.array(count('An epoch')).describe('The epochs of losses'),
      losses: z.array(real('Mean squared error')).describe('The loss curve, thinned'),
      trained_at: instant('When the training ended'),
    })
    .nullable()
    .describe('The last training’s loss curve, or null when the model has not been trained'),
});

/** What model_fit answers, less `success` and `cached`. */
export type ModelFit = ResultOf<typeof modelFitAnswer>;

export const modelFit = defineModelOperation({
  name: 'model_fit',
  title: 'Fit of a model to its data',
  scope: 'read',
  effects: READS_ONLY,
  description:
    "A loaded model's predictions against the data set of its last training (else its own), thinned to at most " +
    "points points, with the mean squared error and the training's loss curve: what the dashboard plots (cached).",
  input: z.object({
    model_id: modelIdSchema.describe('The id of a loaded model, as load_model answered it'),
    points: wholeNumber(MIN_FIT_POINTS, MAX_FIT_POINTS)
      .default(DEFAULT_FIT_POINTS)
      .describe(
        `Most points of the curves (${MIN_FIT_POINTS} to ${MAX_FIT_POINTS}), evenly spaced over the rows`,
      ),
  }),
  output: modelFitAnswer,
  model: (input) => input.model_id,
  workFormula: 'rows evaluated × parameters',
  work: (_input, registered) => rowsEvaluated(registered) * registered.model.parameterCount,
  cache: {
    kind: 'model_fit',
    // Beyond the parameters (the model's fingerprint joins every key), the answer shows the version and training.
    key: (input, registered) => ({
      points: input.points,
      version: registered.model.version,
      trained_at: registered.training?.trainedAt ?? null,
    }),
  },
  handle: (input, context, registered) => fitOf(registered, input.points, context),
});

/**
 * Runs the model over the data set it was last trained on (or its own, when it was trained on request data or not
 * at all) and thins the result to at most `points` points. With one varying input the curves run along it;
 * otherwise the rows are sorted by their data value, so the data are a rising curve and the prediction's distance
 * from it is the error.
 */
async function fitOf(
  registered: RegisteredModel,
  points: number,
  context: OperationContext,
): Promise<ModelFit> {
  const { model } = registered;
  const whole = loadDataset(fitDataset(registered), model);
  const dataset = withinWork(whole, model);
  const prediction = context.offLoop
    ? // The pool takes the columns it is given; the axis below still reads these.
      await context.services.compute.forward(model, copyOf(dataset.input), context.signal)
    : model.forward(dataset.input);
  const outputs = model.outputWidth;
  const data = (row: number) => dataset.target[row * outputs] as number;
  const predicted = (row: number) => prediction[row * outputs] as number;

  const axis = varyingColumn(model, dataset);
  const order = Array.from({ length: dataset.input.size }, (_, row) => row);
  if (axis) order.sort((a, b) => (axis.values[a] as number) - (axis.values[b] as number));
  else order.sort((a, b) => data(a) - data(b));
  const kept = evenlySpaced(order.length, points).map((i) => order[i] as number);

  return {
    model_id: registered.id,
    model_type: registered.type,
    version: model.version,
    dataset: dataset.name,
    rows: whole.input.size,
    rows_evaluated: dataset.input.size,
    x_label: axis ? axis.name : 'rows sorted by data value',
    x: kept.map((row, i) =>
      axis ? (axis.values[row] as number) : evenlySpacedRank(i, kept.length, order.length),
    ),
    data: kept.map(data),
    prediction: kept.map(predicted),
    output: 0,
    outputs,
    mse: meanSquaredError(prediction, dataset.target),
    training: registered.training
      ? {
          dataset: registered.training.dataset,
          epochs: registered.training.epochs,
          initial_loss: registered.training.initialLoss,
          final_loss: registered.training.finalLoss,
          loss_epochs: [...registered.training.lossEpochs],
          losses: [...registered.training.losses],
          trained_at: registered.training.trainedAt,
        }
      : null,
  };
}

/** The data set a fit runs over: the one of the model's last training when it is built in, else the model's own. */
function fitDataset({ model, training }: RegisteredModel) {
  return (training ? datasetNamed(training.dataset) : undefined) ?? defaultDataset(model);
}

/** The most rows a fit of the model evaluates: MAX_FIT_WORK's worth, at least MIN_FIT_POINTS. */
function affordableRows(model: AnyModel): number {
  return Math.max(MIN_FIT_POINTS, Math.floor(MAX_FIT_WORK / model.parameterCount));
}

/** How many rows the model's fit evaluates (its work is these rows × its parameters), without building the data. */
function rowsEvaluated(registered: RegisteredModel): number {
  return Math.min(datasetRows(fitDataset(registered)), affordableRows(registered.model));
}

/** The data set itself, or evenly spaced rows of it when evaluating all would exceed MAX_FIT_WORK. */
function withinWork(dataset: Dataset, model: AnyModel): Dataset {
  const affordable = affordableRows(model);
  if (dataset.input.size <= affordable) return dataset;
  const rows = evenlySpaced(dataset.input.size, affordable);
  const outputs = model.outputWidth;
  const target = new Float64Array(rows.length * outputs);
  rows.forEach((row, i) =>
    target.set(dataset.target.subarray(row * outputs, (row + 1) * outputs), i * outputs),
  );
  return {
    name: dataset.name,
    input: {
      size: rows.length,
      columns: dataset.input.columns.map((column) => Float64Array.from(rows, (row) => column[row] as number)),
    },
    target,
  };
}

function copyOf(input: ModelInput): ModelInput {
  return { size: input.size, columns: input.columns.map((column) => column.slice()) };
}

/** The one input column that varies, with its name, when exactly one does (the chirp's x; its t is constant). */
function varyingColumn(
  model: AnyModel,
  dataset: Dataset,
): { name: string; values: Float64Array } | undefined {
  const varying = dataset.input.columns
    .map((values, index) => ({ name: model.inputNames[index] ?? `input ${index}`, values }))
    .filter(({ values }) => values.some((value) => value !== values[0]));
  return varying.length === 1 ? varying[0] : undefined;
}

/** At most `wanted` indices of 0 … length − 1, evenly spaced, first and last included. */
function evenlySpaced(length: number, wanted: number): number[] {
  if (length <= wanted) return Array.from({ length }, (_, i) => i);
  return Array.from({ length: wanted }, (_, i) => Math.round((i * (length - 1)) / (wanted - 1)));
}

function evenlySpacedRank(i: number, kept: number, length: number): number {
  return kept <= 1 ? 0 : Math.round((i * (length - 1)) / (kept - 1));
}
