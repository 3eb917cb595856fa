// DREDGE's computations in the page, by the portable core (/assets/dredge-core.js, the same code the server runs,
// float64 for float64): what the page answers when the server cannot be reached.

let loading;

/** The portable core, loaded on first use (the service worker keeps it, so it loads offline too). */
export function core() {
  loading ??= import('/assets/dredge-core.js').catch((error) => {
    loading = undefined;
    throw new Error(`The portable core could not be loaded (${error.message}).`);
  });
  return loading;
}

/** string_spectrum: E_1 … E_max_modes, as the server answers it (without `cached`). */
export async function stringSpectrum({ max_modes = 10, dimensions = 10 }) {
  const { StringVibration } = await core();
  const energy_spectrum = new StringVibration(dimensions).modeSpectrum(max_modes);
  return { dimensions, max_modes, energy_spectrum };
}

/** unified_inference, as the server answers it (without `cached` and `device`). */
export async function unifiedInference({
  dredge_insight = '',
  quasimoto_coords = [0.5],
  string_modes = [1, 2, 3],
}) {
  const { unifiedInference: infer, requireStringModes } = await core();
  requireStringModes(string_modes);
  for (const [i, value] of quasimoto_coords.entries()) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new Error(`quasimoto_coords[${i}] must be a finite number`);
    }
  }
  return infer(dredge_insight, quasimoto_coords, string_modes);
}

/** The decoded models of this page's life, by model id and version: a bundle is checked and decoded once. */
const decoded = new Map();

/**
 * inference with a kept model's bundle: the inputs read as the server reads them (columns, a missing one [0.0],
 * a one-value one repeated; StringTheoryNN and the interference basis take x as rows) and the output shaped as it
 * shapes it.
 */
export async function inferWithBundle(modelId, version, bytes, inputs) {
  const key = `${modelId}@${version}`;
  if (!decoded.has(key)) {
    const { decodeBundle } = await core();
    decoded.set(
      key,
      decodeBundle(new Uint8Array(bytes)).then((bundle) => bundle.model),
    );
  }
  const model = await decoded.get(key).catch((error) => {
    decoded.delete(key);
    throw error;
  });
  const { inputFromColumns, inputFromRows, shapeOutput } = await core();
  const batch = modelInput(model, inputs, inputFromColumns, inputFromRows);
  return { model_id: modelId, output: shapeOutput(model.forward(batch), model.outputShape(batch.size)) };
}

function modelInput(model, inputs, inputFromColumns, inputFromRows) {
  if (model.type === 'string_theory') {
    return inputFromRows('x', rowsOf(inputs.x), model.config.dimensions);
  }
  if (model.type === 'quasimoto_interference_basis') {
    const rows = rowsOf(inputs.x);
    const columns = broadcast({ t: inputs.t ?? [0.0] }, rows.length);
    for (let d = 0; d < model.config.dim; d++) columns[`x${d + 1}`] = rows.map((row) => row[d]);
    return inputFromColumns(model.inputNames, columns);
  }
  const given = {};
  for (const name of model.inputNames) given[name] = columnOf(inputs[name] ?? [0.0], name);
  const rows = Math.max(...Object.values(given).map((values) => values.length));
  return inputFromColumns(model.inputNames, broadcast(given, rows));
}

function rowsOf(value) {
  if (!Array.isArray(value) || value.length === 0) throw new Error('inputs.x must be an array of rows');
  return value;
}

function columnOf(value, name) {
  if (!Array.isArray(value)) throw new Error(`inputs.${name} must be an array of numbers`);
  return value;
}

function broadcast(columns, rows) {
  const result = {};
  for (const [name, values] of Object.entries(columns)) {
    if (values.length === rows) result[name] = values;
    else if (values.length === 1) result[name] = new Array(rows).fill(values[0]);
    else throw new Error(`inputs.${name} has ${values.length} values; the other inputs have ${rows}`);
  }
  return result;
}
