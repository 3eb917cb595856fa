import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { DATABASE_FILE, openDatabase, schemaVersion } from '../../../src/services/store/sqlite/database.js';
import { MIGRATIONS } from '../../../src/services/store/sqlite/migrations.js';
import { ModelRegistry } from '../../../src/services/store/index.js';
import { SqliteModelStore } from '../../../src/services/store/sqlite/sqlite-model-store.js';
import { RedisModelStore } from '../../../src/services/store/redis/redis-model-store.js';
import { createModel } from '../../../src/core/index.js';
import { asBuffer, binaryState } from '../../../src/services/store/model-state.js';
import { describeWithRedis } from '../../helpers/describe-with-redis.js';
import { useTempDirs } from '../../helpers/temp-dir.js';
import { describeRegistryContract } from './registry-contract.js';
import { describeWithPostgres } from '../../helpers/describe-with-postgres.js';
import { openPostgresDatabase } from '../../helpers/postgres-database.js';
import { createPostgresPool } from '../../../src/services/store/postgres/pool.js';
import { databaseSettings } from '../../helpers/postgres-database.js';

const tempDir = useTempDirs();
const LIMITS = { maxModels: 1000, maxParameters: 1e7 };

describeRegistryContract('SQLite', async (limits = LIMITS) => {
  const dir = tempDir();
  // Two connections to one file: what two processes sharing DATA_DIR, or one process after a restart, see.
  const [a, b] = [openDatabase(dir), openDatabase(dir)];
  const [storeA, storeB] = [new SqliteModelStore(a), new SqliteModelStore(b)];
  return {
    first: new ModelRegistry(storeA, limits),
    second: new ModelRegistry(storeB, limits),
    store: storeA,
    close: async () => {
      await storeA.close();
      await storeB.close();
      a.close();
      b.close();
    },
  };
});

describe('the embedded database', () => {
  it('lives in DATA_DIR, in WAL mode, at the latest schema version, and reopens without migrating again', () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    expect(existsSync(join(dir, DATABASE_FILE))).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)!.version);
    db.close();
    const again = openDatabase(dir);
    expect((again.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get() as { n: number }).n).toBe(
      MIGRATIONS.length,
    );
    again.close();
  });
});

describe('migration 2 (training histories)', () => {
  it('upgrades a database made by the first release: its models stay whole and have no history yet', async () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    // The first release's database: only step 1 taken, one model in it.
    const old = new Database(join(dir, DATABASE_FILE));
    old.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    old.exec(MIGRATIONS[0]!.sql);
    old.prepare('INSERT INTO schema_migrations VALUES (1, ?, ?)').run('first', new Date().toISOString());
    const model = createModel('quasimoto_1d', { seed: 9 }).eval();
    const now = new Date().toISOString();
    old
      .prepare('INSERT INTO models VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run('quasimoto_1d_0', 'quasimoto_1d', '{}', JSON.stringify(model.toJSON()), 0, 8, now, now);
    old.close();

    const db = openDatabase(dir);
    try {
      expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)!.version);
      const found = await new ModelRegistry(new SqliteModelStore(db), LIMITS).get('quasimoto_1d_0');
      expect(Array.from(found!.model.parameters)).toEqual(Array.from(model.parameters));
      expect(found!.training).toBeUndefined();
    } finally {
      db.close();
    }
  });
});

describe('migration 9 (model versions)', () => {
  it('upgrades a database at step 8: its models stay whole, keep their version, and start keeping versions', async () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    // The previous release's database: steps 1 to 8 taken, one trained model (format 2) in it.
    const old = new Database(join(dir, DATABASE_FILE));
    old.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    for (const step of MIGRATIONS.filter(({ version }) => version <= 8)) {
      old.exec(step.sql);
      old
        .prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)')
        .run(step.version, step.description, 'then');
    }
    const model = createModel('quasimoto_1d', { seed: 9 }).eval();
    for (let i = 0; i < 5; i++) model.markChanged();
    const state = binaryState(model.snapshot());
    const now = new Date().toISOString();
    old
      .prepare(
        'INSERT INTO models (id, type, request_config, state, state_format, parameters, buffers, version, ' +
          'n_parameters, created_at, updated_at, tenant) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        'quasimoto_1d_0',
        'quasimoto_1d',
        '{}',
        state.header,
        state.format,
        asBuffer(state.parameters),
        asBuffer(state.buffers),
        5,
        model.parameterCount,
        now,
        now,
        'default',
      );
    old.close();

    const db = openDatabase(dir);
    const store = new SqliteModelStore(db);
    try {
      expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)!.version);
      const registry = new ModelRegistry(store, { ...LIMITS, versionsKept: 3 });
      const found = await registry.get('quasimoto_1d_0');
      expect(found!.model.version).toBe(5);
      expect(Array.from(found!.model.parameters)).toEqual(Array.from(model.parameters));
      expect(await registry.versionsOf('quasimoto_1d_0')).toEqual([5]);
      const retrained = createModel('quasimoto_1d', { seed: 10 }).eval();
      for (let i = 0; i < 6; i++) retrained.markChanged();
      await registry.update('quasimoto_1d_0', retrained);
      expect(await registry.versionsOf('quasimoto_1d_0')).toEqual([6, 5]);
      const before = await registry.getVersion('quasimoto_1d_0', 5);
      expect(Array.from(before!.model.parameters)).toEqual(Array.from(model.parameters));
    } finally {
      await store.close();
      db.close();
    }
  });
});

describe('SQLite model registry, failing', () => {
  it('answers 503 with a sentence when the database fails', async () => {
    const db = openDatabase(tempDir());
    const registry = new ModelRegistry(new SqliteModelStore(db), LIMITS);
    db.close();
    await expect(registry.get('quasimoto_1d_0')).rejects.toMatchObject({
      code: 'unavailable',
      message: 'The model store (SQLite) is unavailable; try again shortly.',
    });
    await expect(registry.add('quasimoto_1d', createModel('quasimoto_1d'), {})).rejects.toMatchObject({
      code: 'unavailable',
    });
  });
});

describeWithRedis('Redis model registry', (redis) => {
  let run = 0;
  describeRegistryContract('Redis', async (limits = LIMITS) => {
    const prefix = `test:${run++}:`;
    const [a, b] = [new Redis(redis().url), new Redis(redis().url)];
    const store = new RedisModelStore(a, prefix);
    return {
      first: new ModelRegistry(store, limits),
      second: new ModelRegistry(new RedisModelStore(b, prefix), limits),
      store,
      close: async () => {
        a.disconnect();
        b.disconnect();
      },
    };
  });

  it('answers 503 with a sentence while Redis is away', async () => {
    const client = new Redis(redis().url, { maxRetriesPerRequest: 0, enableOfflineQueue: false });
    client.on('error', () => undefined);
    const registry = new ModelRegistry(new RedisModelStore(client, 'test:away:'), LIMITS);
    await redis().kill();
    try {
      await expect(registry.get('quasimoto_1d_0')).rejects.toMatchObject({ code: 'unavailable' });
    } finally {
      client.disconnect();
      await redis().start();
    }
  });
});

describeWithPostgres('PostgreSQL model registry', (postgres) => {
  describeRegistryContract('PostgreSQL', async (limits = LIMITS) => {
    // Two pools on one database: what two replicas, or one process before and after a restart, see.
    const database = await openPostgresDatabase(postgres());
    const other = createPostgresPool(databaseSettings(database.url));
    const store = database.modelStore();
    return {
      first: new ModelRegistry(store, limits),
      second: new ModelRegistry(database.modelStore(other), limits),
      store,
      close: async () => {
        await other.end();
        await database.close();
      },
    };
  });

  /** A registry on a fresh database whose deadlines are half a second, as a server configured so would have. */
  const impatientRegistry = async () => {
    const database = await openPostgresDatabase(postgres(), {
      connectTimeoutMs: 500,
      statementTimeoutMs: 500,
    });
    return { database, registry: new ModelRegistry(database.modelStore(), LIMITS) };
  };

  it('answers 503 with a sentence within the connect timeout while PostgreSQL is away', async () => {
    const { database, registry } = await impatientRegistry();
    await postgres().kill();
    try {
      const started = Date.now();
      await expect(registry.get('quasimoto_1d_0')).rejects.toMatchObject({
        code: 'unavailable',
        message: 'The model store (PostgreSQL) is unavailable; try again shortly.',
      });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await postgres().start();
      await database.close();
    }
  });

  it('answers 503 within the statement timeout while PostgreSQL hangs', async () => {
    const { database, registry } = await impatientRegistry();
    // A connection made before the hang, as a running server's pool holds.
    await registry.list();
    postgres().pause();
    try {
      const started = Date.now();
      await expect(registry.get('quasimoto_1d_0')).rejects.toMatchObject({ code: 'unavailable' });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      postgres().resume();
      await database.close();
    }
  });
});
