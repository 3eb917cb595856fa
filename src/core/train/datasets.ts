import { cos, exp, powInteger, sin } from '../math/deterministic-math.js';
import {
  MAX_BATCH_SIZE,
  MAX_BASIS_DIM,
  MAX_BASIS_OUT_FEATURES,
  MAX_CHIRP_POINTS,
  MAX_GRID_SIZE_4D,
} from '../limits.js';
import { MAX_GRID_SIZE_6D, MAX_NETWORK_DIMENSIONS, MIN_CHIRP_POINTS, MIN_GRID_SIZE } from '../limits.js';
import type { ModelInput } from '../models/model-input.js';
import { requireInteger } from '../validate.js';
import { SeededRandom } from './random.js';

/**
 * The reference's data sets, generated the way it generates them: in float32, one rounding per tensor
 * operation (Math.fround), with Python scalars rounded to float32 as PyTorch does, and coordinates from an
 * emulation of torch.linspace. The coordinates and the 4D/6D signals then equal golden/data.json bit for bit;
 * chirp values differ from it by at most one float32 ulp (PyTorch's own float32 sin/exp are not correctly
 * rounded). Values are stored in Float64Arrays, which is what the kernels read.
 */

const f = Math.fround;

/** A batch and the values a model should predict for it. */
export interface Dataset {
  readonly name: string;
  readonly input: ModelInput;
  readonly target: Float64Array;
}

/**
 * torch.linspace(start, end, steps) in float32 as PyTorch's CPU kernel computes it on the reference's AVX2
 * machine: the first half counts up from start and the second half down from end (start + step·i with one
 * rounding), except that blocks of 8 lanes (two blocks per loop) add multiples of the step to the block's first
 * value, and the last steps mod 16 values take the scalar path.
 */
export function linspaceFloat32(start: number, end: number, steps: number): Float64Array {
  const a = f(start);
  const b = f(end);
  const step = f((b - a) / (steps - 1));
  const half = Math.floor(steps / 2);
  const scalar = (i: number): number => (i < half ? f(a + step * i) : f(b - step * (steps - 1 - i)));
  const out = new Float64Array(steps);
  const LANES = 8;
  let i = 0;
  for (; i + 2 * LANES <= steps; i += 2 * LANES) {
    for (let block = i; block < i + 2 * LANES; block += LANES) {
      const base = scalar(block);
      for (let lane = 0; lane < LANES; lane++) out[block + lane] = f(base + f(lane * step));
    }
  }
  for (; i < steps; i++) out[i] = scalar(i);
  return out;
}

export interface ChirpData {
  readonly x: Float64Array;
  readonly t: Float64Array;
  readonly y: Float64Array;
}

/**
 * The "glitchy chirp": x on [−10, 10], t = 0, y = sin(0.5x²)·exp(−0.1x²), plus 0.5·sin(20x) on rows
 * ⌊0.5N⌋ … ⌊0.55N⌋ − 1 (500 … 549 for the default 1000 points).
 */
export function generateChirp(points = 1000): ChirpData {
  requireInteger('points', points, MIN_CHIRP_POINTS, MAX_CHIRP_POINTS);
  const x = linspaceFloat32(-10, 10, points);
  const t = new Float64Array(points);
  const y = new Float64Array(points);
  const minusTenth = f(-0.1);
  for (let i = 0; i < points; i++) {
    const x2 = f((x[i] as number) * (x[i] as number));
    y[i] = f(f(sin(f(0.5 * x2))) * f(exp(f(minusTenth * x2))));
  }
  const glitchEnd = Math.trunc(0.55 * points);
  for (let i = Math.trunc(0.5 * points); i < glitchEnd; i++) {
    y[i] = f((y[i] as number) + f(0.5 * f(sin(f(20 * (x[i] as number))))));
  }
  return { x, t, y };
}

export function chirpDataset(points = 1000): Dataset {
  const { x, t, y } = generateChirp(points);
  return { name: 'chirp_1d', input: { size: points, columns: [x, t] }, target: y };
}

/** Row-major ('ij') flattening of a grid with `axes` axes of `size` points each. */
function gridColumns(size: number, axes: number, start: number, end: number): Float64Array[] {
  const line = linspaceFloat32(start, end, size);
  const rows = powInteger(size, axes);
  const columns = Array.from({ length: axes }, () => new Float64Array(rows));
  for (let r = 0; r < rows; r++) {
    let rest = r;
    for (let a = axes - 1; a >= 0; a--) {
      (columns[a] as Float64Array)[r] = line[rest % size] as number;
      rest = Math.floor(rest / size);
    }
  }
  return columns;
}

export interface Grid4dData {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly z: Float64Array;
  readonly t: Float64Array;
  readonly signal: Float64Array;
}

/** size³ points on [−5, 5]³, t = 0, signal exp(−½r²)·sin(2x)·cos(2y)·sin(2z). */
export function generateGrid4d(size = 20): Grid4dData {
  requireInteger('grid_size', size, MIN_GRID_SIZE, MAX_GRID_SIZE_4D);
  const [x, y, z] = gridColumns(size, 3, -5, 5) as [Float64Array, Float64Array, Float64Array];
  const rows = x.length;
  const signal = new Float64Array(rows);
  const minusHalf = f(-0.5);
  for (let i = 0; i < rows; i++) {
    const a = x[i] as number;
    const b = y[i] as number;
    const c = z[i] as number;
    const r2 = f(f(f(a * a) + f(b * b)) + f(c * c));
    let s = f(exp(f(minusHalf * r2)));
    s = f(s * f(sin(f(2 * a))));
    s = f(s * f(cos(f(2 * b))));
    signal[i] = f(s * f(sin(f(2 * c))));
  }
  return { x, y, z, t: new Float64Array(rows), signal };
}

export function grid4dDataset(size = 20): Dataset {
  const g = generateGrid4d(size);
  return { name: 'grid_4d', input: { size: g.x.length, columns: [g.x, g.y, g.z, g.t] }, target: g.signal };
}

export interface Grid6dData {
  readonly x1: Float64Array;
  readonly x2: Float64Array;
  readonly x3: Float64Array;
  readonly x4: Float64Array;
  readonly x5: Float64Array;
  readonly t: Float64Array;
  readonly signal: Float64Array;
}

/** size⁵ points on [−3, 3]⁵, t = 0, signal exp(−0.1r²)·sin(x1 + x2)·cos(x3)·sin(x4 − x5)·cos(x2·x4). */
export function generateGrid6d(size = 8): Grid6dData {
  requireInteger('grid_size', size, MIN_GRID_SIZE, MAX_GRID_SIZE_6D);
  const cols = gridColumns(size, 5, -3, 3) as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  const [x1, x2, x3, x4, x5] = cols;
  const rows = x1.length;
  const signal = new Float64Array(rows);
  const minusTenth = f(-0.1);
  for (let i = 0; i < rows; i++) {
    const a = x1[i] as number;
    const b = x2[i] as number;
    const c = x3[i] as number;
    const d = x4[i] as number;
    const e = x5[i] as number;
    const r2 = f(f(f(f(f(a * a) + f(b * b)) + f(c * c)) + f(d * d)) + f(e * e));
    let s = f(exp(f(minusTenth * r2)));
    s = f(s * f(sin(f(a + b))));
    s = f(s * f(cos(c)));
    s = f(s * f(sin(f(d - e))));
    signal[i] = f(s * f(cos(f(b * d))));
  }
  return { x1, x2, x3, x4, x5, t: new Float64Array(rows), signal };
}

export function grid6dDataset(size = 8): Dataset {
  const g = generateGrid6d(size);
  const columns = [g.x1, g.x2, g.x3, g.x4, g.x5, g.t];
  return { name: 'grid_6d', input: { size: g.x1.length, columns }, target: g.signal };
}

/**
 * A task for StringTheoryNN (the reference has none): points uniform in [0, 1]^d and, as the target, the mean
 * standing-wave amplitude (1/d)·Σ_c sin((c + 1)·π·x_c) — string modes, one per input dimension.
 */
export function stringModesDataset(dimensions = 10, rows = 256, seed = 0): Dataset {
  requireInteger('dimensions', dimensions, 1, MAX_NETWORK_DIMENSIONS);
  requireInteger('rows', rows, 2, MAX_BATCH_SIZE);
  const random = new SeededRandom(seed);
  const columns = Array.from({ length: dimensions }, () => new Float64Array(rows));
  const target = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    for (let c = 0; c < dimensions; c++) {
      const x = random.uniform();
      (columns[c] as Float64Array)[i] = x;
      sum += sin((c + 1) * Math.PI * x);
    }
    target[i] = sum / dimensions;
  }
  return { name: 'string_modes', input: { size: rows, columns }, target };
}

/**
 * A task for the interference basis: points uniform in [−2, 2]^dim at t = 0 and, for output o, a Gaussian
 * packet carrying a plane wave, exp(−½|x|²)·cos((o + 1)·Σ_d x_d) — what a superposition of the basis' fields
 * can express.
 */
export function wavePacketDataset(dim = 1, outFeatures = 1, rows = 512, seed = 0): Dataset {
  requireInteger('dim', dim, 1, MAX_BASIS_DIM);
  requireInteger('out_features', outFeatures, 1, MAX_BASIS_OUT_FEATURES);
  requireInteger('rows', rows, 1, MAX_BATCH_SIZE);
  const random = new SeededRandom(seed);
  const columns = Array.from({ length: dim + 1 }, () => new Float64Array(rows));
  const target = new Float64Array(rows * outFeatures);
  for (let i = 0; i < rows; i++) {
    let r2 = 0;
    let sum = 0;
    for (let d = 0; d < dim; d++) {
      const x = random.uniformRange(-2, 2);
      (columns[d] as Float64Array)[i] = x;
      r2 += x * x;
      sum += x;
    }
    for (let o = 0; o < outFeatures; o++) target[i * outFeatures + o] = exp(-0.5 * r2) * cos((o + 1) * sum);
  }
  return { name: 'wave_packet', input: { size: rows, columns }, target };
}
