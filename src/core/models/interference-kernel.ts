import { exp, twoPiToTheHalf } from '../math/deterministic-math.js';
import { fastExp, sincos, SINCOS } from '../math/fast-math.js';

/**
 * Fused kernel of the Quasimoto interference basis: F complex fields over `dim` spatial axes sharing one
 * anisotropic Gaussian envelope, mixed by a bias-free Linear(2F → O) of their real and imaginary parts:
 *   σ_d = max(e^{log_sigma_d}, 1e-3),  z_d = (x_d − v_d·t)/σ_d,
 *   env = exp(−½ Σ z_d²) / (Π σ_d · (2π)^{dim/2}),
 *   ψ_f = A_f·e^{i(Σ_d k_fd x_d − ω_f t)}·env·sin(φ_f + ε_f·cos(Σ_d λ_fd x_d)),
 *   out = W·[Re ψ, Im ψ].
 * One row at a time: a row's outputs, residuals and every derivative are done before the next row starts.
 */
export interface InterferenceLayout {
  readonly dim: number;
  readonly fields: number;
  readonly outputs: number;
  readonly logSigma: number;
  readonly v: number;
  readonly A: number;
  readonly k: number;
  readonly omega: number;
  readonly phi: number;
  readonly epsilon: number;
  readonly lmbda: number;
  readonly weight: number;
  readonly size: number;
}

export function interferenceLayout(dim: number, fields: number, outputs: number): InterferenceLayout {
  const logSigma = 0;
  const v = dim;
  const A = 2 * dim;
  const k = A + fields;
  const omega = k + fields * dim;
  const phi = omega + fields;
  const epsilon = phi + fields;
  const lmbda = epsilon + fields;
  const weight = lmbda + fields * dim;
  return {
    dim,
    fields,
    outputs,
    logSigma,
    v,
    A,
    k,
    omega,
    phi,
    epsilon,
    lmbda,
    weight,
    size: weight + outputs * 2 * fields,
  };
}

/** PyTorch clamps σ from below; the gradient does not flow through a clamped σ. */
const MIN_SIGMA = 1e-3;

export interface InterferenceScratch {
  readonly invSigma: Float64Array;
  readonly sigmaMask: Float64Array;
  readonly z: Float64Array;
  /** [Re ψ_0 … Re ψ_{F−1}, Im ψ_0 … Im ψ_{F−1}] of the current row. */
  readonly features: Float64Array;
  readonly cos: Float64Array;
  readonly sin: Float64Array;
  readonly cosW: Float64Array;
  readonly sinW: Float64Array;
  readonly modulation: Float64Array;
  readonly cosQ: Float64Array;
  readonly outGrad: Float64Array;
}

export function createInterferenceScratch(L: InterferenceLayout): InterferenceScratch {
  const f = (): Float64Array => new Float64Array(L.fields);
  return {
    invSigma: new Float64Array(L.dim),
    sigmaMask: new Float64Array(L.dim),
    z: new Float64Array(L.dim),
    features: new Float64Array(2 * L.fields),
    cos: f(),
    sin: f(),
    cosW: f(),
    sinW: f(),
    modulation: f(),
    cosQ: f(),
    outGrad: new Float64Array(L.outputs),
  };
}

/** 1/(Π σ_d · (2π)^{dim/2}), filling invSigma and the clamp mask. */
function prepareEnvelope(p: Float64Array, L: InterferenceLayout, s: InterferenceScratch): number {
  let prod = 1;
  for (let d = 0; d < L.dim; d++) {
    const raw = exp(p[L.logSigma + d] as number);
    const sigma = raw >= MIN_SIGMA ? raw : MIN_SIGMA;
    s.sigmaMask[d] = raw >= MIN_SIGMA ? 1 : 0;
    s.invSigma[d] = 1 / sigma;
    prod *= sigma;
  }
  return 1 / (prod * twoPiToTheHalf(L.dim));
}

/** Fills the row's features and per-field trigonometry; returns the envelope. */
function evaluateRow(
  p: Float64Array,
  L: InterferenceLayout,
  xs: readonly Float64Array[],
  ti: number,
  i: number,
  invNorm: number,
  s: InterferenceScratch,
): number {
  let s2 = 0;
  for (let d = 0; d < L.dim; d++) {
    const zd = ((xs[d] as Float64Array)[i] as number) - (p[L.v + d] as number) * ti;
    const z = zd * (s.invSigma[d] as number);
    s.z[d] = z;
    s2 += z * z;
  }
  const env = fastExp(-0.5 * s2) * invNorm;
  const F = L.fields;
  for (let f = 0; f < F; f++) {
    let phase = -(p[L.omega + f] as number) * ti;
    let dist = 0;
    for (let d = 0; d < L.dim; d++) {
      const xd = (xs[d] as Float64Array)[i] as number;
      phase += xd * (p[L.k + f * L.dim + d] as number);
      dist += xd * (p[L.lmbda + f * L.dim + d] as number);
    }
    sincos(phase);
    const sn = SINCOS[0] as number;
    const cs = SINCOS[1] as number;
    sincos(dist);
    const sw = SINCOS[0] as number;
    const cw = SINCOS[1] as number;
    sincos((p[L.phi + f] as number) + (p[L.epsilon + f] as number) * cw);
    const M = SINCOS[0] as number;
    s.cos[f] = cs;
    s.sin[f] = sn;
    s.cosW[f] = cw;
    s.sinW[f] = sw;
    s.modulation[f] = M;
    s.cosQ[f] = SINCOS[1] as number;
    const amplitude = (p[L.A + f] as number) * env * M;
    s.features[f] = amplitude * cs;
    s.features[F + f] = amplitude * sn;
  }
  return env;
}

function rowOutput(p: Float64Array, L: InterferenceLayout, s: InterferenceScratch, o: number): number {
  const width = 2 * L.fields;
  const w0 = L.weight + o * width;
  let sum = 0;
  for (let j = 0; j < width; j++) sum += (p[w0 + j] as number) * (s.features[j] as number);
  return sum;
}

export function interferenceForward(
  p: Float64Array,
  L: InterferenceLayout,
  xs: readonly Float64Array[],
  t: Float64Array,
  out: Float64Array,
  start: number,
  end: number,
  s: InterferenceScratch,
): void {
  const invNorm = prepareEnvelope(p, L, s);
  for (let i = start; i < end; i++) {
    evaluateRow(p, L, xs, t[i] as number, i, invNorm, s);
    for (let o = 0; o < L.outputs; o++) out[i * L.outputs + o] = rowOutput(p, L, s, o);
  }
}

/**
 * Σ r² over rows [start, end) (all outputs) and grad += scale·Σ r·∂out/∂θ. With a_f = gRe_f·cos + gIm_f·sin
 * (gRe, gIm the gradients reaching Re ψ_f and Im ψ_f):
 *   ∂/∂A_f = a_f·env·M_f,   ∂/∂phase_f = A_f·env·M_f·(gIm_f·cos − gRe_f·sin)  (→ k_fd by x_d, ω_f by −t),
 *   ∂/∂q_f = a_f·A_f·env·cos q_f  (→ φ_f, ε_f by cos w_f, λ_fd by −ε_f·sin w_f·x_d),
 *   ∂/∂env = Σ_f a_f·A_f·M_f,  ∂env/∂log_sigma_d = env·(z_d² − 1),  ∂env/∂v_d = env·z_d·t/σ_d.
 */
export function interferenceAccumulate(
  p: Float64Array,
  L: InterferenceLayout,
  xs: readonly Float64Array[],
  t: Float64Array,
  y: Float64Array,
  start: number,
  end: number,
  scale: number,
  grad: Float64Array,
  s: InterferenceScratch,
): number {
  const invNorm = prepareEnvelope(p, L, s);
  const F = L.fields;
  const O = L.outputs;
  const width = 2 * F;
  let sse = 0;
  for (let i = start; i < end; i++) {
    const ti = t[i] as number;
    const env = evaluateRow(p, L, xs, ti, i, invNorm, s);
    for (let o = 0; o < O; o++) {
      const r = rowOutput(p, L, s, o) - (y[i * O + o] as number);
      sse += r * r;
      const g = scale * r;
      s.outGrad[o] = g;
      const w0 = L.weight + o * width;
      for (let j = 0; j < width; j++) grad[w0 + j] = (grad[w0 + j] as number) + g * (s.features[j] as number);
    }
    let gEnv = 0;
    for (let f = 0; f < F; f++) {
      let gRe = 0;
      let gIm = 0;
      for (let o = 0; o < O; o++) {
        const g = s.outGrad[o] as number;
        gRe += g * (p[L.weight + o * width + f] as number);
        gIm += g * (p[L.weight + o * width + F + f] as number);
      }
      const cs = s.cos[f] as number;
      const sn = s.sin[f] as number;
      const M = s.modulation[f] as number;
      const A = p[L.A + f] as number;
      const a = gRe * cs + gIm * sn;
      grad[L.A + f] = (grad[L.A + f] as number) + a * env * M;
      gEnv += a * A * M;
      const gPhase = A * env * M * (gIm * cs - gRe * sn);
      grad[L.omega + f] = (grad[L.omega + f] as number) - gPhase * ti;
      const gQ = a * A * env * (s.cosQ[f] as number);
      grad[L.phi + f] = (grad[L.phi + f] as number) + gQ;
      grad[L.epsilon + f] = (grad[L.epsilon + f] as number) + gQ * (s.cosW[f] as number);
      const gDist = -gQ * (p[L.epsilon + f] as number) * (s.sinW[f] as number);
      for (let d = 0; d < L.dim; d++) {
        const xd = (xs[d] as Float64Array)[i] as number;
        const kk = L.k + f * L.dim + d;
        const ll = L.lmbda + f * L.dim + d;
        grad[kk] = (grad[kk] as number) + gPhase * xd;
        grad[ll] = (grad[ll] as number) + gDist * xd;
      }
    }
    const gE = gEnv * env;
    for (let d = 0; d < L.dim; d++) {
      const z = s.z[d] as number;
      const mask = s.sigmaMask[d] as number;
      grad[L.logSigma + d] = (grad[L.logSigma + d] as number) + gE * (z * z - 1) * mask;
      grad[L.v + d] = (grad[L.v + d] as number) + gE * z * ti * (s.invSigma[d] as number);
    }
  }
  return sse;
}
