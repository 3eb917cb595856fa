import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createModel, inputFromRows, type AnyModel } from '../../../src/core/index.js';
import { ModelRegistry, type ModelStore } from '../../../src/services/store/index.js';
import { DATABASE_FILE, openDatabase, schemaVersion } from '../../../src/services/store/sqlite/database.js';
import { MIGRATIONS } from '../../../src/services/store/sqlite/migrations.js';
import { SqliteModelStore } from '../../../src/services/store/sqlite/sqlite-model-store.js';
import { RedisModelStore } from '../../../src/services/store/redis/redis-model-store.js';
import { describeWithRedis } from '../../helpers/describe-with-redis.js';
import { useTempDirs } from '../../helpers/temp-dir.js';
import { VALUE_CHUNK_BYTES } from '../../../src/services/store/postgres/model-values.js';
import { createPostgresPool } from '../../../src/services/store/postgres/pool.js';
import { databaseSettings, openPostgresDatabase } from '../../helpers/postgres-database.js';
import { describeWithPostgres } from '../../helpers/describe-with-postgres.js';

const tempDir = useTempDirs();
const LIMITS = { maxModels: 1000, maxParameters: 1e7 };

/** A quiet NaN with a payload: a value a text form or a careless copy would turn into the canonical NaN. */
const NAN_WITH_PAYLOAD = new Float64Array(new BigUint64Array([0x7ff8_0000_dead_beefn]).buffer)[0] as number;

/**
 * A network with BatchNorm (so it has buffers), large enough for shared memory (16,033 parameters), in evaluation
 * mode after a training-mode pass, with −0 and a NaN payload among its values.
 */
function awkwardNetwork(seed = 1): AnyModel {
  const model = createModel('string_theory', {
    dimensions: 64,
    hiddenSize: 96,
    numLayers: 2,
    useBatchNorm: true,
    seed,
  });
  const rows = Array.from({ length: 8 }, (_, r) =>
    Array.from({ length: 64 }, (_, c) => Math.sin(r + c + seed)),
  );
  model.forward(inputFromRows('x', rows, 64));
  model.parameters[0] = -0;
  model.parameters[1] = NAN_WITH_PAYLOAD;
  model.markChanged();
  return model.eval();
}

function bitsOf(values: Float64Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('hex');
}

function expectSameModel(found: AnyModel, model: AnyModel): void {
  expect(found.type).toBe(model.type);
  expect(found.version).toBe(model.version);
  expect(found.training).toBe(model.training);
  expect(bitsOf(found.parameters)).toBe(bitsOf(model.parameters));
  expect(bitsOf(found.buffers)).toBe(bitsOf(model.buffers));
}

/**
 * Writes through one registry and reads through another (a second process, or this one after a restart): the
 * values come back bit for bit, −0 and a NaN payload included, in shared memory.
 */
async function roundTrip(write: ModelStore, read: ModelStore): Promise<void> {
  const model = awkwardNetwork();
  const added = await new ModelRegistry(write, LIMITS).add(model.type, model, { hidden_size: 6 });
  const found = (await new ModelRegistry(read, LIMITS).get(added.id))!;
  expectSameModel(found.model, model);

  const retrained = awkwardNetwork(2);
  await new ModelRegistry(write, LIMITS).update(added.id, retrained);
  const again = (await new ModelRegistry(read, LIMITS).get(added.id))!;
  expectSameModel(again.model, retrained);
}

describe('SQLite binary model state', () => {
  it('stores a model bit-exactly, as BLOBs in format 2', async () => {
    const dir = tempDir();
    const [a, b] = [openDatabase(dir), openDatabase(dir)];
    const [first, second] = [new SqliteModelStore(a), new SqliteModelStore(b)];
    try {
      await roundTrip(first, second);
      const row = a
        .prepare(
          'SELECT state_format AS format, typeof(parameters) AS kind, length(parameters) AS bytes FROM models',
        )
        .get() as { format: number; kind: string; bytes: number };
      expect(row).toEqual({ format: 2, kind: 'blob', bytes: 8 * awkwardNetwork().parameterCount });
    } finally {
      await first.close();
      await second.close();
      a.close();
      b.close();
    }
  });
});

describe('migration 5 (binary model state)', () => {
  it('converts the models of a database written in the text format, bit-exactly, and keeps the totals', async () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    // A database as the releases before format 2 left it: steps 1 to 4 taken, models as JSON text with base64.
    const old = new Database(join(dir, DATABASE_FILE));
    old.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    for (const step of MIGRATIONS.filter((step) => step.version <= 4)) {
      old.exec(step.sql);
      old
        .prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)')
        .run(step.version, step.description, 'then');
    }
    const models = [awkwardNetwork(1), createModel('quasimoto_1d', { seed: 9 }).eval()];
    const now = new Date().toISOString();
    const insert = old.prepare(
      'INSERT INTO models (id, type, request_config, state, version, n_parameters, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    models.forEach((model, n) =>
      insert.run(
        `${model.type}_${n}`,
        model.type,
        '{}',
        JSON.stringify(model.toJSON()),
        model.version,
        model.parameterCount,
        now,
        now,
      ),
    );
    insert.run('quasimoto_1d_7', 'quasimoto_1d', '{}', '{"not":"a model"}', 0, 8, now, now);
    old.close();

    const db = openDatabase(dir);
    const store = new SqliteModelStore(db);
    try {
      expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)!.version);
      const rows = db
        .prepare('SELECT id, state_format AS format, length(parameters) AS bytes FROM models ORDER BY id')
        .all();
      expect(rows).toEqual([
        { id: 'quasimoto_1d_1', format: 2, bytes: 64 },
        // What does not restore is left as it was, and fails to load as it did before.
        { id: 'quasimoto_1d_7', format: 1, bytes: null },
        { id: 'string_theory_0', format: 2, bytes: 8 * models[0]!.parameterCount },
      ]);
      expect(db.prepare('SELECT models, parameters FROM model_totals').get()).toEqual({
        models: 3,
        parameters: models[0]!.parameterCount + 8 + 8,
      });
      const registry = new ModelRegistry(store, LIMITS);
      expectSameModel((await registry.get('string_theory_0'))!.model, models[0]!);
      expectSameModel((await registry.get('quasimoto_1d_1'))!.model, models[1]!);
      await expect(registry.get('quasimoto_1d_7')).rejects.toMatchObject({ code: 'unavailable' });
    } finally {
      await store.close();
      db.close();
    }
  });
});

describeWithRedis('Redis binary model state', (redis) => {
  let run = 0;
  const prefix = () => `binary:${run++}:`;

  it('stores a model bit-exactly, as binary hash fields in format 2', async () => {
    const [a, b] = [new Redis(redis().url), new Redis(redis().url)];
    try {
      const at = prefix();
      await roundTrip(new RedisModelStore(a, at), new RedisModelStore(b, at));
      const [key] = await a.keys(`${at}model:*`);
      const [format, parameters] = await a.hmgetBuffer(key!, 'stateFormat', 'parameters');
      expect(format?.toString()).toBe('2');
      expect(parameters?.length).toBe(8 * awkwardNetwork().parameterCount);
    } finally {
      a.disconnect();
      b.disconnect();
    }
  });

  it('reads a hash written in the text format, and rewrites it in format 2 on its next update', async () => {
    const client = new Redis(redis().url);
    const at = prefix();
    try {
      // A model as the releases before format 2 stored it: its JSON text (values in base64) in `state`.
      const model = awkwardNetwork(3);
      const now = new Date().toISOString();
      const key = `${at}model:string_theory_0`;
      await client
        .multi()
        .hset(key, {
          id: 'string_theory_0',
          type: model.type,
          requestConfig: '{}',
          state: JSON.stringify(model.toJSON()),
          version: String(model.version),
          createdAt: now,
          updatedAt: now,
          nParameters: String(model.parameterCount),
        })
        .zadd(`${at}models`, Date.parse(now), 'string_theory_0')
        .incrby(`${at}models:parameters`, model.parameterCount)
        .set(`${at}counter:string_theory`, '1')
        .exec();

      const registry = new ModelRegistry(new RedisModelStore(client, at), LIMITS);
      expectSameModel((await registry.get('string_theory_0'))!.model, model);
      expect(await client.hexists(key, 'stateFormat')).toBe(0);

      const retrained = awkwardNetwork(4);
      await registry.update('string_theory_0', retrained);
      expect(await client.hget(key, 'stateFormat')).toBe('2');
      const fresh = new ModelRegistry(new RedisModelStore(client, at), LIMITS);
      expectSameModel((await fresh.get('string_theory_0'))!.model, retrained);
    } finally {
      client.disconnect();
    }
  });
});

describeWithPostgres('PostgreSQL binary model state', (postgres) => {
  it('stores a model bit-exactly, its values as bytea chunks', async () => {
    const { pool, url, modelStore, close } = await openPostgresDatabase(postgres());
    const other = createPostgresPool(databaseSettings(url));
    try {
      await roundTrip(modelStore(), modelStore(other));
      const { rows } = await pool.query<{ part: number; total: string }>(
        'SELECT part, SUM(length(bytes)) AS total FROM model_values GROUP BY part ORDER BY part',
      );
      expect(rows.map((row) => [row.part, Number(row.total)])).toEqual([
        [0, 8 * awkwardNetwork().parameterCount],
        [1, 8 * awkwardNetwork().buffers.length],
      ]);
    } finally {
      await other.end();
      await close();
    }
  });

  it('writes a model larger than one chunk as many, and reads it back whole and bit-exact', async () => {
    const { pool, url, modelStore, close } = await openPostgresDatabase(postgres());
    const other = createPostgresPool(databaseSettings(url));
    try {
      const model = createModel('string_theory', {
        dimensions: 64,
        hiddenSize: 512,
        numLayers: 3,
        seed: 4,
      }).eval();
      const bytes = 8 * model.parameterCount;
      expect(bytes).toBeGreaterThan(3 * VALUE_CHUNK_BYTES);
      const added = await new ModelRegistry(modelStore(), LIMITS).add(model.type, model, {});
      const chunks = await pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM model_values WHERE part = 0');
      expect(Number(chunks.rows[0]!.n)).toBe(Math.ceil(bytes / VALUE_CHUNK_BYTES));
      const found = (await new ModelRegistry(modelStore(other), LIMITS).get(added.id))!;
      expectSameModel(found.model, model);
    } finally {
      await other.end();
      await close();
    }
  });
});
