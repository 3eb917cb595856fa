import { describe, expect, it } from 'vitest';
import { createModel } from '../../../src/core/index.js';
import { ModelRegistry } from '../../../src/services/store/index.js';
import { openDatabase, type SqliteDatabase } from '../../../src/services/store/sqlite/database.js';
import { SqliteModelStore } from '../../../src/services/store/sqlite/sqlite-model-store.js';
import { useTempDirs } from '../../helpers/temp-dir.js';

const tempDir = useTempDirs();

function totals(db: SqliteDatabase) {
  return {
    kept: db.prepare('SELECT models, parameters FROM model_totals').get(),
    counted: db
      .prepare('SELECT COUNT(*) AS models, COALESCE(SUM(n_parameters), 0) AS parameters FROM models')
      .get(),
  };
}

/**
 * load_model's limits are checked against running totals, not by reading the stored models (the totals query used
 * to read every row, past each model's state: its cost grew with every model stored).
 */
describe('SQLite model totals', () => {
  it('follow every insert and delete, on every connection to the file', async () => {
    const dir = tempDir();
    const [a, b] = [openDatabase(dir), openDatabase(dir)];
    const [storeA, storeB] = [new SqliteModelStore(a), new SqliteModelStore(b)];
    const limits = { maxModels: 100, maxParameters: 1e7 };
    const [first, second] = [new ModelRegistry(storeA, limits), new ModelRegistry(storeB, limits)];
    try {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const registry = i % 2 ? second : first;
        const type = i % 3 ? 'quasimoto_1d' : 'quasimoto_ensemble';
        ids.push((await registry.add(type, createModel(type, { seed: i }), {})).id);
      }
      await second.delete(ids[0]!);
      await first.delete(ids[3]!);
      const { kept, counted } = totals(a);
      expect(kept).toEqual(counted);
      expect(kept).toMatchObject({ models: 4 });
    } finally {
      await storeA.close();
      await storeB.close();
      a.close();
      b.close();
    }
  });

  it('are what admits a new model: no stored model is read for it', async () => {
    const db = openDatabase(tempDir());
    const store = new SqliteModelStore(db);
    const registry = new ModelRegistry(store, { maxModels: 2, maxParameters: 1e7 });
    try {
      await registry.add('quasimoto_1d', createModel('quasimoto_1d', { seed: 1 }), {});
      await registry.add('quasimoto_1d', createModel('quasimoto_1d', { seed: 2 }), {});
      await expect(
        registry.add('quasimoto_1d', createModel('quasimoto_1d', { seed: 3 }), {}),
      ).rejects.toMatchObject({ code: 'too_large', message: expect.stringContaining('MAX_MODELS') });
      // Were the rows counted, the registry would still be full; it admits against the kept total alone.
      db.prepare('UPDATE model_totals SET models = 0, parameters = 0').run();
      await expect(
        registry.add('quasimoto_1d', createModel('quasimoto_1d', { seed: 3 }), {}),
      ).resolves.toMatchObject({ type: 'quasimoto_1d' });
    } finally {
      await store.close();
      db.close();
    }
  });
});
