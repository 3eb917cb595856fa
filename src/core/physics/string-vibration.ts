import { sin } from '../math/deterministic-math.js';
import { ComputeInputError } from '../errors.js';
import { MAX_MODE_NUMBER, MAX_MODES, MAX_SPACETIME_DIMENSIONS } from '../limits.js';
import { requireInteger, requirePositive, requireFinite } from '../validate.js';
import {
  DEFAULT_DIMENSIONS,
  DEFAULT_STRING_LENGTH,
  EFFECTIVE_DIMENSIONS,
  KALUZA_KLEIN_MODES,
  PLANCK_CONSTANT,
} from './constants.js';

export interface Compactification {
  readonly compactification_radius: number;
  readonly kaluza_klein_modes: number[];
  readonly effective_dimensions: number;
  readonly hidden_dimensions: number;
}

/**
 * A fundamental string of a given length in a spacetime of a given number of dimensions: its standing-wave
 * modes, their energies and the Kaluza–Klein tower of a compactified dimension.
 *
 * Arithmetic follows the reference operation by operation (same order of operations), so energies and
 * coordinates agree to the bit and amplitudes to the last bit or two (the core's sin, the same bits in every
 * engine, and the reference's libm sin occasionally round differently): clients compare these numbers.
 */
export class StringVibration {
  readonly dimensions: number;
  readonly length: number;
  readonly planckConstant = PLANCK_CONSTANT;

  constructor(dimensions: number = DEFAULT_DIMENSIONS, length: number = DEFAULT_STRING_LENGTH) {
    this.dimensions = requireInteger('dimensions', dimensions, 1, MAX_SPACETIME_DIMENSIONS);
    this.length = requirePositive('length', length);
  }

  /** Amplitude sin(nπx) of mode n (an integer ≥ 1) at position x ∈ [0, 1] along the string. */
  vibrationalMode(n: number, x: number): number {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_MODE_NUMBER) {
      throw new ComputeInputError(
        'n',
        `Mode number must be an integer from 1 to ${MAX_MODE_NUMBER} (got ${n})`,
      );
    }
    if (typeof x !== 'number' || !(x >= 0 && x <= 1)) {
      throw new ComputeInputError('x', `Position must be between 0 and 1 (got ${x})`);
    }
    return sin(n * Math.PI * x);
  }

  /** E_n = n·h / (2L). */
  energyLevel(n: number): number {
    requireFinite('n', n);
    return (n * this.planckConstant) / (2 * this.length);
  }

  /** Energies E_1 … E_maxModes. */
  modeSpectrum(maxModes = 10): number[] {
    requireInteger('max_modes', maxModes, 1, MAX_MODES);
    const spectrum = new Array<number>(maxModes);
    const denominator = 2 * this.length;
    for (let n = 1; n <= maxModes; n++) spectrum[n - 1] = (n * this.planckConstant) / denominator;
    return spectrum;
  }

  /** Kaluza–Klein momenta n/r (n = 1 … 10) of a dimension compactified on a circle of radius r > 0. */
  dimensionalCompactification(radius: number): Compactification {
    requirePositive('radius', radius);
    const modes = new Array<number>(KALUZA_KLEIN_MODES);
    for (let n = 1; n <= KALUZA_KLEIN_MODES; n++) modes[n - 1] = n / radius;
    return {
      compactification_radius: radius,
      kaluza_klein_modes: modes,
      effective_dimensions: EFFECTIVE_DIMENSIONS,
      hidden_dimensions: this.dimensions - EFFECTIVE_DIMENSIONS,
    };
  }
}
