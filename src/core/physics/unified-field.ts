import { ComputeInputError } from '../errors.js';
import {
  MAX_COORDINATES,
  MAX_FIELD_POINTS,
  MAX_MODE_NUMBER,
  MAX_SPACETIME_DIMENSIONS,
  MAX_STRING_MODES,
  MIN_FIELD_POINTS,
} from '../limits.js';
import { requireArray, requireFiniteList, requireInRange, requireInteger } from '../validate.js';
import {
  DEFAULT_DIMENSIONS,
  DEFAULT_FIELD_POINTS,
  DEFAULT_FIELD_RANGE,
  UNIFIED_FIELD_MODES,
} from './constants.js';
import { StringVibration } from './string-vibration.js';

export interface UnifiedField {
  readonly x_coordinates: number[];
  readonly field_amplitudes: number[];
  readonly dimensions: number;
}

/** The result of `unified_inference` without the request echo fields that the door adds (success, cached). */
export interface UnifiedInference {
  readonly dredge_insight: string;
  readonly quasimoto_coordinates: number[];
  readonly string_modes: number[];
  readonly coupled_amplitude: number;
  readonly unified_field: UnifiedField;
}

/** Validates a list of string mode numbers: integers from 1 to MAX_MODE_NUMBER, at most MAX_STRING_MODES. */
export function requireStringModes(value: unknown): number[] {
  const list = requireArray('string_modes', value, MAX_STRING_MODES);
  return list.map((n, i) => {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_MODE_NUMBER) {
      throw new ComputeInputError(
        'string_modes',
        `string_modes[${i}] must be an integer from 1 to ${MAX_MODE_NUMBER} (got ${String(n)})`,
      );
    }
    return n;
  });
}

/**
 * Couples string modes to Quasimoto coordinates: the summed energy of the modes times the mean absolute
 * coordinate (times 1 when there are no coordinates).
 */
export class StringQuasimotoIntegration {
  readonly dimensions: number;
  readonly stringVibration: StringVibration;

  constructor(dimensions: number = DEFAULT_DIMENSIONS) {
    this.dimensions = requireInteger('dimensions', dimensions, 1, MAX_SPACETIME_DIMENSIONS);
    this.stringVibration = new StringVibration(dimensions);
  }

  coupledAmplitude(stringModes: readonly number[], quasimotoCoords: readonly number[]): number {
    const modes = requireStringModes(stringModes);
    const coords = requireFiniteList('quasimoto_coords', quasimotoCoords, MAX_COORDINATES);
    // Same summation order as the reference (left to right from 0), so the sum is the same double.
    let energy = 0;
    for (const n of modes) energy += this.stringVibration.energyLevel(n);
    let positionFactor = 1.0;
    if (coords.length > 0) {
      let sum = 0;
      for (const c of coords) sum += Math.abs(c);
      positionFactor = sum / coords.length;
    }
    return energy * positionFactor;
  }

  /**
   * `numPoints` evenly spaced positions on xRange ⊂ [0, 1] (both ends included) and, at each, the mean of the
   * first three mode amplitudes.
   */
  generateUnifiedField(
    xRange: readonly [number, number] = DEFAULT_FIELD_RANGE,
    numPoints: number = DEFAULT_FIELD_POINTS,
  ): UnifiedField {
    const range = requireArray('x_range', xRange, 2);
    if (range.length !== 2) throw new ComputeInputError('x_range', 'x_range must be a pair [x_min, x_max]');
    const xMin = requireInRange('x_range', range[0], 0, 1);
    const xMax = requireInRange('x_range', range[1], 0, 1);
    requireInteger('num_points', numPoints, MIN_FIELD_POINTS, MAX_FIELD_POINTS);
    const xs = new Array<number>(numPoints);
    const amplitudes = new Array<number>(numPoints);
    const span = xMax - xMin;
    const last = numPoints - 1;
    for (let i = 0; i < numPoints; i++) {
      // (span·i)/last, as the reference computes it: the coordinates are part of the answer.
      const x = xMin + (span * i) / last;
      xs[i] = x;
      let sum = 0;
      for (let n = 1; n <= UNIFIED_FIELD_MODES; n++) sum += this.stringVibration.vibrationalMode(n, x);
      amplitudes[i] = sum / UNIFIED_FIELD_MODES;
    }
    return { x_coordinates: xs, field_amplitudes: amplitudes, dimensions: this.dimensions };
  }
}

const defaultIntegration = new StringQuasimotoIntegration();

/**
 * unified_inference: coupled amplitude of the given modes and coordinates, and the unified field (100 points
 * on [0, 1], 10 dimensions) exactly as the reference reports them. Defaults as the reference: [0.5] and [1, 2, 3].
 */
export function unifiedInference(
  dredgeInsight = '',
  quasimotoCoords: readonly number[] = [0.5],
  stringModes: readonly number[] = [1, 2, 3],
): UnifiedInference {
  if (typeof dredgeInsight !== 'string') {
    throw new ComputeInputError('dredge_insight', 'dredge_insight must be a string');
  }
  const coupled = defaultIntegration.coupledAmplitude(stringModes, quasimotoCoords);
  return {
    dredge_insight: dredgeInsight,
    quasimoto_coordinates: [...quasimotoCoords],
    string_modes: [...stringModes],
    coupled_amplitude: coupled,
    unified_field: defaultIntegration.generateUnifiedField(),
  };
}
