import { describe, expect, it } from 'vitest';
import {
  calculateStringParameters,
  ComputeInputError,
  MAX_MODES,
  PLANCK_LENGTH,
  StringQuasimotoIntegration,
  StringVibration,
  unifiedInference,
} from '../../src/core/index.js';
import { expectClose, loadGolden } from './golden.js';

interface PhysicsGolden {
  spectra: { params: { max_modes: number; dimensions: number }; result: { energy_spectrum: number[] } }[];
  vibrational_modes: { n: number; x: number; amplitude: number }[];
  compactification: { dimensions: number; radius: number; result: Record<string, unknown> }[];
  string_parameters: {
    params: { energy_scale: number; coupling_constant: number };
    result: Record<string, number>;
  }[];
  unified_inference: {
    params: { dredge_insight: string; quasimoto_coords: number[]; string_modes: number[] };
    result: Record<string, unknown> & { coupled_amplitude: number; unified_field: Record<string, unknown> };
  }[];
  unified_field_custom: { x_range: [number, number]; num_points: number; result: Record<string, unknown> };
}

const golden = loadGolden<PhysicsGolden>('physics.json');

describe('physics matches golden/physics.json', () => {
  it('mode spectra', () => {
    for (const { params, result } of golden.spectra) {
      const spectrum = new StringVibration(params.dimensions).modeSpectrum(params.max_modes);
      expectClose(spectrum, result.energy_spectrum, {
        rel: 0,
        abs: 0,
        label: `spectrum ${params.max_modes}`,
      });
    }
  });

  // V8's Math.sin (fdlibm) and the reference's libm sin may differ in the last bit, so: within an ulp or two.
  it('vibrational modes', () => {
    const string = new StringVibration();
    for (const { n, x, amplitude } of golden.vibrational_modes) {
      expectClose(string.vibrationalMode(n, x), amplitude, {
        rel: 1e-15,
        abs: 1e-15,
        label: `n=${n} x=${x}`,
      });
    }
  });

  it('compactification', () => {
    for (const { dimensions, radius, result } of golden.compactification) {
      expect(new StringVibration(dimensions).dimensionalCompactification(radius)).toEqual(result);
    }
  });

  it('string parameters', () => {
    for (const { params, result } of golden.string_parameters) {
      const ours = calculateStringParameters(params.energy_scale, params.coupling_constant);
      for (const [key, value] of Object.entries(result)) {
        expectClose(ours[key as keyof typeof ours], value, { label: key });
      }
    }
    expect(calculateStringParameters().planck_length).toBe(PLANCK_LENGTH);
  });

  it('unified inference: every field of the result', () => {
    for (const { params, result } of golden.unified_inference) {
      const ours = unifiedInference(params.dredge_insight, params.quasimoto_coords, params.string_modes);
      expect(ours.dredge_insight).toBe(result.dredge_insight);
      expect(ours.quasimoto_coordinates).toEqual(result.quasimoto_coordinates);
      expect(ours.string_modes).toEqual(result.string_modes);
      expectClose(ours.coupled_amplitude, result.coupled_amplitude, { label: 'coupled_amplitude' });
      const expectedField = result.unified_field as { x_coordinates: number[]; field_amplitudes: number[] };
      expect(ours.unified_field.dimensions).toBe(10);
      expect(ours.unified_field.x_coordinates).toEqual(expectedField.x_coordinates);
      expectClose(ours.unified_field.field_amplitudes, expectedField.field_amplitudes, {
        rel: 1e-15,
        abs: 1e-15,
      });
    }
  });

  it('unified inference defaults to coordinates [0.5] and modes [1, 2, 3]', () => {
    const ours = unifiedInference();
    expect(ours.quasimoto_coordinates).toEqual([0.5]);
    expect(ours.string_modes).toEqual([1, 2, 3]);
    expect(ours.coupled_amplitude).toBe(1.5);
  });

  it('a custom unified field', () => {
    const { x_range, num_points, result } = golden.unified_field_custom;
    const field = new StringQuasimotoIntegration().generateUnifiedField(x_range, num_points);
    const expected = result as { x_coordinates: number[]; field_amplitudes: number[]; dimensions: number };
    expect(field.x_coordinates).toEqual(expected.x_coordinates);
    expect(field.dimensions).toBe(expected.dimensions);
    expectClose(field.field_amplitudes, expected.field_amplitudes, { rel: 1e-15, abs: 1e-15 });
  });
});

describe('physics input validation', () => {
  const string = new StringVibration();

  it('rejects mode numbers below 1 and positions outside [0, 1], naming the field', () => {
    for (const [n, x, field] of [
      [0, 0.5, 'n'],
      [-1, 0.5, 'n'],
      [1.5, 0.5, 'n'],
      [1, -0.01, 'x'],
      [1, 1.01, 'x'],
      [1, Number.NaN, 'x'],
    ] as const) {
      try {
        string.vibrationalMode(n, x);
        expect.fail(`n=${n} x=${x} should throw`);
      } catch (error) {
        expect(error).toBeInstanceOf(ComputeInputError);
        expect(error).toBeInstanceOf(RangeError);
        expect((error as ComputeInputError).field).toBe(field);
      }
    }
  });

  it('bounds the spectrum, the field and the lists', () => {
    expect(() => string.modeSpectrum(0)).toThrow(/max_modes/);
    expect(() => string.modeSpectrum(MAX_MODES + 1)).toThrow(/max_modes must be an integer from 1 to 10000/);
    expect(string.modeSpectrum(MAX_MODES)).toHaveLength(MAX_MODES);
    const integration = new StringQuasimotoIntegration();
    expect(() => integration.generateUnifiedField([0, 1], 1)).toThrow(/num_points/);
    expect(() => integration.generateUnifiedField([0, 2], 10)).toThrow(/x_range/);
    expect(() => integration.coupledAmplitude([0], [1])).toThrow(/string_modes\[0\]/);
    expect(() => integration.coupledAmplitude([1], [Number.POSITIVE_INFINITY])).toThrow(
      /quasimoto_coords\[0\]/,
    );
    expect(() => unifiedInference('', [], new Array<number>(2000).fill(1))).toThrow(
      /string_modes may hold at most/,
    );
    expect(() => calculateStringParameters(1, 0)).toThrow(/coupling_constant/);
    expect(() => string.dimensionalCompactification(0)).toThrow(/radius/);
    expect(() => new StringVibration(0)).toThrow(/dimensions/);
  });
});
