import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../src/services/store/sqlite/database.js';
import { startDredgeMcp } from '../helpers/dredge-process.js';
import { postOperation } from '../helpers/mcp-server.js';
import { describeWithPostgres } from '../helpers/describe-with-postgres.js';

const EPOCHS_PER_TRAINING = 25;

/**
 * Trainings back to back, each ending in a write of the whole model, and the server killed (SIGKILL) at a random
 * moment, four times: after each restart the model is one a training finished with, never a torn one.
 * `checkStore` looks at the store itself after each kill.
 */
async function killDuringTrainings(env: NodeJS.ProcessEnv, checkStore: (cwd: string) => Promise<void>) {
  const cwd = mkdtempSync(join(tmpdir(), 'dredge-crash-'));
  {
    let server = await startDredgeMcp([], { LOG_LEVEL: 'warn', ...env }, cwd);
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
      let firstDone: () => void = () => undefined;
      const oneFinished = new Promise<void>((resolve) => (firstDone = resolve));
      const trainer = (async () => {
        while (running) {
          const trained = await postOperation(url, 'train', {
            model_id: id,
            epochs: EPOCHS_PER_TRAINING,
          }).catch(() => (running = false));
          if (typeof trained === 'object' && trained.status === 200) firstDone();
        }
      })();
      // One training finished in this round (however busy the machine), then the kill at a random moment of the
      // next ones: at least one whole training is there to keep.
      await oneFinished;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 350));
      server.child.kill('SIGKILL');
      await server.stop();
      running = false;
      await trainer;

      await checkStore(cwd);

      server = await startDredgeMcp([], { LOG_LEVEL: 'warn', ...env }, cwd);
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
  }
}

describe('crash safety of the embedded store', () => {
  it('kill -9 in the middle of training writes loses at most that training and never corrupts the registry', async () => {
    await killDuringTrainings({}, async (cwd) => {
      const db = new Database(join(cwd, '.dredge', DATABASE_FILE), { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
    });
  }, 90_000);
});

describeWithPostgres('crash safety of the PostgreSQL store', (postgres) => {
  it('kill -9 in the middle of training writes loses at most that training and never corrupts the registry', async () => {
    const url = await postgres().createDatabase('dredge_crash');
    await killDuringTrainings({ STORE_BACKEND: 'postgres', DATABASE_URL: url }, async () => {
      // Every model's chunks add up to the length its row records: no write was left half done.
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query<{ id: string; recorded: string; stored: string | null }>(
          'SELECT m.id, m.parameter_bytes AS recorded, SUM(length(v.bytes)) AS stored FROM models m ' +
            'LEFT JOIN model_values v ON v.model_id = m.id AND v.part = 0 GROUP BY m.id, m.parameter_bytes',
        );
        expect(rows).toHaveLength(1);
        for (const row of rows) expect(Number(row.stored ?? 0)).toBe(Number(row.recorded));
      } finally {
        await client.end();
      }
    });
  }, 90_000);
});
