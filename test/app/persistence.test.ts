import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithRedis } from '../helpers/describe-with-redis.js';
import { describeWithPostgres } from '../helpers/describe-with-postgres.js';
import { startDredgeMcp, type DredgeProcess } from '../helpers/dredge-process.js';
import { postOperation, startMcpServer } from '../helpers/mcp-server.js';

const X = { x: [0.1, 0.4, 0.9], t: [0] };

describe('models survive a restart (SQLite in DATA_DIR)', () => {
  it('brings every model back with identical parameters, version and outputs, and numbers on', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'dredge-restart-'));
    const before = await startMcpServer({}, cwd);
    const wave = await before.call('load_model', { model_type: 'quasimoto_1d', config: { seed: 4 } });
    const network = await before.call('load_model', {
      model_type: 'string_theory',
      config: { dimensions: 2, hidden_size: 3, num_layers: 2, use_batch_norm: true, seed: 4 },
    });
    await before.call('train', { model_id: wave.body.model_id, epochs: 12 });
    const outputs = (await before.call('inference', { model_id: wave.body.model_id, inputs: X })).body.output;
    const networkOutputs = (
      await before.call('inference', { model_id: network.body.model_id, inputs: { x: [[0.2, 0.3]] } })
    ).body.output;
    const parameters = (await before.call('get_parameters', { model_id: wave.body.model_id })).body;
    await before.close();

    const after = await startMcpServer({}, cwd);
    try {
      expect((await after.call('get_parameters', { model_id: wave.body.model_id })).body).toEqual(parameters);
      expect(
        (await after.call('inference', { model_id: wave.body.model_id, inputs: X })).body.output,
      ).toEqual(outputs);
      expect(
        (await after.call('inference', { model_id: network.body.model_id, inputs: { x: [[0.2, 0.3]] } })).body
          .output,
      ).toEqual(networkOutputs);
      expect(parameters.version).toBe(12);
      const next = await after.call('load_model', { model_type: 'quasimoto_4d' });
      expect(next.body.model_id).toBe('quasimoto_4d_1');
      expect((await after.call('list_models')).body.count).toBe(3);
    } finally {
      await after.close();
    }
  });
});

/** Two replicas on one shared store: each serves the other's models, ids never collide. */
function describeSharedModels(env: () => NodeJS.ProcessEnv): void {
  let replicas: DredgeProcess[];

  beforeAll(async () => {
    const shared = { ...env(), LOG_LEVEL: 'warn' };
    replicas = await Promise.all([startDredgeMcp([], shared), startDredgeMcp([], shared)]);
  }, 30_000);

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
  });

  it("serves each other's models, and a model retrained on one is used by the other at once", async () => {
    const [a, b] = replicas.map((replica) => replica.url) as [string, string];
    const loaded = await postOperation(a, 'load_model', { model_type: 'quasimoto_1d', config: { seed: 9 } });
    const id = loaded.body.model_id as string;
    const onA = await postOperation(a, 'inference', { model_id: id, inputs: X });
    const onB = await postOperation(b, 'inference', { model_id: id, inputs: X });
    expect(onB.status).toBe(200);
    expect(onB.body.output).toEqual(onA.body.output);
    await postOperation(b, 'train', { model_id: id, epochs: 10 });
    const retrained = await postOperation(a, 'inference', { model_id: id, inputs: X });
    expect(retrained.body.cached).toBe(false);
    expect(retrained.body.output).not.toEqual(onA.body.output);
    expect((await postOperation(a, 'get_parameters', { model_id: id })).body.version).toBe(10);
  });

  it('gives concurrent load_model calls on both replicas distinct ids', async () => {
    const calls = Array.from({ length: 20 }, (_, i) =>
      postOperation(replicas[i % 2]!.url, 'load_model', { model_type: 'quasimoto_4d' }),
    );
    const ids = (await Promise.all(calls)).map((answer) => answer.body.model_id as string);
    expect(new Set(ids).size).toBe(20);
    for (const id of ids) expect(id).toMatch(/^quasimoto_4d_\d+$/);
  });
}

describeWithRedis('models shared by replicas (STORE_BACKEND=redis)', (redis) => {
  describeSharedModels(() => ({ STORE_BACKEND: 'redis', REDIS_URL: redis().url }));
});

describeWithPostgres('models shared by replicas (STORE_BACKEND=postgres)', (postgres) => {
  let url = '';
  beforeAll(async () => {
    url = await postgres().createDatabase('dredge_replicas');
  });
  describeSharedModels(() => ({ STORE_BACKEND: 'postgres', DATABASE_URL: url }));
});

describeWithPostgres('a PostgreSQL store that stops (STORE_BACKEND=postgres)', (postgres) => {
  it('answers 503 with a sentence within DATABASE_CONNECT_TIMEOUT, and serves again once it is back', async () => {
    const url = await postgres().createDatabase('dredge_stops');
    const server = await startDredgeMcp([], {
      STORE_BACKEND: 'postgres',
      DATABASE_URL: url,
      DATABASE_CONNECT_TIMEOUT: '1',
      DATABASE_STATEMENT_TIMEOUT: '1',
      LOG_LEVEL: 'silent',
    });
    try {
      const loaded = await postOperation(server.url, 'load_model', { model_type: 'quasimoto_1d' });
      const id = loaded.body.model_id as string;
      await postgres().kill();
      const started = Date.now();
      const away = await postOperation(server.url, 'get_parameters', { model_id: id });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(away.status).toBe(503);
      expect(away.body).toMatchObject({
        success: false,
        code: 'unavailable',
        error: 'The model store (PostgreSQL) is unavailable; try again shortly.',
      });
      await postgres().start();
      const back = await postOperation(server.url, 'get_parameters', { model_id: id });
      expect(back.status).toBe(200);
    } finally {
      await postgres().start();
      await server.stop();
    }
  }, 60_000);
});
