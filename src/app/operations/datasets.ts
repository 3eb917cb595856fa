import {
  chirpDataset,
  grid4dDataset,
  grid6dDataset,
  stringModesDataset,
  wavePacketDataset,
  type AnyModel,
  type Dataset,
} from '../../core/index.js';
import { DredgeError } from '../../services/errors.js';

/**
 * The built-in data sets `train` and `benchmark` fit models to, each by the one name it carries: the name `train`
 * answers, the store keeps with the training history and the dashboard's fit reports.
 */
export const DATASET_NAMES = ['chirp_1d', 'grid_4d', 'grid_6d', 'string_modes', 'wave_packet'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

/** Shorter names `train` has always accepted for three of them: still accepted, never answered. */
const DATASET_ALIASES = { chirp: 'chirp_1d', grid4d: 'grid_4d', grid6d: 'grid_6d' } as const;
type DatasetAlias = keyof typeof DATASET_ALIASES;

/** What a request may name a data set by: its name or an alias. */
export const DATASET_REQUEST_NAMES = [
  ...DATASET_NAMES,
  'chirp',
  'grid4d',
  'grid6d',
] as const satisfies readonly (DatasetName | DatasetAlias)[];

/** The data set a stored or requested name means, if it is one (`request` data, say, is not). */
export function datasetNamed(name: string): DatasetName | undefined {
  const known = (DATASET_REQUEST_NAMES as readonly string[]).includes(name);
  return known ? canonicalName(name as DatasetName | DatasetAlias) : undefined;
}

function canonicalName(name: DatasetName | DatasetAlias): DatasetName {
  return Object.hasOwn(DATASET_ALIASES, name) ? DATASET_ALIASES[name as DatasetAlias] : (name as DatasetName);
}

/** The data set each model type learns by default: the one whose inputs it takes. */
export function defaultDataset(model: AnyModel): DatasetName {
  switch (model.type) {
    case 'quasimoto_1d':
    case 'quasimoto_ensemble':
      return 'chirp_1d';
    case 'quasimoto_4d':
    case 'quasimoto_ensemble_4d':
      return 'grid_4d';
    case 'quasimoto_6d':
    case 'quasimoto_ensemble_6d':
      return 'grid_6d';
    case 'string_theory':
      return 'string_modes';
    case 'quasimoto_interference_basis':
      return 'wave_packet';
  }
}

/**
 * Rows of each built-in data set, known without building it (a request's work is weighed first); a test holds them
 * to what `loadDataset` builds.
 */
const DATASET_ROWS: Readonly<Record<DatasetName, number>> = {
  chirp_1d: 1000,
  grid_4d: 20 ** 3,
  grid_6d: 8 ** 5,
  string_modes: 256,
  wave_packet: 512,
};

/** How many rows the named data set (by its name or an alias) has. */
export function datasetRows(name: DatasetName | DatasetAlias): number {
  return DATASET_ROWS[canonicalName(name)];
}

/**
 * The named data set (by its name or an alias), shaped for the model: the chirp (1000 points), the 4D grid (20³
 * points) and the 6D grid (8⁵ points) of the original's benchmarks, string modes over the network's dimensions, a
 * wave packet over the basis' axes. A data set whose inputs the model does not take is refused with both lists
 * named, the data set as the request named it.
 */
export function loadDataset(name: DatasetName | DatasetAlias, model: AnyModel): Dataset {
  const dataset = build(canonicalName(name), model);
  if (
    dataset.input.columns.length !== model.inputNames.length ||
    dataset.target.length !== dataset.input.size * model.outputWidth
  ) {
    throw new DredgeError(
      'invalid_input',
      `params.dataset ${name} does not fit a ${model.type} model, which takes ${model.inputNames.join(', ')} ` +
        `(its own data set is ${defaultDataset(model)})`,
    );
  }
  return dataset;
}

function build(name: DatasetName, model: AnyModel): Dataset {
  switch (name) {
    case 'chirp_1d':
      return chirpDataset();
    case 'grid_4d':
      return grid4dDataset();
    case 'grid_6d':
      return grid6dDataset();
    case 'string_modes':
      return stringModesDataset(
        model.type === 'string_theory' ? model.config.dimensions : model.inputNames.length,
      );
    case 'wave_packet':
      return model.type === 'quasimoto_interference_basis'
        ? wavePacketDataset(model.config.dim, model.config.outFeatures)
        : wavePacketDataset(Math.max(1, model.inputNames.length - 1), model.outputWidth);
  }
}
