/**
 * The same computations, run once by Node on src/core and once by Chromium on the portable module, so the two
 * can be compared bit for bit. It imports only types: the browser gets this file alone (compiled to a script by
 * esbuild, see portable-core-browser.test.ts) and passes in the module it loaded, so nothing of the core is
 * compiled into the probe itself.
 */
import type * as Core from '../../src/core/index.js';
import type { CreateModelOptions, ModelBase, ModelInput } from '../../src/core/index.js';

export type CoreModule = typeof Core;
type NestedNumbers = number | NestedNumbers[];

/** The golden inputs the probe computes from (golden/physics.json, waves.json, string_nn.json, training.json). */
export interface ProbeInputs {
  readonly physics: {
    readonly spectra: readonly { params: { max_modes: number; dimensions: number } }[];
    readonly vibrational_modes: readonly { n: number; x: number }[];
    readonly compactification: readonly { dimensions: number; radius: number }[];
    readonly string_parameters: readonly { params: { energy_scale: number; coupling_constant: number } }[];
    readonly unified_inference: readonly {
      params: { dredge_insight: string; quasimoto_coords: number[]; string_modes: number[] };
    }[];
    readonly unified_field_custom: { x_range: [number, number]; num_points: number };
  };
  readonly waves: Readonly<
    Record<
      string,
      { params: Record<string, NestedNumbers>; inputs: Record<string, number[]>; target: NestedNumbers }
    >
  >;
  readonly interferenceBasis: {
    config: { dim: number; num_fields: number; out_features: number };
    params: Record<string, NestedNumbers>;
    inputs: { x: number[][]; t: number[] };
  };
  readonly stringNetworks: readonly {
    config: { dimensions: number; hidden_size: number; num_layers: number; use_batch_norm: boolean };
    state_dict: Record<string, NestedNumbers>;
    input: number[][];
  }[];
  readonly training: {
    optimizer: { lr: number; betas: [number, number]; eps: number };
    initial_params: Record<string, number>;
    losses: number[];
  };
  readonly chirp: { x: number[]; t: number[]; y: number[] };
  /** Models made from a seed alone (test/core/models.ts SMALL_MODELS): their initial values are compared too. */
  readonly seededModels: readonly { label: string; type: string; options: CreateModelOptions }[];
}

/** A result with every number replaced by the hex of its float64 bytes, so −0, NaN payloads and ulps all count. */
export type Encoded = string | boolean | null | Encoded[] | { [key: string]: Encoded };

/** Every answer by name: physics, the seeded and golden models' outputs and gradients, and short trainings. */
export function goldenAnswers(core: CoreModule, inputs: ProbeInputs): Record<string, Encoded> {
  const answers: Record<string, Encoded> = {};
  const put = (name: string, value: unknown) => {
    answers[name] = encode(value);
  };

  const { physics } = inputs;
  for (const { params } of physics.spectra) {
    put(
      `spectrum d=${params.dimensions} n=${params.max_modes}`,
      new core.StringVibration(params.dimensions).modeSpectrum(params.max_modes),
    );
  }
  const string = new core.StringVibration();
  put(
    'vibrational modes',
    physics.vibrational_modes.map(({ n, x }) => string.vibrationalMode(n, x)),
  );
  physics.compactification.forEach(({ dimensions, radius }, i) =>
    put(`compactification ${i}`, new core.StringVibration(dimensions).dimensionalCompactification(radius)),
  );
  physics.string_parameters.forEach(({ params }, i) =>
    put(
      `string parameters ${i}`,
      core.calculateStringParameters(params.energy_scale, params.coupling_constant),
    ),
  );
  physics.unified_inference.forEach(({ params }, i) =>
    put(
      `unified inference ${i}`,
      core.unifiedInference(params.dredge_insight, params.quasimoto_coords, params.string_modes),
    ),
  );
  put('unified inference (defaults)', core.unifiedInference());
  const { x_range, num_points } = physics.unified_field_custom;
  put('unified field', new core.StringQuasimotoIntegration().generateUnifiedField(x_range, num_points));

  for (const [name, c] of Object.entries(inputs.waves)) {
    const heads = c.params['head.weight'];
    const nWaves = heads === undefined ? undefined : flatten(heads).length;
    const model = core.createModel(name, { seed: 1, ...(nWaves === undefined ? {} : { nWaves }) });
    model.loadState(c.params);
    const input = core.inputFromColumns(model.inputNames, c.inputs);
    putForwardAndGradient(put, `golden ${name}`, model, input, Float64Array.from(flatten(c.target)));
  }

  const basis = inputs.interferenceBasis;
  const basisModel = core.createModel('quasimoto_interference_basis', {
    dim: basis.config.dim,
    numFields: basis.config.num_fields,
    outFeatures: basis.config.out_features,
    seed: 1,
  });
  basisModel.loadState(basis.params);
  const rows = core.inputFromRows('x', basis.inputs.x, basis.config.dim);
  const basisInput = { size: rows.size, columns: [...rows.columns, Float64Array.from(basis.inputs.t)] };
  putForwardAndGradient(
    put,
    'golden interference basis',
    basisModel,
    basisInput,
    new Float64Array(basisInput.size * basisModel.outputWidth),
  );

  inputs.stringNetworks.forEach((c, i) => {
    const model = new core.StringTheoryNN({
      dimensions: c.config.dimensions,
      hiddenSize: c.config.hidden_size,
      numLayers: c.config.num_layers,
      useBatchNorm: c.config.use_batch_norm,
      seed: 7,
    });
    model.loadState(c.state_dict);
    const input = core.inputFromRows('input', c.input, c.config.dimensions);
    put(`golden string_theory ${i} train-mode output`, model.forward(input));
    model.eval();
    put(`golden string_theory ${i} eval-mode output`, model.forward(input));
  });

  for (const { label, type, options } of inputs.seededModels) {
    const model = core.createModel(type, { ...options, seed: 11 });
    put(`seeded ${label} initial values`, model.parameters);
    const { input, target } = seededBatch(core, model, 64);
    putForwardAndGradient(put, `seeded ${label}`, model, input, target);
  }

  // Training: the recorded 25 Adam epochs of a 1D wave on the golden chirp, and an ensemble on our own chirp.
  const { training, chirp } = inputs;
  const wave = core.createModel('quasimoto_1d', { seed: 1 });
  wave.loadState(training.initial_params);
  const golden = {
    input: { size: chirp.x.length, columns: [Float64Array.from(chirp.x), Float64Array.from(chirp.t)] },
    target: Float64Array.from(chirp.y),
  };
  const fitted = core.fitSync(wave, golden, {
    epochs: training.losses.length,
    learningRate: training.optimizer.lr,
    betas: training.optimizer.betas,
    eps: training.optimizer.eps,
  });
  put('training 1d wave losses', fitted.losses);
  put('training 1d wave final values', wave.parameters);
  const ensemble = core.createModel('quasimoto_ensemble', { nWaves: 4, seed: 3 });
  const ours = core.chirpDataset(300);
  put('chirp data set', [ours.input.columns, ours.target]);
  put('training ensemble losses', core.fitSync(ensemble, ours, { epochs: 10, gradClipNorm: 1 }).losses);
  put('training ensemble final values', ensemble.parameters);

  // The fast kernels the models use, over a range that crosses their fast and slow paths.
  const angles = Array.from({ length: 257 }, (_, i) => (i - 128) * 0.37 + 1e-3 * i);
  put('fastExp', [...angles.map((x) => core.fastExp(x)), core.fastExp(-710), core.fastExp(710)]);
  put(
    'sincos',
    [...angles, 7000, Number.NaN].flatMap((x) => {
      core.sincos(x);
      return [core.SINCOS[0] as number, core.SINCOS[1] as number];
    }),
  );
  return answers;
}

function putForwardAndGradient(
  put: (name: string, value: unknown) => void,
  label: string,
  model: ModelBase,
  input: ModelInput,
  target: Float64Array,
): void {
  put(`${label} output`, model.forward(input));
  const gradient = new Float64Array(model.parameterCount);
  put(`${label} loss`, model.lossAndGradient(input, target, gradient));
  put(`${label} gradient`, gradient);
}

/** Rows as test/core/models.ts randomBatch makes them: coordinates in [−2, 2], time in [−1, 1]. */
function seededBatch(
  core: CoreModule,
  model: ModelBase,
  rows: number,
): { input: ModelInput; target: Float64Array } {
  const random = new core.SeededRandom(5);
  const columns = model.inputNames.map((name) => {
    const column = new Float64Array(rows);
    for (let i = 0; i < rows; i++)
      column[i] = name === 't' ? random.uniformRange(-1, 1) : random.uniformRange(-2, 2);
    return column;
  });
  const target = new Float64Array(rows * model.outputWidth);
  for (let i = 0; i < target.length; i++) target[i] = random.normal() * 0.5;
  return { input: { size: rows, columns }, target };
}

function flatten(value: NestedNumbers): number[] {
  return Array.isArray(value) ? value.flatMap(flatten) : [value];
}

function hexOf(values: ArrayLike<number>): string {
  const bytes = new Uint8Array(Float64Array.from(values).buffer);
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** Numbers, typed arrays and arrays of numbers become `f64:` and the hex of their bytes; the rest keeps its shape. */
export function encode(value: unknown): Encoded {
  if (typeof value === 'number') return `f64:${hexOf([value])}`;
  if (ArrayBuffer.isView(value)) return `f64:${hexOf(value as unknown as ArrayLike<number>)}`;
  if (Array.isArray(value) && value.every((item) => typeof item === 'number')) return `f64:${hexOf(value)}`;
  if (Array.isArray(value)) return value.map(encode);
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, encode(field)]));
  }
  throw new Error(`cannot encode a ${typeof value}`);
}

/** The float64 values an `encode`d number or vector holds. */
export function decodeFloat64(hex: string): Float64Array {
  const digits = hex.replace(/^f64:/, '');
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return new Float64Array(bytes.buffer);
}
