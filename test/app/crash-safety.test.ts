import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../src/services/store/sqlite/database.js';
import { startDredgeMcp } from '../helpers/dredge-process.js';
import { postOperation } from '../helpers/mcp-server.js';

const EPOCHS_PER_TRAINING = 25;

describe('crash safety of the embedded store', () => {
  it('kill -9 in the middle of training writes loses at most that training and never corrupts the registry', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'dredge-crash-'));
    let server = await startDredgeMcp([], { LOG_LEVEL: 'warn' }, cwd);
    const loaded = await postOperation(server.url, 'load_model', {
      model_type: 'quasimoto_ensemble',
      config: { n_waves: 8, seed: 5 },
    });
    const id = loaded.body.model_id as string;
    let lastVersion = 0;
    for (let round = 0; round < 4; round++) {
      // Trainings back to back, each ending in a write of the whole model; the process dies at a random moment.
      const url = server.url;
      let running = true;
      const trainer = (async () => {
        while (running)
          await postOperation(url, 'train', { model_id: id, epochs: EPOCHS_PER_TRAINING }).catch(
            () => (running = false),
          );
      })();
      await new Promise((resolve) => setTimeout(resolve, 150 + Math.random() * 350));
      server.child.kill('SIGKILL');
      await server.stop();
      running = false;
      await trainer;

      const db = new Database(join(cwd, '.dredge', DATABASE_FILE), { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();

      server = await startDredgeMcp([], { LOG_LEVEL: 'warn' }, cwd);
      const parameters = await postOperation(server.url, 'get_parameters', { model_id: id });
      expect(parameters.status).toBe(200);
      const version = parameters.body.version as number;
      // Whole trainings only: the stored state is one that a training finished with, never a torn one.
      expect(version % EPOCHS_PER_TRAINING).toBe(0);
      expect(version).toBeGreaterThanOrEqual(lastVersion);
      lastVersion = version;
      expect(
        (await postOperation(server.url, 'inference', { model_id: id, inputs: { x: [0.5] } })).status,
      ).toBe(200);
      expect((await postOperation(server.url, 'list_models')).body.count).toBe(1);
    }
    expect(lastVersion).toBeGreaterThan(0);
    await server.stop();
  }, 90_000);
});
