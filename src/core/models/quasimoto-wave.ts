import { toRandom, type RandomSource } from '../train/random.js';
import { ModelBase, type InitialValues, type ModelConfig } from './model.js';
import type { ModelInput } from './model-input.js';
import { wave1dAccumulate, wave1dForward } from './wave-kernels-1d.js';
import {
  createBankNdScratch,
  waveBankNdAccumulate,
  waveBankNdForward,
  waveNdLayout,
  type BankNdScratch,
  type WaveNdLayout,
} from './wave-kernels-nd.js';
import { initWaveParameters, waveInputNames, waveParameterSpecs } from './wave-parameters.js';

export interface ModelOptions {
  /** Seed (a non-negative safe integer) or generator for the initial values; random when absent. */
  readonly seed?: RandomSource;
  /** Where the values come from (default: drawn from the seed); see InitialValues. */
  readonly values?: InitialValues;
}

const NO_CONFIG: ModelConfig = Object.freeze({});

/** The 1D Quasimoto wave ψ(x, t): 8 parameters. */
export class QuasimotoWave extends ModelBase {
  readonly type = 'quasimoto_1d';
  readonly config = NO_CONFIG;
  readonly inputNames = waveInputNames(1);
  readonly outputWidth = 1;

  constructor(options: ModelOptions = {}) {
    super(waveParameterSpecs(1), [], options.values);
    if (this.drawsInitialValues) initWaveParameters(this.parameters, 0, 1, toRandom(options.seed));
  }

  override outputShape(rows: number): number[] {
    return [rows];
  }

  protected forwardRows(input: ModelInput, out: Float64Array): void {
    const [x, t] = input.columns as [Float64Array, Float64Array];
    wave1dForward(this.parameters, 0, x, t, out, 0, input.size);
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
    return wave1dAccumulate(this.parameters, 0, x, t, target, start, end, scale, grad);
  }
}

/** Shared body of the 4D and 6D waves: one wave over `dims` spatial axes and time. */
abstract class QuasimotoWaveNd extends ModelBase {
  readonly config = NO_CONFIG;
  readonly inputNames: readonly string[];
  readonly outputWidth = 1;
  readonly #layout: WaveNdLayout;
  readonly #scratch: BankNdScratch;

  protected constructor(dims: number, options: ModelOptions) {
    super(waveParameterSpecs(dims), [], options.values);
    this.inputNames = waveInputNames(dims);
    this.#layout = waveNdLayout(dims);
    this.#scratch = createBankNdScratch(1);
    if (this.drawsInitialValues) initWaveParameters(this.parameters, 0, dims, toRandom(options.seed));
  }

  override outputShape(rows: number): number[] {
    return [rows];
  }

  protected forwardRows(input: ModelInput, out: Float64Array): void {
    const { spatial, t } = splitColumns(input, this.#layout.dims);
    waveBankNdForward(this.parameters, this.#layout, 1, -1, spatial, t, out, 0, input.size);
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
    const L = this.#layout;
    return waveBankNdAccumulate(
      this.parameters,
      L,
      1,
      -1,
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

export function splitColumns(input: ModelInput, dims: number): { spatial: Float64Array[]; t: Float64Array } {
  return { spatial: input.columns.slice(0, dims), t: input.columns[dims] as Float64Array };
}

/** The 4D wave ψ(x, y, z, t): 14 parameters. */
export class QuasimotoWave4D extends QuasimotoWaveNd {
  readonly type = 'quasimoto_4d';

  constructor(options: ModelOptions = {}) {
    super(3, options);
  }
}

/** The 6D wave ψ(x1 … x5, t): 20 parameters. */
export class QuasimotoWave6D extends QuasimotoWaveNd {
  readonly type = 'quasimoto_6d';

  constructor(options: ModelOptions = {}) {
    super(5, options);
  }
}
