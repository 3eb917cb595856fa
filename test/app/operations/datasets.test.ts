import { describe, expect, it } from 'vitest';
import { DATASET_NAMES, datasetNamed, loadDataset } from '../../../src/app/operations/datasets.js';
import { trainModel } from '../../../src/app/operations/training.js';
import { createModel } from '../../../src/core/index.js';

describe('data set names', () => {
  it('gives each data set the one name it carries, and accepts the older short names as aliases', () => {
    const wave = createModel('quasimoto_4d', { seed: 1 });
    for (const name of ['grid4d', 'grid_4d'] as const) expect(loadDataset(name, wave).name).toBe('grid_4d');
    expect(datasetNamed('chirp')).toBe('chirp_1d');
    expect(datasetNamed('chirp_1d')).toBe('chirp_1d');
    expect(datasetNamed('request')).toBeUndefined();
    expect(datasetNamed('toString')).toBeUndefined();
    for (const name of DATASET_NAMES) expect(datasetNamed(name)).toBe(name);
  });

  it('lets train take back the name it answered', () => {
    const params = { model_id: 'quasimoto_1d_0' };
    for (const dataset of ['chirp_1d', 'chirp', 'grid_6d', 'grid6d', 'wave_packet'])
      expect(trainModel.input.safeParse({ ...params, dataset }).success, dataset).toBe(true);
    expect(trainModel.input.safeParse({ ...params, dataset: 'chirp1d' }).success).toBe(false);
  });

  it('names a data set that does not fit the model as the request named it', () => {
    const wave = createModel('quasimoto_6d', { seed: 1 });
    expect(() => loadDataset('chirp', wave)).toThrow(
      /^params\.dataset chirp does not fit a quasimoto_6d model, which takes x1, x2, x3, x4, x5, t \(its own data set is grid_6d\)$/,
    );
  });
});
