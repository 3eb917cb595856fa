import { z } from 'zod';
import {
  DEFAULT_COUPLING_CONSTANT,
  DEFAULT_DIMENSIONS,
  DEFAULT_ENERGY_SCALE,
  MAX_COORDINATES,
  MAX_MODE_NUMBER,
  MAX_MODES,
  MAX_SPACETIME_DIMENSIONS,
  MAX_STRING_MODES,
  StringQuasimotoIntegration,
  StringVibration,
  calculateStringParameters,
} from '../../core/index.js';
import { JsonText } from '../../services/cache/index.js';
import { answer, cachedAnswer, count, deviceOut, real } from './answer.js';
import { READS_ONLY, defineOperation, fixedWork } from './operation.js';
import {
  boundedString,
  finiteNumber,
  numberArray,
  positiveNumber,
  wholeNumber,
  wholeNumberArray,
} from './schema.js';

/** Longest `dredge_insight`: the same 64 KiB as an insight lifted on the DREDGE server. */
export const MAX_INSIGHT_LENGTH = 65_536;
/** Bounds of the string parameters: any physical energy scale, and a coupling that keeps √g and 1/(2πg) finite. */
export const MAX_ENERGY_SCALE = 1e30;
export const MAX_COUPLING_CONSTANT = 1e6;

const dimensionsOut = count('Spacetime dimensions, as given');

export const stringSpectrum = defineOperation({
  name: 'string_spectrum',
  title: 'String energy spectrum',
  scope: 'read',
  effects: READS_ONLY,
  description: 'Energy levels E_n = n/2 of the first max_modes vibrational modes of a string (cached).',
  input: z.object({
    max_modes: wholeNumber(1, MAX_MODES)
      .default(10)
      .describe(`How many modes, from n = 1 (1 to ${MAX_MODES})`),
    dimensions: wholeNumber(1, MAX_SPACETIME_DIMENSIONS)
      .default(DEFAULT_DIMENSIONS)
      .describe(`Spacetime dimensions (1 to ${MAX_SPACETIME_DIMENSIONS}); they do not change the levels`),
  }),
  output: cachedAnswer({
    dimensions: dimensionsOut,
    max_modes: count('How many modes, as given'),
    energy_spectrum: z
      .array(z.number())
      .describe('E_1 … E_max_modes in Planck units (h = 1, L = 1): 0.5, 1, 1.5, …'),
  }),
  workFormula: 'params.max_modes',
  work: (input) => input.max_modes,
  cache: {
    kind: 'string_spectrum',
    key: (input) => ({ max_modes: input.max_modes, dimensions: input.dimensions }),
  },
  handle(input) {
    const energy_spectrum = new StringVibration(input.dimensions).modeSpectrum(input.max_modes);
    return { dimensions: input.dimensions, max_modes: input.max_modes, energy_spectrum };
  },
});

export const stringParameters = defineOperation({
  name: 'string_parameters',
  title: 'String length and tension',
  scope: 'read',
  effects: READS_ONLY,
  description: 'String length l_P·√g and tension 1/(2πg) for an energy scale and a coupling constant g.',
  input: z.object({
    energy_scale: finiteNumber(-MAX_ENERGY_SCALE, MAX_ENERGY_SCALE)
      .default(DEFAULT_ENERGY_SCALE)
      .describe(`The energy scale, echoed in the answer (−${MAX_ENERGY_SCALE} to ${MAX_ENERGY_SCALE})`),
    coupling_constant: positiveNumber(MAX_COUPLING_CONSTANT)
      .default(DEFAULT_COUPLING_CONSTANT)
      .describe(`The string coupling g (greater than 0, at most ${MAX_COUPLING_CONSTANT})`),
  }),
  output: answer({
    parameters: z
      .object({
        string_length: real('l_P·√g, in metres'),
        string_tension: real('1/(2πg), in Planck units'),
        coupling_constant: z.number().describe('g, as given'),
        energy_scale: z.number().describe('The energy scale, as given'),
        planck_length: z.number().describe('l_P = 1.616e-35 m'),
      })
      .describe('The string’s parameters'),
  }),
  workFormula: 'fixed',
  work: fixedWork,
  handle(input) {
    return { parameters: calculateStringParameters(input.energy_scale, input.coupling_constant) };
  },
});

export const unifiedInference = defineOperation({
  name: 'unified_inference',
  title: 'Unified DREDGE inference',
  scope: 'read',
  effects: READS_ONLY,
  description:
    'Unified DREDGE × Quasimoto × string-theory inference: the coupled amplitude of string modes at Quasimoto ' +
    'coordinates, and the unified field on [0, 1] (cached).',
  input: z.object({
    dredge_insight: boundedString(MAX_INSIGHT_LENGTH)
      .default('')
      .describe(`A text carried through to the answer (at most ${MAX_INSIGHT_LENGTH} characters)`),
    quasimoto_coords: numberArray(MAX_COORDINATES)
      .default([0.5])
      .describe(
        `Quasimoto coordinates whose mean absolute value scales the amplitude (at most ${MAX_COORDINATES} finite numbers)`,
      ),
    string_modes: wholeNumberArray(MAX_STRING_MODES, 1, MAX_MODE_NUMBER)
      .default([1, 2, 3])
      .describe(
        `Mode numbers n whose energies n/2 are summed (at most ${MAX_STRING_MODES}, each 1 to ${MAX_MODE_NUMBER})`,
      ),
  }),
  output: cachedAnswer({
    dredge_insight: z.string().describe('The insight, as given'),
    quasimoto_coordinates: z.array(z.number()).describe('The coordinates, as given'),
    string_modes: z.array(z.number().int()).describe('The modes, as given'),
    coupled_amplitude: real('Σ E_n over the modes × mean(|coordinates|) (× 1 when there are none)'),
    unified_field: z
      .object({
        x_coordinates: z.array(z.number()).describe('100 points evenly spaced on [0, 1]'),
        field_amplitudes: z.array(z.number()).describe('At each point, the mean of sin(nπx) for n = 1, 2, 3'),
        dimensions: count('Spacetime dimensions (10)'),
      })
      .describe('The unified field on [0, 1]; the same in every answer'),
    device: deviceOut,
  }),
  workFormula: 'params.string_modes + params.quasimoto_coords + characters of params.dredge_insight',
  work: (input) => input.string_modes.length + input.quasimoto_coords.length + input.dredge_insight.length,
  cache: {
    kind: 'unified_inference',
    key: (input) => ({
      dredge_insight: input.dredge_insight,
      quasimoto_coords: input.quasimoto_coords,
      string_modes: input.string_modes,
    }),
  },
  handle(input, { services }) {
    const amplitude = integration.coupledAmplitude(input.string_modes, input.quasimoto_coords);
    // The unified field does not depend on the request: its 200 numbers are computed and written once. Writing
    // them was most of the cost of an answer (JSON.stringify of a double costs about 0.1 µs).
    return new JsonText(
      `{"dredge_insight":${JSON.stringify(input.dredge_insight)},` +
        `"quasimoto_coordinates":${JSON.stringify(input.quasimoto_coords)},` +
        `"string_modes":${JSON.stringify(input.string_modes)},` +
        `"coupled_amplitude":${JSON.stringify(amplitude)},` +
        `"unified_field":${UNIFIED_FIELD_JSON},` +
        `"device":${JSON.stringify(services.device.resolution.device)}}`,
    );
  },
});

/** unified_inference as the original computes it: 10 dimensions, the field on 100 points of [0, 1]. */
const integration = new StringQuasimotoIntegration(DEFAULT_DIMENSIONS);
const UNIFIED_FIELD_JSON = JSON.stringify(integration.generateUnifiedField());
