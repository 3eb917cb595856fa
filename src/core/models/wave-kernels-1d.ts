import { exp } from '../math/deterministic-math.js';
import { fastExp, sincos, SINCOS } from '../math/fast-math.js';
import { BLOCK } from './block-scratch.js';

/**
 * Fused kernels of the 1D Quasimoto wave
 *   ψ = A·cos(kx − ωt)·exp(−½((x − vt)/σ)²)·sin(φ + ε·cos(λx)),  σ = e^log_sigma,
 * alone and as a bank of n waves under a linear head (the ensemble).
 *
 * Why hand-written loops: general tensor libraries for JavaScript measured 5–45× slower on these models
 * (TensorFlow.js 330 ms for 100 epochs of the 1D wave, PyTorch 60 ms, one fused loop 7 ms); their cost is in
 * materialising a tensor per intermediate. Here each row is visited once per pass: its value and every partial
 * derivative come from the same three sine/cosine pairs and one exponential, and nothing is allocated.
 * (Computing a block's trigonometry into arrays first, as the 4D/6D kernels do, measured 4–30 % slower in 1D.)
 * Gradients are analytic (derived below) and checked against finite differences in the tests.
 *
 * `*Accumulate` functions return Σ_i r_i² over rows [start, end), with r = prediction − target, and add
 * Σ_i scale·r_i·∂prediction_i/∂θ to grad; with scale = 2/N that is the gradient of the mean squared error.
 * Ranges computed separately add up to the whole (up to rounding), which lets a batch be split across workers.
 */

/** One wave's parameters, in PyTorch's registration order. */
export const WAVE_1D_PARAMETERS = ['A', 'k', 'omega', 'v', 'log_sigma', 'phi', 'epsilon', 'lmbda'] as const;
export const WAVE_1D_STRIDE = WAVE_1D_PARAMETERS.length;

/** Partial derivatives kept per wave and row between the forward and backward halves of an ensemble block. */
const PARTIALS_1D = 8;

export interface Bank1dScratch {
  readonly partials: Float64Array;
  readonly prediction: Float64Array;
  readonly residual: Float64Array;
}

export function createBank1dScratch(waves: number): Bank1dScratch {
  return {
    partials: new Float64Array(waves * PARTIALS_1D * BLOCK),
    prediction: new Float64Array(BLOCK),
    residual: new Float64Array(BLOCK),
  };
}

/** ψ at one row, given σ⁻² instead of log_sigma (the same arithmetic as the gradient passes). */
function waveValue(
  A: number,
  k: number,
  omega: number,
  v: number,
  invVar: number,
  phi: number,
  eps: number,
  lmbda: number,
  xi: number,
  ti: number,
): number {
  sincos(k * xi - omega * ti);
  const C = SINCOS[1] as number;
  const d = xi - v * ti;
  const E = fastExp(-0.5 * d * d * invVar);
  sincos(lmbda * xi);
  sincos(phi + eps * (SINCOS[1] as number));
  return A * (C * E * (SINCOS[0] as number));
}

/** out[i] = ψ(x_i, t_i) for one wave whose parameters start at p[o]. */
export function wave1dForward(
  p: Float64Array,
  o: number,
  x: Float64Array,
  t: Float64Array,
  out: Float64Array,
  start: number,
  end: number,
): void {
  const A = p[o] as number;
  const k = p[o + 1] as number;
  const omega = p[o + 2] as number;
  const v = p[o + 3] as number;
  const invVar = exp(-2 * (p[o + 4] as number));
  const phi = p[o + 5] as number;
  const eps = p[o + 6] as number;
  const lmbda = p[o + 7] as number;
  for (let i = start; i < end; i++) {
    out[i] = waveValue(A, k, omega, v, invVar, phi, eps, lmbda, x[i] as number, t[i] as number);
  }
}

/**
 * One wave, no head: a row's residual is known as soon as its ψ is, so value and gradient come from the same
 * pass. With C = cos u, S = sin u, E the envelope, M = sin q, d = x − vt:
 *   ∂ψ/∂A = C·E·M          ∂ψ/∂k = −A·S·E·M·x     ∂ψ/∂ω = A·S·E·M·t
 *   ∂ψ/∂v = ψ·d·t/σ²       ∂ψ/∂log_sigma = ψ·d²/σ²
 *   ∂ψ/∂φ = A·C·E·cos q    ∂ψ/∂ε = ∂ψ/∂φ·cos w    ∂ψ/∂λ = −∂ψ/∂φ·ε·sin w·x
 */
export function wave1dAccumulate(
  p: Float64Array,
  o: number,
  x: Float64Array,
  t: Float64Array,
  y: Float64Array,
  start: number,
  end: number,
  scale: number,
  grad: Float64Array,
): number {
  const A = p[o] as number;
  const k = p[o + 1] as number;
  const omega = p[o + 2] as number;
  const v = p[o + 3] as number;
  const invVar = exp(-2 * (p[o + 4] as number));
  const phi = p[o + 5] as number;
  const eps = p[o + 6] as number;
  const lmbda = p[o + 7] as number;
  let gA = 0;
  let gk = 0;
  let gOmega = 0;
  let gv = 0;
  let gLogSigma = 0;
  let gPhi = 0;
  let gEps = 0;
  let gLmbda = 0;
  let sse = 0;
  for (let i = start; i < end; i++) {
    const xi = x[i] as number;
    const ti = t[i] as number;
    sincos(k * xi - omega * ti);
    const S = SINCOS[0] as number;
    const C = SINCOS[1] as number;
    const d = xi - v * ti;
    const E = fastExp(-0.5 * d * d * invVar);
    sincos(lmbda * xi);
    const sw = SINCOS[0] as number;
    const cw = SINCOS[1] as number;
    sincos(phi + eps * cw);
    const M = SINCOS[0] as number;
    const cq = SINCOS[1] as number;
    const CE = C * E;
    const base = CE * M;
    const psi = A * base;
    const r = psi - (y[i] as number);
    sse += r * r;
    const g = scale * r;
    gA += g * base;
    const gP = g * A * S * E * M;
    gk -= gP * xi;
    gOmega += gP * ti;
    const gQ = g * psi * invVar * d;
    gv += gQ * ti;
    gLogSigma += gQ * d;
    const gR = g * A * CE * cq;
    gPhi += gR;
    gEps += gR * cw;
    gLmbda -= gR * eps * sw * xi;
  }
  grad[o] = (grad[o] as number) + gA;
  grad[o + 1] = (grad[o + 1] as number) + gk;
  grad[o + 2] = (grad[o + 2] as number) + gOmega;
  grad[o + 3] = (grad[o + 3] as number) + gv;
  grad[o + 4] = (grad[o + 4] as number) + gLogSigma;
  grad[o + 5] = (grad[o + 5] as number) + gPhi;
  grad[o + 6] = (grad[o + 6] as number) + gEps;
  grad[o + 7] = (grad[o + 7] as number) + gLmbda;
  return sse;
}

/**
 * Ensemble forward: out[i] = bias + Σ_j w_j·ψ_j(x_i, t_i), summed in the same order as the gradient pass so
 * both report the same prediction. Waves occupy p[0 … 8n), the head's weights p[8n … 9n), its bias p[9n].
 */
export function waveBank1dForward(
  p: Float64Array,
  waves: number,
  x: Float64Array,
  t: Float64Array,
  out: Float64Array,
  start: number,
  end: number,
): void {
  const head = waves * WAVE_1D_STRIDE;
  const bias = p[head + waves] as number;
  for (let b0 = start; b0 < end; b0 += BLOCK) {
    const b1 = Math.min(end, b0 + BLOCK);
    out.fill(bias, b0, b1);
    for (let j = 0; j < waves; j++) {
      const o = j * WAVE_1D_STRIDE;
      const A = p[o] as number;
      const k = p[o + 1] as number;
      const omega = p[o + 2] as number;
      const v = p[o + 3] as number;
      const invVar = exp(-2 * (p[o + 4] as number));
      const phi = p[o + 5] as number;
      const eps = p[o + 6] as number;
      const lmbda = p[o + 7] as number;
      const w = p[head + j] as number;
      for (let i = b0; i < b1; i++) {
        const psi = waveValue(A, k, omega, v, invVar, phi, eps, lmbda, x[i] as number, t[i] as number);
        out[i] = (out[i] as number) + w * psi;
      }
    }
  }
}

/**
 * Ensemble value and gradient. A row's residual needs every wave's ψ first, so per block the forward half keeps
 * each wave's partial derivatives (8 per row) and the backward half contracts them with the block's residuals.
 * The head weight w_j factors out of wave j's sums, and ∂out/∂w_j = ψ_j = A_j·(C·E·M).
 */
export function waveBank1dAccumulate(
  p: Float64Array,
  waves: number,
  x: Float64Array,
  t: Float64Array,
  y: Float64Array,
  start: number,
  end: number,
  scale: number,
  grad: Float64Array,
  scratch: Bank1dScratch,
): number {
  const head = waves * WAVE_1D_STRIDE;
  const bias = p[head + waves] as number;
  const { partials, prediction, residual } = scratch;
  const B = BLOCK;
  let sse = 0;
  let gBias = 0;
  for (let b0 = start; b0 < end; b0 += B) {
    const m = Math.min(B, end - b0);
    prediction.fill(bias, 0, m);
    for (let j = 0; j < waves; j++) {
      const o = j * WAVE_1D_STRIDE;
      const A = p[o] as number;
      const k = p[o + 1] as number;
      const omega = p[o + 2] as number;
      const v = p[o + 3] as number;
      const invVar = exp(-2 * (p[o + 4] as number));
      const phi = p[o + 5] as number;
      const eps = p[o + 6] as number;
      const lmbda = p[o + 7] as number;
      const w = p[head + j] as number;
      const row = j * PARTIALS_1D * B;
      for (let i = 0; i < m; i++) {
        const xi = x[b0 + i] as number;
        const ti = t[b0 + i] as number;
        sincos(k * xi - omega * ti);
        const S = SINCOS[0] as number;
        const C = SINCOS[1] as number;
        const d = xi - v * ti;
        const E = fastExp(-0.5 * d * d * invVar);
        sincos(lmbda * xi);
        const sw = SINCOS[0] as number;
        const cw = SINCOS[1] as number;
        sincos(phi + eps * cw);
        const M = SINCOS[0] as number;
        const cq = SINCOS[1] as number;
        const CE = C * E;
        const base = CE * M;
        const psi = A * base;
        const P = A * S * E * M;
        const Q = psi * invVar * d;
        const R = A * CE * cq;
        partials[row + i] = base;
        partials[row + B + i] = P * xi;
        partials[row + 2 * B + i] = P * ti;
        partials[row + 3 * B + i] = Q * ti;
        partials[row + 4 * B + i] = Q * d;
        partials[row + 5 * B + i] = R;
        partials[row + 6 * B + i] = R * cw;
        partials[row + 7 * B + i] = R * eps * sw * xi;
        prediction[i] = (prediction[i] as number) + w * psi;
      }
    }
    for (let i = 0; i < m; i++) {
      const r = (prediction[i] as number) - (y[b0 + i] as number);
      sse += r * r;
      const g = scale * r;
      residual[i] = g;
      gBias += g;
    }
    for (let j = 0; j < waves; j++) {
      const row = j * PARTIALS_1D * B;
      let sBase = 0;
      let sPx = 0;
      let sPt = 0;
      let sQt = 0;
      let sQd = 0;
      let sR = 0;
      let sRc = 0;
      let sRs = 0;
      for (let i = 0; i < m; i++) {
        const g = residual[i] as number;
        sBase += g * (partials[row + i] as number);
        sPx += g * (partials[row + B + i] as number);
        sPt += g * (partials[row + 2 * B + i] as number);
        sQt += g * (partials[row + 3 * B + i] as number);
        sQd += g * (partials[row + 4 * B + i] as number);
        sR += g * (partials[row + 5 * B + i] as number);
        sRc += g * (partials[row + 6 * B + i] as number);
        sRs += g * (partials[row + 7 * B + i] as number);
      }
      const o = j * WAVE_1D_STRIDE;
      const w = p[head + j] as number;
      grad[o] = (grad[o] as number) + w * sBase;
      grad[o + 1] = (grad[o + 1] as number) - w * sPx;
      grad[o + 2] = (grad[o + 2] as number) + w * sPt;
      grad[o + 3] = (grad[o + 3] as number) + w * sQt;
      grad[o + 4] = (grad[o + 4] as number) + w * sQd;
      grad[o + 5] = (grad[o + 5] as number) + w * sR;
      grad[o + 6] = (grad[o + 6] as number) + w * sRc;
      grad[o + 7] = (grad[o + 7] as number) - w * sRs;
      grad[head + j] = (grad[head + j] as number) + (p[o] as number) * sBase;
    }
  }
  grad[head + waves] = (grad[head + waves] as number) + gBias;
  return sse;
}
