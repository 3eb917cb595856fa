import { exp } from '../math/deterministic-math.js';
import { expBlock, sincosBlock } from '../math/fast-math.js';
import { BLOCK, BLOCK_SCRATCH } from './block-scratch.js';

/**
 * Fused kernels of the Quasimoto wave over D spatial dimensions (4D: D = 3, 6D: D = 5):
 *   ψ = A·cos(Σ k_d·x_d − ωt)·exp(−½·Σ (x_d − v_d·t)²/σ²)·sin(φ + ε·cos(Σ λ_d·x_d)),
 * for one wave or a bank of n waves under a linear head. The contract (and why fused loops at all) is the 1D
 * kernels'. Rows go in blocks of 64; per wave the block's D-dimensional sums come first, column by column (loops
 * over d outside loops over rows, so columns are read in order), then its sines, cosines and envelopes
 * (fast-math's block loops), then one pass for values and partials, then the contraction with residuals.
 * (Per-row evaluation with inner loops over d measured the same; fully unrolled 3- and 5-axis copies might
 * gain more, at the price of two more copies of this file.)
 *
 * Derivatives (C = cos u, S = sin u, E the envelope, r² = Σ (x_d − v_d t)², M = sin q, q = φ + ε cos w):
 *   ∂ψ/∂A = C·E·M     ∂ψ/∂k_d = −A·S·E·M·x_d     ∂ψ/∂ω = A·S·E·M·t
 *   ∂ψ/∂v_d = (ψ/σ²)·(x_d − v_d t)·t              ∂ψ/∂log_sigma = (ψ/σ²)·r²
 *   ∂ψ/∂φ = A·C·E·cos q    ∂ψ/∂ε = ∂ψ/∂φ·cos w    ∂ψ/∂λ_d = −∂ψ/∂φ·ε·sin w·x_d
 */

/** Offsets inside one wave's parameter block for D spatial dimensions. */
export interface WaveNdLayout {
  readonly dims: number;
  readonly stride: number;
  readonly k: number;
  readonly omega: number;
  readonly v: number;
  readonly logSigma: number;
  readonly phi: number;
  readonly epsilon: number;
  readonly lmbda: number;
}

export function waveNdLayout(dims: number): WaveNdLayout {
  return {
    dims,
    stride: 5 + 3 * dims,
    k: 1,
    omega: 1 + dims,
    v: 2 + dims,
    logSigma: 2 + 2 * dims,
    phi: 3 + 2 * dims,
    epsilon: 4 + 2 * dims,
    lmbda: 5 + 2 * dims,
  };
}

const PARTIALS_ND = 7;

export interface BankNdScratch {
  readonly partials: Float64Array;
  readonly prediction: Float64Array;
  readonly residual: Float64Array;
  readonly gP: Float64Array;
  readonly gQt: Float64Array;
  readonly gRs: Float64Array;
}

export function createBankNdScratch(waves: number): BankNdScratch {
  const block = (): Float64Array => new Float64Array(BLOCK);
  return {
    partials: new Float64Array(waves * PARTIALS_ND * BLOCK),
    prediction: block(),
    residual: block(),
    gP: block(),
    gQt: block(),
    gRs: block(),
  };
}

/**
 * The block's trigonometry for the wave at p[o], rows b0 … b0+m: u = Σ k_d x_d − ωt, r² = Σ (x_d − v_d t)²,
 * w = Σ λ_d x_d, then sin/cos of u and w, the envelope E = exp(−½r²/σ²) and sin/cos of q = φ + ε cos w.
 */
function evaluateBlock(
  p: Float64Array,
  o: number,
  L: WaveNdLayout,
  xs: readonly Float64Array[],
  t: Float64Array,
  b0: number,
  m: number,
): void {
  const s = BLOCK_SCRATCH;
  const { phase, radius2, distortion } = s;
  const omega = p[o + L.omega] as number;
  for (let i = 0; i < m; i++) {
    phase[i] = -omega * (t[b0 + i] as number);
    radius2[i] = 0;
    distortion[i] = 0;
  }
  for (let d = 0; d < L.dims; d++) {
    const xd = xs[d] as Float64Array;
    const k = p[o + L.k + d] as number;
    const v = p[o + L.v + d] as number;
    const lm = p[o + L.lmbda + d] as number;
    for (let i = 0; i < m; i++) {
      const xi = xd[b0 + i] as number;
      const dd = xi - v * (t[b0 + i] as number);
      phase[i] = (phase[i] as number) + k * xi;
      radius2[i] = (radius2[i] as number) + dd * dd;
      distortion[i] = (distortion[i] as number) + lm * xi;
    }
  }
  const halfInvVar = 0.5 * exp(-2 * (p[o + L.logSigma] as number));
  const phi = p[o + L.phi] as number;
  const eps = p[o + L.epsilon] as number;
  for (let i = 0; i < m; i++) s.envelope[i] = -((radius2[i] as number) * halfInvVar);
  sincosBlock(phase, s.sinPhase, s.cosPhase, m);
  sincosBlock(distortion, s.sinDistortion, s.cosDistortion, m);
  expBlock(s.envelope, s.envelope, m);
  for (let i = 0; i < m; i++) s.modulationArg[i] = phi + eps * (s.cosDistortion[i] as number);
  sincosBlock(s.modulationArg, s.modulation, s.cosModulationArg, m);
}

/**
 * out[i] = Σ_j w_j·ψ_j + bias for a bank with a head (weights at p[head … head+n), bias after them), or
 * ψ for a single wave (waves = 1, head = −1).
 */
export function waveBankNdForward(
  p: Float64Array,
  L: WaveNdLayout,
  waves: number,
  head: number,
  xs: readonly Float64Array[],
  t: Float64Array,
  out: Float64Array,
  start: number,
  end: number,
): void {
  const bias = head >= 0 ? (p[head + waves] as number) : 0;
  for (let b0 = start; b0 < end; b0 += BLOCK) {
    const m = Math.min(BLOCK, end - b0);
    out.fill(bias, b0, b0 + m);
    for (let j = 0; j < waves; j++) {
      const o = j * L.stride;
      evaluateBlock(p, o, L, xs, t, b0, m);
      const w = head >= 0 ? (p[head + j] as number) : 1;
      const A = p[o] as number;
      for (let i = 0; i < m; i++) {
        const c = BLOCK_SCRATCH.cosPhase[i] as number;
        const psi = A * (c * (BLOCK_SCRATCH.envelope[i] as number) * (BLOCK_SCRATCH.modulation[i] as number));
        out[b0 + i] = head >= 0 ? (out[b0 + i] as number) + w * psi : psi;
      }
    }
  }
}

/** Σ r² over rows [start, end) and grad += scale·Σ r·∂prediction/∂θ (see the 1D kernels for the contract). */
export function waveBankNdAccumulate(
  p: Float64Array,
  L: WaveNdLayout,
  waves: number,
  head: number,
  xs: readonly Float64Array[],
  t: Float64Array,
  y: Float64Array,
  start: number,
  end: number,
  scale: number,
  grad: Float64Array,
  s: BankNdScratch,
): number {
  const B = BLOCK;
  const bias = head >= 0 ? (p[head + waves] as number) : 0;
  const { partials, prediction, residual, gP, gQt, gRs } = s;
  let sse = 0;
  let gBias = 0;
  for (let b0 = start; b0 < end; b0 += B) {
    const m = Math.min(B, end - b0);
    prediction.fill(bias, 0, m);
    for (let j = 0; j < waves; j++) {
      const o = j * L.stride;
      evaluateBlock(p, o, L, xs, t, b0, m);
      const w = head >= 0 ? (p[head + j] as number) : 1;
      const A = p[o] as number;
      const invVar = exp(-2 * (p[o + L.logSigma] as number));
      const eps = p[o + L.epsilon] as number;
      const row = j * PARTIALS_ND * B;
      const q = BLOCK_SCRATCH;
      for (let i = 0; i < m; i++) {
        const C = q.cosPhase[i] as number;
        const E = q.envelope[i] as number;
        const M = q.modulation[i] as number;
        const r2 = q.radius2[i] as number;
        const CE = C * E;
        const base = CE * M;
        const psi = A * base;
        const Q = psi * invVar;
        const R = A * CE * (q.cosModulationArg[i] as number);
        partials[row + i] = base;
        partials[row + B + i] = A * (q.sinPhase[i] as number) * E * M;
        partials[row + 2 * B + i] = Q;
        partials[row + 3 * B + i] = Q * r2;
        partials[row + 4 * B + i] = R;
        partials[row + 5 * B + i] = R * (q.cosDistortion[i] as number);
        partials[row + 6 * B + i] = R * eps * (q.sinDistortion[i] as number);
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
      const o = j * L.stride;
      const row = j * PARTIALS_ND * B;
      const w = head >= 0 ? (p[head + j] as number) : 1;
      let sBase = 0;
      let sPt = 0;
      let sQr2 = 0;
      let sR = 0;
      let sRc = 0;
      for (let i = 0; i < m; i++) {
        const g = residual[i] as number;
        const ti = t[b0 + i] as number;
        const P = g * (partials[row + B + i] as number);
        sBase += g * (partials[row + i] as number);
        sPt += P * ti;
        gP[i] = P;
        gQt[i] = g * (partials[row + 2 * B + i] as number) * ti;
        sQr2 += g * (partials[row + 3 * B + i] as number);
        sR += g * (partials[row + 4 * B + i] as number);
        sRc += g * (partials[row + 5 * B + i] as number);
        gRs[i] = g * (partials[row + 6 * B + i] as number);
      }
      for (let d = 0; d < L.dims; d++) {
        const xd = xs[d] as Float64Array;
        const v = p[o + L.v + d] as number;
        let sPx = 0;
        let sQv = 0;
        let sRsx = 0;
        for (let i = 0; i < m; i++) {
          const xi = xd[b0 + i] as number;
          sPx += (gP[i] as number) * xi;
          sQv += (gQt[i] as number) * (xi - v * (t[b0 + i] as number));
          sRsx += (gRs[i] as number) * xi;
        }
        grad[o + L.k + d] = (grad[o + L.k + d] as number) - w * sPx;
        grad[o + L.v + d] = (grad[o + L.v + d] as number) + w * sQv;
        grad[o + L.lmbda + d] = (grad[o + L.lmbda + d] as number) - w * sRsx;
      }
      grad[o] = (grad[o] as number) + w * sBase;
      grad[o + L.omega] = (grad[o + L.omega] as number) + w * sPt;
      grad[o + L.logSigma] = (grad[o + L.logSigma] as number) + w * sQr2;
      grad[o + L.phi] = (grad[o + L.phi] as number) + w * sR;
      grad[o + L.epsilon] = (grad[o + L.epsilon] as number) + w * sRc;
      if (head >= 0) grad[head + j] = (grad[head + j] as number) + (p[o] as number) * sBase;
    }
  }
  if (head >= 0) grad[head + waves] = (grad[head + waves] as number) + gBias;
  return sse;
}
