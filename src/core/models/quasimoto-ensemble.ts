import { MAX_WAVES } from '../limits.js';
import { toRandom } from '../train/random.js';
import { requireInteger } from '../validate.js';
import { ModelBase, type ModelConfig } from './model.js';
import type { ModelInput } from './model-input.js';
import { splitColumns, type ModelOptions } from './quasimoto-wave.js';
import { TensorTable, type TensorSpec } from './tensor-table.js';
import {
  createBank1dScratch,
  waveBank1dAccumulate,
  waveBank1dForward,
  type Bank1dScratch,
} from './wave-kernels-1d.js';
import {
  createBankNdScratch,
  waveBankNdAccumulate,
  waveBankNdForward,
  waveNdLayout,
  type BankNdScratch,
  type WaveNdLayout,
} from './wave-kernels-nd.js';
import { initLinear, initWaveParameters, waveInputNames, waveParameterSpecs } from './wave-parameters.js';

/** Default ensemble sizes of the original: 16 waves in 1D, 8 in 4D, 6 in 6D. */
export const DEFAULT_ENSEMBLE_WAVES = { 1: 16, 3: 8, 5: 6 } as const;

export interface EnsembleConfig extends ModelConfig {
  readonly nWaves: number;
}

export interface EnsembleOptions extends ModelOptions {
  readonly nWaves?: number;
}

/**
 * n waves side by side feeding Linear(n → 1): parameters waves.0.A … waves.{n−1}.lmbda…, head.weight [1, n],
 * head.bias [1] — 8n + n + 1 in 1D (145 for 16 waves).
 */
function ensembleSpecs(dims: number, waves: number): TensorSpec[] {
  const specs: TensorSpec[] = [];
  for (let j = 0; j < waves; j++)
    specs.push(...TensorTable.prefixed(`waves.${j}.`, waveParameterSpecs(dims)));
  specs.push({ name: 'head.weight', shape: [1, waves] }, { name: 'head.bias', shape: [1] });
  return specs;
}

abstract class EnsembleBase extends ModelBase {
  readonly config: EnsembleConfig;
  readonly inputNames: readonly string[];
  readonly outputWidth = 1;
  protected readonly waves: number;
  protected readonly head: number;

  protected constructor(dims: number, options: EnsembleOptions) {
    const waves = requireInteger(
      'n_waves',
      options.nWaves ?? DEFAULT_ENSEMBLE_WAVES[dims as 1 | 3 | 5],
      1,
      MAX_WAVES,
    );
    super(ensembleSpecs(dims, waves), [], options.values);
    this.waves = waves;
    this.config = Object.freeze({ nWaves: waves });
    this.inputNames = waveInputNames(dims);
    const stride = 5 + 3 * dims;
    this.head = waves * stride;
    if (this.drawsInitialValues) {
      const random = toRandom(options.seed);
      for (let j = 0; j < waves; j++) initWaveParameters(this.parameters, j * stride, dims, random);
      initLinear(this.parameters, this.head, waves, this.head + waves, 1, waves, random);
    }
  }
}

/** Ensemble of 1D waves (the reference's `quasimoto_ensemble`). */
export class QuasimotoEnsemble extends EnsembleBase {
  readonly type = 'quasimoto_ensemble';
  readonly #scratch: Bank1dScratch;

  constructor(options: EnsembleOptions = {}) {
    super(1, options);
    this.#scratch = createBank1dScratch(this.waves);
  }

  protected forwardRows(input: ModelInput, out: Float64Array): void {
    const [x, t] = input.columns as [Float64Array, Float64Array];
    waveBank1dForward(this.parameters, this.waves, x, t, out, 0, input.size);
  }

  protected accumulateRows(
    input: ModelInput,
    target: Float64Array,
    grad: Float64Array,
    start: number,
    end: number,
    scale: number,
  ): number {
    const [x, t] = input.columns as [Float64Array, Float64Array];
    return waveBank1dAccumulate(
      this.parameters,
      this.waves,
      x,
      t,
      target,
      start,
      end,
      scale,
      grad,
      this.#scratch,
    );
  }
}

abstract class EnsembleNd extends EnsembleBase {
  readonly #layout: WaveNdLayout;
  readonly #scratch: BankNdScratch;

  protected constructor(dims: number, options: EnsembleOptions) {
    super(dims, options);
    this.#layout = waveNdLayout(dims);
    this.#scratch = createBankNdScratch(this.waves);
  }

  protected forwardRows(input: ModelInput, out: Float64Array): void {
    const { spatial, t } = splitColumns(input, this.#layout.dims);
    const L = this.#layout;
    waveBankNdForward(this.parameters, L, this.waves, this.head, spatial, t, out, 0, input.size);
  }

  protected accumulateRows(
    input: ModelInput,
    target: Float64Array,
    grad: Float64Array,
    start: number,
    end: number,
    scale: number,
  ): number {
    const { spatial, t } = splitColumns(input, this.#layout.dims);
    const p = this.parameters;
    const L = this.#layout;
    return waveBankNdAccumulate(
      p,
      L,
      this.waves,
      this.head,
      spatial,
      t,
      target,
      start,
      end,
      scale,
      grad,
      this.#scratch,
    );
  }
}

/** Ensemble of 4D waves (default 8). */
export class QuasimotoEnsemble4D extends EnsembleNd {
  readonly type = 'quasimoto_ensemble_4d';

  constructor(options: EnsembleOptions = {}) {
    super(3, options);
  }
}

/** Ensemble of 6D waves (default 6). */
export class QuasimotoEnsemble6D extends EnsembleNd {
  readonly type = 'quasimoto_ensemble_6d';

  constructor(options: EnsembleOptions = {}) {
    super(5, options);
  }
}
