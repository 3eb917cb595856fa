import type { AnyModel, Dataset } from '../../../core/index.js';
import type { RegisteredModel } from '../../../services/store/model-registry.js';
import { DATASET_NAMES, defaultDataset, loadDataset, type DatasetName } from '../../operations/datasets.js';

/** Points a fit curve may have: enough for the 1000-point chirp, few enough to send every poll. */
export const MIN_FIT_POINTS = 10;
export const MAX_FIT_POINTS = 2000;
export const DEFAULT_FIT_POINTS = 1000;
/**
 * Most rows × parameters one fit evaluates (tens of milliseconds on this event loop). A data set the model is too
 * large for is evaluated on evenly spaced rows instead, at least MIN_FIT_POINTS of them, so that no request for a
 * picture can hold up the server.
 */
export const MAX_FIT_WORK = 5e7;

/** A model's fit to its data set, as the dashboard plots it (the original drew it with matplotlib). */
export interface ModelFit {
  readonly model_id: string;
  readonly model_type: string;
  readonly version: number;
  /** The data set's name, how many rows it has, and how many were evaluated (fewer only for very large models). */
  readonly dataset: string;
  readonly rows: number;
  readonly rows_evaluated: number;
  /** What the horizontal axis is: an input column (`x`) when the data vary along one, else the data's rank. */
  readonly x_label: string;
  readonly x: number[];
  readonly data: number[];
  readonly prediction: number[];
  /** Which output is plotted, of how many (the interference basis can have several). */
  readonly output: number;
  readonly outputs: number;
  /** Mean squared error over every row evaluated and every output, not only the points plotted. */
  readonly mse: number;
  /** The last training's loss curve, or null when the model has not been trained. */
  readonly training: {
    readonly dataset: string;
    readonly epochs: number;
    readonly initial_loss: number;
    readonly final_loss: number;
    readonly loss_epochs: readonly number[];
    readonly losses: readonly number[];
    readonly trained_at: string;
  } | null;
}

/** The catalogue's data set names, by the name a generated data set carries (what `train` reports). */
const BY_GENERATED_NAME: Readonly<Record<string, DatasetName>> = {
  chirp_1d: 'chirp',
  grid_4d: 'grid4d',
  grid_6d: 'grid6d',
  string_modes: 'string_modes',
  wave_packet: 'wave_packet',
};

/**
 * Runs the model over the data set it was last trained on (or its own, when it was trained on request data or not
 * at all) and thins the result to at most `points` points. With one varying input the curves run along it;
 * otherwise the rows are sorted by their data value, so the data are a rising curve and the prediction's distance
 * from it is the error.
 */
export function modelFit(registered: RegisteredModel, points: number): ModelFit {
  const { model, training } = registered;
  const whole = loadDataset(fitDatasetName(model, training?.dataset), model);
  const dataset = withinWork(whole, model);
  const prediction = model.forward(dataset.input);
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
    training: training
      ? {
          dataset: training.dataset,
          epochs: training.epochs,
          initial_loss: training.initialLoss,
          final_loss: training.finalLoss,
          loss_epochs: training.lossEpochs,
          losses: training.losses,
          trained_at: training.trainedAt,
        }
      : null,
  };
}

function fitDatasetName(model: AnyModel, trainedOn: string | undefined): DatasetName {
  const named = trainedOn === undefined ? undefined : BY_GENERATED_NAME[trainedOn];
  return named && DATASET_NAMES.includes(named) ? named : defaultDataset(model);
}

/** The data set itself, or evenly spaced rows of it when evaluating all would exceed MAX_FIT_WORK. */
function withinWork(dataset: Dataset, model: AnyModel): Dataset {
  const affordable = Math.max(MIN_FIT_POINTS, Math.floor(MAX_FIT_WORK / model.parameterCount));
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

function meanSquaredError(prediction: Float64Array, target: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < prediction.length; i++) {
    const residual = (prediction[i] as number) - (target[i] as number);
    sum += residual * residual;
  }
  return prediction.length === 0 ? 0 : sum / prediction.length;
}
