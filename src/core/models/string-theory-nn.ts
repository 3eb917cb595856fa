import { tanh } from '../math/deterministic-math.js';
import { resolveDevice, type DeviceName, type HostFacts } from '../device.js';
import { ComputeInputError } from '../errors.js';
import { MAX_HIDDEN_SIZE, MAX_NETWORK_DIMENSIONS, MAX_NUM_LAYERS, MIN_NUM_LAYERS } from '../limits.js';
import { toRandom } from '../train/random.js';
import { requireBoolean, requireInteger } from '../validate.js';
import { columnMean, columnSquares } from './batch-statistics.js';
import { ModelBase, type ModelConfig } from './model.js';
import type { ModelInput } from './model-input.js';
import type { ModelOptions } from './quasimoto-wave.js';
import type { TensorSpec } from './tensor-table.js';
import { initLinear } from './wave-parameters.js';

/** PyTorch's BatchNorm1d defaults. */
export const BATCH_NORM_EPS = 1e-5;
export const BATCH_NORM_MOMENTUM = 0.1;

export interface StringTheoryNNConfig extends ModelConfig {
  readonly dimensions: number;
  readonly hiddenSize: number;
  /** Effective depth after clamping into 1 … 10. */
  readonly numLayers: number;
  readonly useBatchNorm: boolean;
  readonly device: DeviceName;
}

export interface StringTheoryNNOptions extends ModelOptions {
  readonly dimensions?: number;
  readonly hiddenSize?: number;
  /** Any integer; clamped into 1 … 10 as the reference does. */
  readonly numLayers?: number;
  readonly useBatchNorm?: boolean;
  /** auto | cpu | cuda | mps; an accelerator that cannot run the kernels falls back to cpu with a warning. */
  readonly device?: string;
  readonly host?: HostFacts;
  readonly onWarning?: (message: string) => void;
}

export const DEFAULT_STRING_THEORY_NN = Object.freeze({
  dimensions: 10,
  hiddenSize: 64,
  numLayers: 2,
  useBatchNorm: false,
});

interface BatchNormSlots {
  readonly gamma: number;
  readonly beta: number;
  readonly runningMean: number;
  readonly runningVar: number;
  readonly batchesTracked: number;
}

interface HiddenLayer {
  readonly inputs: number;
  readonly weight: number;
  readonly bias: number;
  readonly norm: BatchNormSlots | undefined;
}

/** Activations kept between the forward and backward pass; grows with the batch and is then reused. */
interface Workspace {
  rows: number;
  input: Float64Array;
  /** Per hidden layer: Linear output (pre-norm) and the tanh output. */
  linear: Float64Array[];
  normalized: Float64Array[];
  activation: Float64Array[];
  gradA: Float64Array;
  gradB: Float64Array;
  output: Float64Array;
  /** Per hidden layer: 1/√(var + eps) of the statistics used. */
  invStd: Float64Array[];
}

/**
 * The reference's string-theory MLP: Linear(d → h), [BatchNorm1d], Tanh, then (L − 1) × (Linear(h → h),
 * [BatchNorm1d], Tanh), then Linear(h → 1), as one nn.Sequential named `network`, so parameters are
 * network.0.weight … with the reference's indices. BatchNorm follows PyTorch exactly: in training mode it uses
 * the batch's statistics (biased variance) and updates the running ones (unbiased variance, momentum 0.1,
 * num_batches_tracked + 1); in eval mode it uses the running statistics. Inputs are columns x1 … x_d.
 */
export class StringTheoryNN extends ModelBase {
  readonly type = 'string_theory';
  readonly config: StringTheoryNNConfig;
  readonly inputNames: readonly string[];
  readonly outputWidth = 1;
  /** The device warning produced when the model was created, if any. */
  readonly deviceWarning: string | undefined;
  readonly #layers: HiddenLayer[];
  readonly #outWeight: number;
  readonly #outBias: number;
  #workspace: Workspace | undefined;

  constructor(options: StringTheoryNNOptions = {}) {
    const d = DEFAULT_STRING_THEORY_NN;
    const dimensions = requireInteger(
      'dimensions',
      options.dimensions ?? d.dimensions,
      1,
      MAX_NETWORK_DIMENSIONS,
    );
    const hidden = requireInteger('hidden_size', options.hiddenSize ?? d.hiddenSize, 1, MAX_HIDDEN_SIZE);
    const requestedLayers = requireInteger(
      'num_layers',
      options.numLayers ?? d.numLayers,
      Number.MIN_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER,
    );
    const numLayers = Math.min(Math.max(requestedLayers, MIN_NUM_LAYERS), MAX_NUM_LAYERS);
    const useBatchNorm = requireBoolean('use_batch_norm', options.useBatchNorm ?? d.useBatchNorm);
    const resolution = resolveDevice(options.device ?? 'auto', {
      ...(options.host ? { host: options.host } : {}),
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    });

    const { parameters, buffers } = networkSpecs(dimensions, hidden, numLayers, useBatchNorm);
    super(parameters, buffers, options.values);
    this.config = Object.freeze({
      dimensions,
      hiddenSize: hidden,
      numLayers,
      useBatchNorm,
      device: resolution.device,
    });
    this.deviceWarning = resolution.warning;
    this.inputNames = Array.from({ length: dimensions }, (_, c) => `x${c + 1}`);

    let moduleIndex = 0;
    this.#layers = [];
    for (let l = 0; l < numLayers; l++) {
      const linear = `network.${moduleIndex++}.`;
      let norm: BatchNormSlots | undefined;
      if (useBatchNorm) {
        const bn = `network.${moduleIndex++}.`;
        norm = {
          gamma: this.parameterTable.offsetOf(`${bn}weight`),
          beta: this.parameterTable.offsetOf(`${bn}bias`),
          runningMean: this.bufferTable.offsetOf(`${bn}running_mean`),
          runningVar: this.bufferTable.offsetOf(`${bn}running_var`),
          batchesTracked: this.bufferTable.offsetOf(`${bn}num_batches_tracked`),
        };
      }
      moduleIndex++; // Tanh
      this.#layers.push({
        inputs: l === 0 ? dimensions : hidden,
        weight: this.parameterTable.offsetOf(`${linear}weight`),
        bias: this.parameterTable.offsetOf(`${linear}bias`),
        norm,
      });
    }
    this.#outWeight = this.parameterTable.offsetOf(`network.${moduleIndex}.weight`);
    this.#outBias = this.parameterTable.offsetOf(`network.${moduleIndex}.bias`);
    if (this.drawsInitialValues) this.#initialise(toRandom(options.seed));
  }

  #initialise(random: ReturnType<typeof toRandom>): void {
    const h = this.config.hiddenSize;
    for (const layer of this.#layers) {
      initLinear(this.parameters, layer.weight, h * layer.inputs, layer.bias, h, layer.inputs, random);
      if (layer.norm) {
        this.parameters.fill(1, layer.norm.gamma, layer.norm.gamma + h);
        this.parameters.fill(0, layer.norm.beta, layer.norm.beta + h);
        this.buffers.fill(0, layer.norm.runningMean, layer.norm.runningMean + h);
        this.buffers.fill(1, layer.norm.runningVar, layer.norm.runningVar + h);
        this.buffers[layer.norm.batchesTracked] = 0;
      }
    }
    initLinear(this.parameters, this.#outWeight, h, this.#outBias, 1, h, random);
  }

  /** BatchNorm's batch statistics couple the rows of a batch, so a training batch cannot be split. */
  override get canSplitBatch(): boolean {
    return !(this.config.useBatchNorm && this.training);
  }

  protected forwardRows(input: ModelInput, out: Float64Array): void {
    const ws = this.#run(input);
    out.set(ws.output.subarray(0, input.size));
  }

  protected accumulateRows(
    input: ModelInput,
    target: Float64Array,
    grad: Float64Array,
    start: number,
    end: number,
    scale: number,
  ): number {
    // The forward pass covers the whole batch (BatchNorm needs it); to split a batch without BatchNorm, give
    // each shard its own rows (sliceInput) rather than a range of a larger batch.
    const ws = this.#run(input);
    const rows = input.size;
    const h = this.config.hiddenSize;
    const p = this.parameters;
    // Output layer: dOut_i = scale·r_i for rows in range (others contribute nothing).
    let sse = 0;
    let gOutBias = 0;
    const last = ws.activation[this.#layers.length - 1] as Float64Array;
    const gradA = ws.gradA;
    gradA.fill(0, 0, rows * h);
    for (let i = start; i < end; i++) {
      const r = (ws.output[i] as number) - (target[i] as number);
      sse += r * r;
      const g = scale * r;
      gOutBias += g;
      for (let j = 0; j < h; j++) {
        const wj = this.#outWeight + j;
        grad[wj] = (grad[wj] as number) + g * (last[i * h + j] as number);
        gradA[i * h + j] = g * (p[wj] as number);
      }
    }
    grad[this.#outBias] = (grad[this.#outBias] as number) + gOutBias;

    let upstream = gradA;
    let spare = ws.gradB;
    for (let l = this.#layers.length - 1; l >= 0; l--) {
      const layer = this.#layers[l] as HiddenLayer;
      const A = ws.activation[l] as Float64Array;
      // Through tanh: dY = dA·(1 − A²), in place.
      for (let q = 0; q < rows * h; q++) {
        const a = A[q] as number;
        upstream[q] = (upstream[q] as number) * (1 - a * a);
      }
      if (layer.norm) this.#normBackward(layer.norm, ws, l, upstream, grad, rows);
      // Linear: gW += dZᵀ·in, gb += Σ dZ, dIn = dZ·W.
      const x = l === 0 ? ws.input : (ws.activation[l - 1] as Float64Array);
      const n = layer.inputs;
      for (let j = 0; j < h; j++) {
        let gb = 0;
        const w0 = layer.weight + j * n;
        for (let i = 0; i < rows; i++) {
          const dz = upstream[i * h + j] as number;
          if (dz === 0) continue;
          gb += dz;
          const x0 = i * n;
          for (let c = 0; c < n; c++) grad[w0 + c] = (grad[w0 + c] as number) + dz * (x[x0 + c] as number);
        }
        grad[layer.bias + j] = (grad[layer.bias + j] as number) + gb;
      }
      if (l > 0) {
        spare.fill(0, 0, rows * n);
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < h; j++) {
            const dz = upstream[i * h + j] as number;
            if (dz === 0) continue;
            const w0 = layer.weight + j * n;
            for (let c = 0; c < n; c++)
              spare[i * n + c] = (spare[i * n + c] as number) + dz * (p[w0 + c] as number);
          }
        }
        const swap = upstream;
        upstream = spare;
        spare = swap;
      }
    }
    return sse;
  }

  /** BatchNorm backward, in place on dY → dZ; adds γ and β gradients. */
  #normBackward(
    norm: BatchNormSlots,
    ws: Workspace,
    l: number,
    dY: Float64Array,
    grad: Float64Array,
    rows: number,
  ): void {
    const h = this.config.hiddenSize;
    const xhat = ws.normalized[l] as Float64Array;
    const invStd = ws.invStd[l] as Float64Array;
    const p = this.parameters;
    for (let j = 0; j < h; j++) {
      let sumDy = 0;
      let sumDyXhat = 0;
      for (let i = 0; i < rows; i++) {
        const dy = dY[i * h + j] as number;
        sumDy += dy;
        sumDyXhat += dy * (xhat[i * h + j] as number);
      }
      grad[norm.gamma + j] = (grad[norm.gamma + j] as number) + sumDyXhat;
      grad[norm.beta + j] = (grad[norm.beta + j] as number) + sumDy;
      const gamma = p[norm.gamma + j] as number;
      const s = invStd[j] as number;
      if (this.training) {
        // dZ = γ·s/N · (N·dY − Σ dY − x̂·Σ dY·x̂)
        const meanDy = sumDy / rows;
        const meanDyXhat = sumDyXhat / rows;
        for (let i = 0; i < rows; i++) {
          const q = i * h + j;
          dY[q] = gamma * s * ((dY[q] as number) - meanDy - (xhat[q] as number) * meanDyXhat);
        }
      } else {
        for (let i = 0; i < rows; i++) dY[i * h + j] = (dY[i * h + j] as number) * gamma * s;
      }
    }
  }

  /** Forward pass over the whole batch, keeping activations; updates running statistics in training mode. */
  #run(input: ModelInput): Workspace {
    const rows = input.size;
    const h = this.config.hiddenSize;
    const dims = this.config.dimensions;
    const training = this.training;
    if (this.config.useBatchNorm && training && rows < 2) {
      throw new ComputeInputError('inputs', 'BatchNorm in training mode needs more than one row per batch');
    }
    const ws = this.#workspaceFor(rows);
    for (let c = 0; c < dims; c++) {
      const column = input.columns[c] as Float64Array;
      for (let i = 0; i < rows; i++) ws.input[i * dims + c] = column[i] as number;
    }
    const p = this.parameters;
    let statsChanged = false;
    for (let l = 0; l < this.#layers.length; l++) {
      const layer = this.#layers[l] as HiddenLayer;
      const x = l === 0 ? ws.input : (ws.activation[l - 1] as Float64Array);
      const n = layer.inputs;
      const Z = ws.linear[l] as Float64Array;
      for (let i = 0; i < rows; i++) {
        const x0 = i * n;
        for (let j = 0; j < h; j++) {
          const w0 = layer.weight + j * n;
          let sum = 0;
          for (let c = 0; c < n; c++) sum += (p[w0 + c] as number) * (x[x0 + c] as number);
          Z[i * h + j] = sum + (p[layer.bias + j] as number);
        }
      }
      let Y = Z;
      if (layer.norm) {
        Y = ws.normalized[l] as Float64Array;
        this.#normForward(layer.norm, Z, Y, ws.invStd[l] as Float64Array, rows, training);
        statsChanged ||= training;
      }
      const A = ws.activation[l] as Float64Array;
      const norm = layer.norm;
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < h; j++) {
          const q = i * h + j;
          const y = norm
            ? (p[norm.gamma + j] as number) * (Y[q] as number) + (p[norm.beta + j] as number)
            : (Y[q] as number);
          A[q] = tanh(y);
        }
      }
    }
    const last = ws.activation[this.#layers.length - 1] as Float64Array;
    const bias = p[this.#outBias] as number;
    for (let i = 0; i < rows; i++) {
      let sum = 0;
      for (let j = 0; j < h; j++) sum += (p[this.#outWeight + j] as number) * (last[i * h + j] as number);
      ws.output[i] = sum + bias;
    }
    if (statsChanged) this.markChanged();
    return ws;
  }

  /** x̂ = (z − μ)/√(σ² + eps) with batch statistics (training, and the running ones updated) or running ones. */
  #normForward(
    norm: BatchNormSlots,
    Z: Float64Array,
    xhat: Float64Array,
    invStd: Float64Array,
    rows: number,
    training: boolean,
  ): void {
    const h = this.config.hiddenSize;
    const b = this.buffers;
    for (let j = 0; j < h; j++) {
      let mean: number;
      let s: number;
      if (training) {
        mean = columnMean(Z, rows, h, j);
        const squares = columnSquares(Z, rows, h, j, mean);
        const variance = squares / rows;
        s = 1 / Math.sqrt(variance + BATCH_NORM_EPS);
        const m = BATCH_NORM_MOMENTUM;
        b[norm.runningMean + j] = (1 - m) * (b[norm.runningMean + j] as number) + m * mean;
        b[norm.runningVar + j] = (1 - m) * (b[norm.runningVar + j] as number) + (m * squares) / (rows - 1);
      } else {
        mean = b[norm.runningMean + j] as number;
        s = 1 / Math.sqrt((b[norm.runningVar + j] as number) + BATCH_NORM_EPS);
      }
      invStd[j] = s;
      for (let i = 0; i < rows; i++) xhat[i * h + j] = ((Z[i * h + j] as number) - mean) * s;
    }
    if (training) b[norm.batchesTracked] = (b[norm.batchesTracked] as number) + 1;
  }

  #workspaceFor(rows: number): Workspace {
    const existing = this.#workspace;
    if (existing && existing.rows >= rows) return existing;
    const h = this.config.hiddenSize;
    const widest = Math.max(h, this.config.dimensions);
    const layers = this.#layers.length;
    const perLayer = (): Float64Array[] => Array.from({ length: layers }, () => new Float64Array(rows * h));
    const ws: Workspace = {
      rows,
      input: new Float64Array(rows * this.config.dimensions),
      linear: perLayer(),
      normalized: this.config.useBatchNorm ? perLayer() : [],
      activation: perLayer(),
      gradA: new Float64Array(rows * widest),
      gradB: new Float64Array(rows * widest),
      output: new Float64Array(rows),
      invStd: Array.from({ length: layers }, () => new Float64Array(h)),
    };
    this.#workspace = ws;
    return ws;
  }
}

function networkSpecs(
  dimensions: number,
  hidden: number,
  layers: number,
  batchNorm: boolean,
): { parameters: TensorSpec[]; buffers: TensorSpec[] } {
  const parameters: TensorSpec[] = [];
  const buffers: TensorSpec[] = [];
  let index = 0;
  for (let l = 0; l < layers; l++) {
    const inputs = l === 0 ? dimensions : hidden;
    parameters.push(
      { name: `network.${index}.weight`, shape: [hidden, inputs] },
      { name: `network.${index}.bias`, shape: [hidden] },
    );
    index++;
    if (batchNorm) {
      parameters.push(
        { name: `network.${index}.weight`, shape: [hidden] },
        { name: `network.${index}.bias`, shape: [hidden] },
      );
      buffers.push(
        { name: `network.${index}.running_mean`, shape: [hidden] },
        { name: `network.${index}.running_var`, shape: [hidden] },
        { name: `network.${index}.num_batches_tracked`, shape: [] },
      );
      index++;
    }
    index++; // Tanh
  }
  parameters.push(
    { name: `network.${index}.weight`, shape: [1, hidden] },
    { name: `network.${index}.bias`, shape: [1] },
  );
  return { parameters, buffers };
}
