import { loadGolden } from '../core/golden.js';
import { SMALL_MODELS } from '../core/models.js';
import type { ProbeInputs } from './golden-probe.js';

/** The golden inputs, as the probe takes them (the recorded answers stay behind: Node's are the reference). */
export function probeInputs(): ProbeInputs {
  const waves = loadGolden<Record<string, unknown>>('waves.json');
  const waveCases = Object.fromEntries(
    [
      'quasimoto_1d',
      'quasimoto_4d',
      'quasimoto_6d',
      'quasimoto_ensemble',
      'quasimoto_ensemble_4d',
      'quasimoto_ensemble_6d',
    ].map((name) => [name, waves[name]]),
  ) as ProbeInputs['waves'];
  return {
    physics: loadGolden<ProbeInputs['physics']>('physics.json'),
    waves: waveCases,
    interferenceBasis: waves.interference_basis as ProbeInputs['interferenceBasis'],
    stringNetworks: loadGolden<{ cases: ProbeInputs['stringNetworks'] }>('string_nn.json').cases,
    training: loadGolden<ProbeInputs['training']>('training.json'),
    chirp: loadGolden<{ chirp_1d: ProbeInputs['chirp'] }>('data.json').chirp_1d,
    seededModels: SMALL_MODELS,
  };
}
