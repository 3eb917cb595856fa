import { ComputeInputError, ComputeStateError } from '../errors.js';
import { QuasimotoInterferenceBasis } from '../models/interference-basis.js';
import {
  ModelBase,
  type InitialValues,
  type ModelConfig,
  type ModelType,
  type ParameterDescription,
} from '../models/model.js';
import type { ModelInput } from '../models/model-input.js';
import { QuasimotoEnsemble, QuasimotoEnsemble4D, QuasimotoEnsemble6D } from '../models/quasimoto-ensemble.js';
import { BATCH_NORM_EPS, StringTheoryNN, type StringTheoryNNOptions } from '../models/string-theory-nn.js';
import { nestTensor, type Nested, type TensorTable } from '../models/tensor-table.js';
import {
  createInt8Scratch,
  int8BasisForward,
  int8EnsembleForward,
  int8MlpForward,
  type BasisTensors,
  type Int8Scratch,
  type MlpLayer,
  type MlpTensors,
} from './int8-kernels.js';
import { dequantize, quantizeInto, type Int8Weights } from './int8-weights.js';
import {
  ensembleShape,
  groupLayout,
  isGranularity,
  type Granularity,
  type GroupLayout,
  type TensorGroups,
} from './quantization-groups.js';

/** The model types int8 quantisation and pruning apply to. */
export const COMPRESSIBLE_TYPES = [
  'quasimoto_ensemble',
  'quasimoto_ensemble_4d',
  'quasimoto_ensemble_6d',
  'quasimoto_interference_basis',
  'string_theory',
] as const satisfies readonly ModelType[];
export type CompressibleType = (typeof COMPRESSIBLE_TYPES)[number];

export type CompressibleModel =
  QuasimotoEnsemble | QuasimotoEnsemble4D | QuasimotoEnsemble6D | QuasimotoInterferenceBasis | StringTheoryNN;

export function isCompressibleType(type: string): type is CompressibleType {
  return (COMPRESSIBLE_TYPES as readonly string[]).includes(type);
}

/** What a quantised model's configuration adds to its source's: how its values are kept. */
export interface QuantizationConfig extends ModelConfig {
  readonly quantization: 'int8';
  readonly granularity: Granularity;
}

/** The float model of a type with zero values: its layout alone (nothing drawn; allocation is lazy). */
function shapeOf(type: CompressibleType, options: StringTheoryNNOptions): CompressibleModel {
  const withZeros = { ...options, values: 'zeros' as const };
  switch (type) {
    case 'quasimoto_ensemble':
      return new QuasimotoEnsemble(withZeros);
    case 'quasimoto_ensemble_4d':
      return new QuasimotoEnsemble4D(withZeros);
    case 'quasimoto_ensemble_6d':
      return new QuasimotoEnsemble6D(withZeros);
    case 'quasimoto_interference_basis':
      return new QuasimotoInterferenceBasis(withZeros);
    case 'string_theory':
      return new StringTheoryNN(withZeros);
  }
}

/** Float64 slots holding `bytes` bytes. */
const slotsFor = (bytes: number): number => Math.ceil(bytes / 8);

/**
 * A model kept and run in int8: same type, inputs and outputs as its float source, every parameter an int8 code
 * with a scale and zero point per group (see groupLayout). Its `parameters` array is its stored form, read by the
 * kernels through typed views: [scales (G float64) | zero points (G float64) | codes (N int8, padded to 8
 * bytes)], so a store keeps about one byte per parameter and the configuration (`quantization: 'int8'`,
 * `granularity`) tells a reader how to read them. Buffers (BatchNorm's running statistics) stay float64.
 *
 * It is a model for inference only: its values cannot be trained, loaded or set (ComputeStateError), since a
 * gradient step would leave the int8 grid; train the float model and quantise it again. `parameterCount` is the
 * source's (what the model computes with); `describeParameters` reports the values the codes stand for, under
 * the source's names.
 */
export class QuantizedModel<M extends CompressibleModel = CompressibleModel> extends ModelBase {
  readonly type: M['type'];
  readonly config: Readonly<M['config'] & QuantizationConfig>;
  readonly inputNames: readonly string[];
  readonly outputWidth: number;
  readonly layout: GroupLayout;
  readonly weights: Int8Weights;
  /** The source's parameter layout (names and shapes), for reports. */
  readonly sourceTable: TensorTable;
  readonly #run: (input: ModelInput, out: Float64Array) => void;
  readonly #scratch: Int8Scratch = createInt8Scratch();

  constructor(shape: M, granularity: Granularity, values: InitialValues) {
    const layout = groupLayout(shape, granularity);
    const groups = layout.groups.length;
    const count = shape.parameterCount;
    super(
      [
        { name: 'int8.scales', shape: [groups] },
        { name: 'int8.zero_points', shape: [groups] },
        { name: 'int8.codes', shape: [slotsFor(count)] },
      ],
      shape.bufferTable.entries,
      values === 'drawn' ? 'zeros' : values,
    );
    this.type = shape.type;
    this.config = Object.freeze({ ...shape.config, quantization: 'int8' as const, granularity });
    this.inputNames = shape.inputNames;
    this.outputWidth = shape.outputWidth;
    this.layout = layout;
    this.sourceTable = shape.parameterTable;
    const p = this.parameters;
    this.weights = {
      scales: p.subarray(0, groups),
      zeroPoints: p.subarray(groups, 2 * groups),
      codes: new Int8Array(p.buffer, p.byteOffset + 16 * groups, count),
    };
    this.#run = this.#kernelFor(shape);
  }

  /** The parameters the model computes with (its source's), not the float64 slots its codes are packed in. */
  override get parameterCount(): number {
    return this.weights.codes.length;
  }

  /** The float64 values the codes stand for, in the source's layout. */
  dequantized(): Float64Array {
    return dequantize(this.weights, this.layout);
  }

  override describeParameters(): Record<string, ParameterDescription> {
    const values = this.dequantized();
    const result: Record<string, ParameterDescription> = {};
    for (const view of this.sourceTable.entries) {
      result[view.name] = { value: nestTensor(values, view), shape: [...view.shape], requires_grad: false };
    }
    return result;
  }

  override stateDict(): Record<string, Nested> {
    const values = this.dequantized();
    const result: Record<string, Nested> = {};
    for (const view of this.sourceTable.entries) result[view.name] = nestTensor(values, view);
    for (const view of this.bufferTable.entries) result[view.name] = nestTensor(this.buffers, view);
    return result;
  }

  /** Refused: new values would not be codes on this model's grid (quantise a float model instead). */
  override loadState(state: Readonly<Record<string, unknown>>): never {
    throw new ComputeStateError(`${FROZEN}; state of ${Object.keys(state).length} tensors refused`);
  }

  /** Refused, as loadState. */
  override setParameters(values: Float64Array): never {
    throw new ComputeStateError(`${FROZEN}; ${values.length} values refused`);
  }

  protected forwardRows(input: ModelInput, out: Float64Array): void {
    this.#run(input, out);
  }

  protected accumulateRows(): number {
    throw new ComputeStateError(FROZEN);
  }

  #kernelFor(shape: CompressibleModel): (input: ModelInput, out: Float64Array) => void {
    const w = this.weights;
    const scratch = this.#scratch;
    const ensemble = ensembleShape(shape);
    if (ensemble) {
      const dims = shape.inputNames.length - 1;
      const layout = this.layout;
      return (input, out) => {
        const xs = input.columns.slice(0, dims);
        const t = input.columns[dims] as Float64Array;
        int8EnsembleForward(w, layout, { ...ensemble, dims }, xs, t, out, input.size, scratch);
      };
    }
    if (shape instanceof QuasimotoInterferenceBasis) {
      const tensors = basisTensors(shape, this.layout);
      return (input, out) => {
        const xs = input.columns.slice(0, tensors.dim);
        int8BasisForward(
          w,
          tensors,
          xs,
          input.columns[tensors.dim] as Float64Array,
          out,
          input.size,
          scratch,
        );
      };
    }
    if (shape instanceof StringTheoryNN) {
      const tensors = mlpTensors(shape, this.layout);
      return (input, out) =>
        int8MlpForward(w, tensors, this.buffers, this.training, input.columns, out, input.size, scratch);
    }
    throw new ComputeInputError('model_type', `${(shape as ModelBase).type} cannot be quantised`);
  }
}

const FROZEN =
  'an int8 model is for inference only: train its float source and quantise it again (quantize_model)';

function tensor(layout: GroupLayout, name: string): TensorGroups {
  const found = layout.tensors.get(name);
  if (!found) throw new Error(`no tensor named ${name}`);
  return found;
}

function basisTensors(model: QuasimotoInterferenceBasis, layout: GroupLayout): BasisTensors {
  const get = (name: string): TensorGroups => tensor(layout, name);
  return {
    dim: model.config.dim,
    fields: model.config.numFields,
    outputs: model.config.outFeatures,
    logSigma: get('log_sigma'),
    v: get('v'),
    A: get('A'),
    k: get('k'),
    omega: get('omega'),
    phi: get('phi'),
    epsilon: get('epsilon'),
    lmbda: get('lmbda'),
    weight: get('superposition.weight'),
  };
}

/** StringTheoryNN's modules as its nn.Sequential numbers them: Linear, [BatchNorm1d], Tanh per layer, Linear. */
function mlpTensors(model: StringTheoryNN, layout: GroupLayout): MlpTensors {
  const { dimensions, hiddenSize, numLayers, useBatchNorm } = model.config;
  const layers: MlpLayer[] = [];
  let index = 0;
  for (let l = 0; l < numLayers; l++) {
    const linear = `network.${index++}.`;
    let norm: MlpLayer['norm'];
    if (useBatchNorm) {
      const bn = `network.${index++}.`;
      norm = {
        gamma: tensor(layout, `${bn}weight`),
        beta: tensor(layout, `${bn}bias`),
        runningMean: model.bufferTable.offsetOf(`${bn}running_mean`),
        runningVar: model.bufferTable.offsetOf(`${bn}running_var`),
      };
    }
    index++; // Tanh
    layers.push({
      inputs: l === 0 ? dimensions : hiddenSize,
      weight: tensor(layout, `${linear}weight`),
      bias: tensor(layout, `${linear}bias`),
      ...(norm ? { norm } : {}),
    });
  }
  return {
    dimensions,
    hidden: hiddenSize,
    layers,
    outWeight: tensor(layout, `network.${index}.weight`),
    outBias: tensor(layout, `network.${index}.bias`),
    eps: BATCH_NORM_EPS,
  };
}

/** A quantised copy of a float model (its buffers copied, its mode kept); the source is not changed. */
export function quantizeModel<M extends CompressibleModel>(
  source: M,
  granularity: Granularity = DEFAULT_GRANULARITY,
): QuantizedModel<M> {
  if (!isCompressibleType(source.type)) {
    throw new ComputeInputError('model_type', `${(source as ModelBase).type} cannot be quantised`);
  }
  const quantized = new QuantizedModel(source, granularity, 'zeros');
  quantizeInto(source.parameters, quantized.layout, quantized.weights);
  quantized.buffers.set(source.buffers);
  quantized.restoreCounters(0, source.training);
  return quantized;
}

/**
 * Per channel, measured (bench/compression.ts, README): against the float64 model on its data set, the trained
 * 16-wave ensemble's RMSE 4.0e-3 against per tensor's 5.9e-3 (312 bytes against 200), the trained 5-layer
 * StringTheoryNN's 2.0e-3 against 2.3e-3 and a worst case of 3.7e-3 against 5.1e-3 (22.6 kB against 17.6 kB, of
 * 139 kB in float64); a matrix whose rows differ in range gains most (a test holds one such network to less than
 * half per tensor's error). The bytes it adds are a few per cent of the float64 size.
 */
export const DEFAULT_GRANULARITY: Granularity = 'per_channel';

/** The quantised model a stored header describes (its configuration says `quantization: 'int8'`), or undefined. */
export function restoreQuantized(
  type: ModelType,
  options: StringTheoryNNOptions,
  config: Readonly<Record<string, unknown>>,
  values: InitialValues,
): QuantizedModel | undefined {
  if (config['quantization'] === undefined) return undefined;
  const granularity = config['granularity'];
  if (config['quantization'] !== 'int8' || !isGranularity(granularity) || !isCompressibleType(type)) {
    throw new ComputeInputError('model', 'not a serialised DREDGE model: unknown quantization');
  }
  return new QuantizedModel(shapeOf(type, options), granularity, values);
}
