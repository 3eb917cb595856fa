import { z } from 'zod';
import {
  inputFromColumns,
  inputFromRows,
  shapeOutput,
  type AnyModel,
  type ModelInput,
} from '../../core/index.js';
import { JsonText } from '../../services/cache/index.js';
import { DredgeError } from '../../services/errors.js';
import { cachedAnswer, modelIdOut, real } from './answer.js';
import { modelIdLabel, modelIdSchema, modelVersionSchema } from './model-ref.js';
import { READS_ONLY, defineModelOperation } from './operation.js';
import { numberArray, numberMatrix, parseOrThrow } from './schema.js';

/**
 * Most rows in one inference request: 2¹⁵. Reading a request happens on the event loop (about 10 ms a MiB of JSON),
 * so a batch is bounded to what MAX_BODY_BYTES' default carries (a column of 32,768 numbers is about 200 KB);
 * larger batches are several requests. The answer of a large batch is written on a pool thread.
 */
export const MAX_INFERENCE_ROWS = 32_768;
/**
 * The work of writing one number of the answer as JSON (about 0.3 µs, as much as 300 multiply-adds): a batch of
 * many rows through a small model costs more to write than to compute, and is written on the pool when large.
 */
export const ANSWER_WORK_PER_OUTPUT = 300;
/** Inputs up to this many numbers are cached; larger ones cost more to key than to compute. */
export const MAX_CACHED_INFERENCE_VALUES = 10_000;

/**
 * Rows the request's inputs hold, before they are checked: the longest column (a one-value column stands for every
 * row), or the rows of `x`; at least one (a missing column is [0.0]). What the inputs really are is checked when
 * they are read (`toModelInput`); this only weighs them, without reading a value.
 */
export function requestRows(inputs: Readonly<Record<string, unknown>>): number {
  let rows = 1;
  for (const key in inputs) {
    const value = inputs[key];
    if (Array.isArray(value) && value.length > rows) rows = value.length;
  }
  return rows;
}

const column = numberArray(MAX_INFERENCE_ROWS);

/**
 * The inputs, by column or as rows: which keys a model reads depends on its type, so each is described here and
 * checked (with its own sentence) once the model is known, by `toModelInput`.
 */
const inferenceInputs = z
  .record(z.string(), z.unknown())
  .default({})
  .describe(
    'The model’s inputs by name. Single waves and ensembles: x and t (4D: x, y, z, t; 6D: x1 … x5, t), each an ' +
      `array of at most ${MAX_INFERENCE_ROWS} finite numbers, a missing one is [0.0] and a one-value one is ` +
      'repeated for every row. string_theory: x as rows [N][dimensions]. quasimoto_interference_basis: x as rows ' +
      `[N][dim] and t as a column. At most ${MAX_INFERENCE_ROWS} rows.`,
  );

export const inference = defineModelOperation({
  name: 'inference',
  title: 'Run a model',
  scope: 'read',
  effects: READS_ONLY,
  description:
    'Evaluate a loaded model. Waves take columns (1D and ensembles: x, t; 4D: x, y, z, t; 6D: x1…x5, t), a missing ' +
    'column is [0.0] and a one-value column is repeated; StringTheoryNN takes x as rows [N][dimensions]; the ' +
    'interference basis takes x as rows [N][dim] and t as a column (cached).',
  input: z.object({
    model_id: modelIdSchema.describe('The id of a loaded model, as load_model answered it'),
    inputs: inferenceInputs,
    version: modelVersionSchema
      .optional()
      .describe(
        'A kept version of the model to run, by its version number (a whole number from 0; ' +
          'list_model_versions lists the kept ones, at most MODEL_VERSIONS_KEPT); the current one when omitted',
      ),
  }),
  output: cachedAnswer({
    model_id: modelIdOut,
    output: z
      .array(z.union([real('The output of a row'), z.array(real('One output of a row'))]))
      .describe(
        'One entry per row: a number for single waves, an array of the outputs for ensembles, the ' +
          'interference basis and string_theory',
      ),
  }),
  metricLabels: modelIdLabel,
  model: (input) => input.model_id,
  modelVersion: (input) => input.version,
  workFormula: `rows of params.inputs × (parameters + ${ANSWER_WORK_PER_OUTPUT} × outputs per row)`,
  work: (input, { model }) =>
    requestRows(input.inputs) * (model.parameterCount + ANSWER_WORK_PER_OUTPUT * model.outputWidth),
  cache: {
    kind: 'model_inference',
    key: (input) => input.inputs as Record<string, never>,
    when: (input) => countValues(input.inputs) <= MAX_CACHED_INFERENCE_VALUES,
  },
  async handle(input, context, { model }) {
    const batch = toModelInput(model, input.inputs);
    if (!context.offLoop) {
      return {
        model_id: input.model_id,
        output: shapeOutput(model.forward(batch), model.outputShape(batch.size)),
      };
    }
    // A large batch runs on a pool thread, stopped when the client goes away, which also writes its output as
    // JSON bytes: the answer never becomes a string on the event loop.
    const output = await context.services.compute.forwardJson(model, batch, context.signal);
    return JsonText.joined([`{"model_id":${JSON.stringify(input.model_id)},"output":`, output, '}']);
  },
});

/** The request's inputs as the model's columns, checked field by field. */
export function toModelInput(model: AnyModel, inputs: Readonly<Record<string, unknown>>): ModelInput {
  if (model.type === 'string_theory') {
    const width = model.config.dimensions;
    const rows = parseOrThrow(numberMatrix(MAX_INFERENCE_ROWS, width), inputs.x, 'params.inputs.x');
    if (rows.length === 0)
      throw new DredgeError('invalid_input', 'params.inputs.x must have at least one row');
    return inputFromRows('x', rows, width);
  }
  if (model.type === 'quasimoto_interference_basis') {
    const dim = model.config.dim;
    const rows = parseOrThrow(numberMatrix(MAX_INFERENCE_ROWS, dim), inputs.x, 'params.inputs.x');
    const t =
      broadcast({ t: parseOrThrow(column, inputs.t ?? [0.0], 'params.inputs.t') }, rows.length).t ?? [];
    const columns: Record<string, number[]> = { t };
    for (let d = 0; d < dim; d++) columns[`x${d + 1}`] = rows.map((row) => row[d] as number);
    return inputFromColumns(model.inputNames, columns);
  }
  const given: Record<string, number[]> = {};
  for (const name of model.inputNames) {
    // The original: a missing column is [0.0].
    given[name] = parseOrThrow(column, inputs[name] ?? [0.0], `params.inputs.${name}`);
  }
  const rows = Math.max(...Object.values(given).map((values) => values.length));
  return inputFromColumns(model.inputNames, broadcast(given, rows));
}

/** As PyTorch broadcasts: a one-value column stands for every row; any other length must match. */
function broadcast(columns: Record<string, number[]>, rows: number): Record<string, number[]> {
  const result: Record<string, number[]> = {};
  for (const [name, values] of Object.entries(columns)) {
    if (values.length === rows) result[name] = values;
    else if (values.length === 1) result[name] = new Array<number>(rows).fill(values[0] as number);
    else {
      throw new DredgeError(
        'invalid_input',
        `params.inputs.${name} has ${values.length} values; the other inputs have ${rows} (or give one value for all)`,
      );
    }
  }
  return result;
}

/** The numbers the inputs hold, counted only as far as MAX_CACHED_INFERENCE_VALUES (a large batch stops early). */
function countValues(inputs: Readonly<Record<string, unknown>>): number {
  let count = 0;
  for (const value of Object.values(inputs)) {
    if (!Array.isArray(value)) continue;
    for (const item of value) {
      count += Array.isArray(item) ? item.length : 1;
      if (count > MAX_CACHED_INFERENCE_VALUES) return count;
    }
  }
  return count;
}
