import { powInteger } from '../math/deterministic-math.js';

/** Adam's hyper-parameters; the defaults are PyTorch's. */
export interface AdamOptions {
  readonly learningRate: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
}

/**
 * Adam exactly as torch.optim.Adam (no weight decay, no amsgrad) updates a parameter:
 *   m ← β1·m + (1 − β1)·g,  v ← β2·v + (1 − β2)·g²,
 *   p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε).
 * State is two flat arrays, so a step is one loop over all parameters of a model.
 */
export class Adam {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly #m: Float64Array;
  readonly #v: Float64Array;
  #step = 0;

  constructor(size: number, options: AdamOptions) {
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.#m = new Float64Array(size);
    this.#v = new Float64Array(size);
  }

  /** Steps taken so far. */
  get steps(): number {
    return this.#step;
  }

  step(params: Float64Array, grad: Float64Array): void {
    this.#step++;
    const { beta1, beta2, eps } = this;
    const m = this.#m;
    const v = this.#v;
    const stepSize = this.learningRate / (1 - powInteger(beta1, this.#step));
    const correction2Sqrt = Math.sqrt(1 - powInteger(beta2, this.#step));
    const keep1 = 1 - beta1;
    const keep2 = 1 - beta2;
    for (let i = 0; i < m.length; i++) {
      const g = grad[i] as number;
      const mi = (m[i] as number) * beta1 + g * keep1;
      const vi = (v[i] as number) * beta2 + g * g * keep2;
      m[i] = mi;
      v[i] = vi;
      params[i] = (params[i] as number) - stepSize * (mi / (Math.sqrt(vi) / correction2Sqrt + eps));
    }
  }
}
