import { MAX_BASIS_DIM, MAX_BASIS_FIELDS, MAX_BASIS_OUT_FEATURES } from '../limits.js';
import { toRandom } from '../train/random.js';
import { requireInteger } from '../validate.js';
import {
  createInterferenceScratch,
  interferenceAccumulate,
  interferenceForward,
  interferenceLayout,
  type InterferenceLayout,
  type InterferenceScratch,
} from './interference-kernel.js';
import { ModelBase, type ModelConfig } from './model.js';
import type { ModelInput } from './model-input.js';
import type { ModelOptions } from './quasimoto-wave.js';

export interface InterferenceBasisConfig extends ModelConfig {
  readonly dim: number;
  readonly numFields: number;
  readonly outFeatures: number;
}

export interface InterferenceBasisOptions extends ModelOptions {
  readonly dim?: number;
  readonly numFields?: number;
  readonly outFeatures?: number;
}

/** Defaults when a caller gives none (the original has no defaults): one axis, 8 fields, one output. */
export const DEFAULT_INTERFERENCE_BASIS = Object.freeze({ dim: 1, numFields: 8, outFeatures: 1 });

/**
 * F coupled complex quasiperiodic fields over `dim` axes with a shared anisotropic envelope and learned
 * superposition. Parameters as the original registers them: log_sigma [dim], v [dim], A [F], k [F, dim],
 * omega [F], phi [F], epsilon [F], lmbda [F, dim], superposition.weight [out, 2F]. Inputs x1 … x_dim, t.
 */
export class QuasimotoInterferenceBasis extends ModelBase {
  readonly type = 'quasimoto_interference_basis';
  readonly config: InterferenceBasisConfig;
  readonly inputNames: readonly string[];
  readonly outputWidth: number;
  readonly #layout: InterferenceLayout;
  readonly #scratch: InterferenceScratch;

  constructor(options: InterferenceBasisOptions = {}) {
    const dim = requireInteger('dim', options.dim ?? DEFAULT_INTERFERENCE_BASIS.dim, 1, MAX_BASIS_DIM);
    const F = requireInteger(
      'num_fields',
      options.numFields ?? DEFAULT_INTERFERENCE_BASIS.numFields,
      1,
      MAX_BASIS_FIELDS,
    );
    const O = requireInteger(
      'out_features',
      options.outFeatures ?? DEFAULT_INTERFERENCE_BASIS.outFeatures,
      1,
      MAX_BASIS_OUT_FEATURES,
    );
    super(
      [
        { name: 'log_sigma', shape: [dim] },
        { name: 'v', shape: [dim] },
        { name: 'A', shape: [F] },
        { name: 'k', shape: [F, dim] },
        { name: 'omega', shape: [F] },
        { name: 'phi', shape: [F] },
        { name: 'epsilon', shape: [F] },
        { name: 'lmbda', shape: [F, dim] },
        { name: 'superposition.weight', shape: [O, 2 * F] },
      ],
      [],
      options.values,
    );
    this.config = Object.freeze({ dim, numFields: F, outFeatures: O });
    this.inputNames = [...Array.from({ length: dim }, (_, d) => `x${d + 1}`), 't'];
    this.outputWidth = O;
    this.#layout = interferenceLayout(dim, F, O);
    this.#scratch = createInterferenceScratch(this.#layout);
    if (this.drawsInitialValues) this.#initialise(toRandom(options.seed));
  }

  #initialise(random: ReturnType<typeof toRandom>): void {
    const p = this.parameters;
    const L = this.#layout;
    const fill = (offset: number, count: number, value: () => number): void => {
      for (let i = 0; i < count; i++) p[offset + i] = value();
    };
    // In registration order, as the original: zeros, randn, ones, randn, randn, zeros, 0.1, randn, Linear.
    fill(L.logSigma, L.dim, () => 0);
    fill(L.v, L.dim, () => random.normal());
    fill(L.A, L.fields, () => 1);
    fill(L.k, L.fields * L.dim, () => random.normal());
    fill(L.omega, L.fields, () => random.normal());
    fill(L.phi, L.fields, () => 0);
    fill(L.epsilon, L.fields, () => 0.1);
    fill(L.lmbda, L.fields * L.dim, () => random.normal());
    const bound = 1 / Math.sqrt(2 * L.fields);
    fill(L.weight, L.outputs * 2 * L.fields, () => random.uniformRange(-bound, bound));
  }

  protected forwardRows(input: ModelInput, out: Float64Array): void {
    const xs = input.columns.slice(0, this.#layout.dim);
    const t = input.columns[this.#layout.dim] as Float64Array;
    interferenceForward(this.parameters, this.#layout, xs, t, out, 0, input.size, this.#scratch);
  }

  protected accumulateRows(
    input: ModelInput,
    target: Float64Array,
    grad: Float64Array,
    start: number,
    end: number,
    scale: number,
  ): number {
    const xs = input.columns.slice(0, this.#layout.dim);
    const t = input.columns[this.#layout.dim] as Float64Array;
    const L = this.#layout;
    return interferenceAccumulate(this.parameters, L, xs, t, target, start, end, scale, grad, this.#scratch);
  }
}
