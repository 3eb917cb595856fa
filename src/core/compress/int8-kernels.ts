import { exp, tanh, twoPiToTheHalf } from '../math/deterministic-math.js';
import { fastExp, sincos, SINCOS } from '../math/fast-math.js';
import { BLOCK } from '../models/block-scratch.js';
import { columnMean, columnSquares } from '../models/batch-statistics.js';
import { wave1dForward } from '../models/wave-kernels-1d.js';
import { waveBankNdForward, waveNdLayout } from '../models/wave-kernels-nd.js';
import type { Int8Weights } from './int8-weights.js';
import type { GroupLayout, TensorGroups } from './quantization-groups.js';

/**
 * Forward kernels that read a model's int8 codes. Matrix-shaped weights (the ensemble's head, the basis'
 * superposition, StringTheoryNN's Linear layers) are multiplied as codes, with the scale applied once per output:
 *   Σ_c w_c·x_c = s·(Σ_c q_c·x_c − z·Σ_c x_c).
 * A wave's or a field's scalars (A, k, ω, …) feed sines and exponentials rather than sums, so they are
 * dequantised where the float kernels read them into locals: per wave and block of rows, per field and row. No
 * float64 copy of the model is ever made; the arithmetic around the codes is the float kernels', so an int8
 * model computes the function of its dequantised values (a test holds the two within rounding).
 */

/** Arrays reused between calls, grown with the batch. */
export interface Int8Scratch {
  tile: Float64Array;
  values: Float64Array;
  sums: Float64Array;
  features: Float64Array;
  hidden: Float64Array[];
}

export function createInt8Scratch(): Int8Scratch {
  const empty = new Float64Array(0);
  return { tile: empty, values: empty, sums: empty, features: empty, hidden: [] };
}

function grown(array: Float64Array, length: number): Float64Array {
  return array.length >= length ? array : new Float64Array(length);
}

function valueAt(w: Int8Weights, index: number, group: number): number {
  return (w.scales[group] as number) * ((w.codes[index] as number) - (w.zeroPoints[group] as number));
}

/** Group of row `row` of a tensor. */
function groupOf(tensor: TensorGroups, row: number): number {
  return tensor.perRow ? tensor.first + row : tensor.first;
}

/** A wave ensemble (1, 3 or 5 spatial axes) under its linear head, rows [0, size). */
export function int8EnsembleForward(
  w: Int8Weights,
  layout: GroupLayout,
  shape: { waves: number; stride: number; dims: number },
  xs: readonly Float64Array[],
  t: Float64Array,
  out: Float64Array,
  size: number,
  scratch: Int8Scratch,
): void {
  const { waves, stride, dims } = shape;
  const perChannel = layout.granularity === 'per_channel';
  const headGroup = layout.groups.length - 2;
  const head = waves * stride;
  const headScale = w.scales[headGroup] as number;
  const headZero = w.zeroPoints[headGroup] as number;
  const bias = valueAt(w, head + waves, headGroup + 1);
  scratch.tile = grown(scratch.tile, stride);
  scratch.values = grown(scratch.values, BLOCK);
  scratch.sums = grown(scratch.sums, BLOCK);
  const { tile, values, sums } = scratch;
  const nd = dims === 1 ? undefined : waveNdLayout(dims);
  const x = xs[0] as Float64Array;
  for (let b0 = 0; b0 < size; b0 += BLOCK) {
    const m = Math.min(BLOCK, size - b0);
    sums.fill(0, 0, m);
    for (let j = 0; j < waves; j++) {
      const o = j * stride;
      for (let c = 0; c < stride; c++) tile[c] = valueAt(w, o + c, perChannel ? c : 0);
      // The wave's values for this block, written at values[0 … m) (rows b0 … b0+m).
      const view = values.subarray(0, m);
      if (nd) {
        const shifted = xs.map((column) => column.subarray(b0, b0 + m));
        waveBankNdForward(tile, nd, 1, -1, shifted, t.subarray(b0, b0 + m), view, 0, m);
      } else {
        wave1dForward(tile, 0, x.subarray(b0, b0 + m), t.subarray(b0, b0 + m), view, 0, m);
      }
      const q = (w.codes[head + j] as number) - headZero;
      for (let i = 0; i < m; i++) sums[i] = (sums[i] as number) + q * (values[i] as number);
    }
    for (let i = 0; i < m; i++) out[b0 + i] = headScale * (sums[i] as number) + bias;
  }
}

/** The interference basis' tensors by name, as the kernel reads them. */
export interface BasisTensors {
  readonly dim: number;
  readonly fields: number;
  readonly outputs: number;
  readonly logSigma: TensorGroups;
  readonly v: TensorGroups;
  readonly A: TensorGroups;
  readonly k: TensorGroups;
  readonly omega: TensorGroups;
  readonly phi: TensorGroups;
  readonly epsilon: TensorGroups;
  readonly lmbda: TensorGroups;
  readonly weight: TensorGroups;
}

const MIN_SIGMA = 1e-3;

/** The interference basis (see interference-kernel.ts for the function), rows [0, size). */
export function int8BasisForward(
  w: Int8Weights,
  T: BasisTensors,
  xs: readonly Float64Array[],
  t: Float64Array,
  out: Float64Array,
  size: number,
  scratch: Int8Scratch,
): void {
  const { dim, fields: F, outputs: O } = T;
  // The shared envelope's 2·dim values, as the float kernel prepares them once per call.
  scratch.tile = grown(scratch.tile, 2 * dim);
  scratch.features = grown(scratch.features, 2 * F);
  const { tile, features } = scratch;
  let prod = 1;
  for (let d = 0; d < dim; d++) {
    const raw = exp(valueAt(w, T.logSigma.view.offset + d, groupOf(T.logSigma, d)));
    const sigma = raw >= MIN_SIGMA ? raw : MIN_SIGMA;
    tile[d] = 1 / sigma;
    tile[dim + d] = valueAt(w, T.v.view.offset + d, groupOf(T.v, d));
    prod *= sigma;
  }
  const invNorm = 1 / (prod * twoPiToTheHalf(dim));
  const width = 2 * F;
  for (let i = 0; i < size; i++) {
    const ti = t[i] as number;
    let s2 = 0;
    for (let d = 0; d < dim; d++) {
      const z =
        (((xs[d] as Float64Array)[i] as number) - (tile[dim + d] as number) * ti) * (tile[d] as number);
      s2 += z * z;
    }
    const env = fastExp(-0.5 * s2) * invNorm;
    let featureSum = 0;
    for (let f = 0; f < F; f++) {
      let phase = -valueAt(w, T.omega.view.offset + f, groupOf(T.omega, f)) * ti;
      let dist = 0;
      const kGroup = groupOf(T.k, f);
      const lGroup = groupOf(T.lmbda, f);
      for (let d = 0; d < dim; d++) {
        const xd = (xs[d] as Float64Array)[i] as number;
        phase += xd * valueAt(w, T.k.view.offset + f * dim + d, kGroup);
        dist += xd * valueAt(w, T.lmbda.view.offset + f * dim + d, lGroup);
      }
      sincos(phase);
      const sn = SINCOS[0] as number;
      const cs = SINCOS[1] as number;
      sincos(dist);
      const cw = SINCOS[1] as number;
      const phi = valueAt(w, T.phi.view.offset + f, groupOf(T.phi, f));
      const eps = valueAt(w, T.epsilon.view.offset + f, groupOf(T.epsilon, f));
      sincos(phi + eps * cw);
      const amplitude = valueAt(w, T.A.view.offset + f, groupOf(T.A, f)) * env * (SINCOS[0] as number);
      const re = amplitude * cs;
      const im = amplitude * sn;
      features[f] = re;
      features[F + f] = im;
      featureSum += re + im;
    }
    for (let o = 0; o < O; o++) {
      const g = groupOf(T.weight, o);
      const w0 = T.weight.view.offset + o * width;
      let acc = 0;
      for (let j = 0; j < width; j++) acc += (w.codes[w0 + j] as number) * (features[j] as number);
      out[i * O + o] = (w.scales[g] as number) * (acc - (w.zeroPoints[g] as number) * featureSum);
    }
  }
}

/** One hidden block of StringTheoryNN: Linear, optional BatchNorm (its buffers' offsets), Tanh. */
export interface MlpLayer {
  readonly inputs: number;
  readonly weight: TensorGroups;
  readonly bias: TensorGroups;
  readonly norm?: {
    readonly gamma: TensorGroups;
    readonly beta: TensorGroups;
    readonly runningMean: number;
    readonly runningVar: number;
  };
}

export interface MlpTensors {
  readonly dimensions: number;
  readonly hidden: number;
  readonly layers: readonly MlpLayer[];
  readonly outWeight: TensorGroups;
  readonly outBias: TensorGroups;
  readonly eps: number;
}

/** y[i, j] = Σ_c w[j, c]·x[i, c] + b[j] from codes: one scale per output channel (or per tensor). */
function int8Linear(
  w: Int8Weights,
  weight: TensorGroups,
  bias: TensorGroups,
  x: Float64Array,
  rows: number,
  inputs: number,
  outputs: number,
  y: Float64Array,
): void {
  const w0 = weight.view.offset;
  for (let i = 0; i < rows; i++) {
    const x0 = i * inputs;
    let rowSum = 0;
    for (let c = 0; c < inputs; c++) rowSum += x[x0 + c] as number;
    for (let j = 0; j < outputs; j++) {
      const g = groupOf(weight, j);
      const r0 = w0 + j * inputs;
      let acc = 0;
      for (let c = 0; c < inputs; c++) acc += (w.codes[r0 + c] as number) * (x[x0 + c] as number);
      const b = valueAt(w, bias.view.offset + j, groupOf(bias, 0));
      y[i * outputs + j] = (w.scales[g] as number) * (acc - (w.zeroPoints[g] as number) * rowSum) + b;
    }
  }
}

/**
 * StringTheoryNN. BatchNorm normalises with the running statistics (`buffers`) in evaluation mode and with the
 * batch's in training mode, as the float model does; an int8 model never updates its statistics.
 */
export function int8MlpForward(
  w: Int8Weights,
  T: MlpTensors,
  buffers: Float64Array,
  training: boolean,
  columns: readonly Float64Array[],
  out: Float64Array,
  rows: number,
  scratch: Int8Scratch,
): void {
  const h = T.hidden;
  scratch.values = grown(scratch.values, rows * T.dimensions);
  const input = scratch.values;
  for (let c = 0; c < T.dimensions; c++) {
    const column = columns[c] as Float64Array;
    for (let i = 0; i < rows; i++) input[i * T.dimensions + c] = column[i] as number;
  }
  while (scratch.hidden.length < 2) scratch.hidden.push(new Float64Array(0));
  scratch.hidden[0] = grown(scratch.hidden[0] as Float64Array, rows * h);
  scratch.hidden[1] = grown(scratch.hidden[1] as Float64Array, rows * h);
  let x = input;
  let y = scratch.hidden[0] as Float64Array;
  let spare = scratch.hidden[1] as Float64Array;
  for (const layer of T.layers) {
    int8Linear(w, layer.weight, layer.bias, x, rows, layer.inputs, h, y);
    if (layer.norm) normalise(w, layer.norm, buffers, training, y, rows, h, T.eps);
    for (let q = 0; q < rows * h; q++) y[q] = tanh(y[q] as number);
    const next = x === input ? spare : x;
    x = y;
    y = next;
    spare = next;
  }
  int8Linear(w, T.outWeight, T.outBias, x, rows, h, 1, out);
}

function normalise(
  w: Int8Weights,
  norm: NonNullable<MlpLayer['norm']>,
  buffers: Float64Array,
  training: boolean,
  z: Float64Array,
  rows: number,
  h: number,
  eps: number,
): void {
  for (let j = 0; j < h; j++) {
    let mean: number;
    let variance: number;
    if (training) {
      mean = columnMean(z, rows, h, j);
      variance = columnSquares(z, rows, h, j, mean) / rows;
    } else {
      mean = buffers[norm.runningMean + j] as number;
      variance = buffers[norm.runningVar + j] as number;
    }
    const s = 1 / Math.sqrt(variance + eps);
    const gamma = valueAt(w, norm.gamma.view.offset + j, groupOf(norm.gamma, 0));
    const beta = valueAt(w, norm.beta.view.offset + j, groupOf(norm.beta, 0));
    for (let i = 0; i < rows; i++) {
      const q = i * h + j;
      z[q] = gamma * (((z[q] as number) - mean) * s) + beta;
    }
  }
}
