import type { SeededRandom } from '../train/random.js';
import type { TensorSpec } from './tensor-table.js';

/**
 * Names and initial values of one Quasimoto wave's parameters. The order is PyTorch's registration order:
 * A, k…, omega, v…, log_sigma, phi, epsilon, lmbda…, with one k, v and lmbda per spatial axis.
 */

/** Axis suffixes as the original names them: 1D k/v/lmbda, 4D kx/vx/lmbda_x, 6D k1/v1/lmbda_1. */
function axisNames(dims: number): { k: string[]; v: string[]; lmbda: string[] } {
  if (dims === 1) return { k: ['k'], v: ['v'], lmbda: ['lmbda'] };
  const axes = dims === 3 ? ['x', 'y', 'z'] : Array.from({ length: dims }, (_, d) => String(d + 1));
  return {
    k: axes.map((a) => `k${a}`),
    v: axes.map((a) => `v${a}`),
    lmbda: axes.map((a) => `lmbda_${a}`),
  };
}

export function waveParameterNames(dims: number): string[] {
  const { k, v, lmbda } = axisNames(dims);
  return ['A', ...k, 'omega', ...v, 'log_sigma', 'phi', 'epsilon', ...lmbda];
}

export function waveParameterSpecs(dims: number): TensorSpec[] {
  return waveParameterNames(dims).map((name) => ({ name, shape: [] }));
}

/** Input columns of a wave: x, t / x, y, z, t / x1 … x5, t. */
export function waveInputNames(dims: number): string[] {
  if (dims === 1) return ['x', 't'];
  if (dims === 3) return ['x', 'y', 'z', 't'];
  return [...Array.from({ length: dims }, (_, d) => `x${d + 1}`), 't'];
}

/**
 * The reference's initialisation: A = 1, log_sigma = 0, φ = 0, ε = 0.1, the rest N(0, 1), drawn in parameter
 * order so that a seed fixes the model.
 */
export function initWaveParameters(
  values: Float64Array,
  offset: number,
  dims: number,
  random: SeededRandom,
): void {
  let o = offset;
  values[o++] = 1; // A
  for (let d = 0; d < dims; d++) values[o++] = random.normal(); // k
  values[o++] = random.normal(); // omega
  for (let d = 0; d < dims; d++) values[o++] = random.normal(); // v
  values[o++] = 0; // log_sigma
  values[o++] = 0; // phi
  values[o++] = 0.1; // epsilon
  for (let d = 0; d < dims; d++) values[o++] = random.normal(); // lmbda
}

/** PyTorch's nn.Linear initialisation: weight and then bias, each U(−1/√fan_in, 1/√fan_in). */
export function initLinear(
  values: Float64Array,
  weightOffset: number,
  weightSize: number,
  biasOffset: number,
  biasSize: number,
  fanIn: number,
  random: SeededRandom,
): void {
  const bound = 1 / Math.sqrt(fanIn);
  for (let i = 0; i < weightSize; i++) values[weightOffset + i] = random.uniformRange(-bound, bound);
  for (let i = 0; i < biasSize; i++) values[biasOffset + i] = random.uniformRange(-bound, bound);
}
