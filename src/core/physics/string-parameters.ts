import { requireFinite, requirePositive } from '../validate.js';
import { DEFAULT_COUPLING_CONSTANT, DEFAULT_ENERGY_SCALE, PLANCK_LENGTH } from './constants.js';

export interface StringParameters {
  readonly string_length: number;
  readonly string_tension: number;
  readonly coupling_constant: number;
  readonly energy_scale: number;
  readonly planck_length: number;
}

/** String length l_P·√g and tension 1/(2πg) for coupling g > 0; the energy scale is reported back unchanged. */
export function calculateStringParameters(
  energyScale: number = DEFAULT_ENERGY_SCALE,
  couplingConstant: number = DEFAULT_COUPLING_CONSTANT,
): StringParameters {
  requireFinite('energy_scale', energyScale);
  requirePositive('coupling_constant', couplingConstant);
  return {
    string_length: PLANCK_LENGTH * Math.sqrt(couplingConstant),
    string_tension: 1.0 / (2.0 * Math.PI * couplingConstant),
    coupling_constant: couplingConstant,
    energy_scale: energyScale,
    planck_length: PLANCK_LENGTH,
  };
}
