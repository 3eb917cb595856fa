import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createModel } from '../../../src/core/index.js';
import { FinishedTasks } from '../../../src/services/queue/finished-tasks.js';
import { ModelRegistry } from '../../../src/services/store/model-registry.js';
import type { ModelStore } from '../../../src/services/store/model-store.js';
import type { InsightStore, TaskResultStore } from '../../../src/services/store/records.js';
import { RedisModelStore } from '../../../src/services/store/redis/redis-model-store.js';
import { RedisInsightStore, RedisTaskResultStore } from '../../../src/services/store/redis/redis-records.js';
import { DATABASE_FILE, openDatabase, schemaVersion } from '../../../src/services/store/sqlite/database.js';
import { MIGRATIONS } from '../../../src/services/store/sqlite/migrations.js';
import { SqliteModelStore } from '../../../src/services/store/sqlite/sqlite-model-store.js';
import {
  SqliteInsightStore,
  SqliteTaskResultStore,
} from '../../../src/services/store/sqlite/sqlite-records.js';
import { insightId, type TenantQuotas } from '../../../src/services/store/tenancy.js';
import { describeWithRedis } from '../../helpers/describe-with-redis.js';
import { useTempDirs } from '../../helpers/temp-dir.js';

const tempDir = useTempDirs();
const LIMITS = { maxModels: 100, maxParameters: 10_000_000 };
const INSIGHT_LIMITS = { maxInsights: 1000, maxBytes: 1_000_000 };
const QUOTAS: TenantQuotas = { maxModels: 2, maxParameters: 1_000_000, maxInsights: 2 };

interface Stores {
  models: ModelStore;
  insights: InsightStore;
  results: TaskResultStore;
  close(): Promise<void>;
}

const wave = () => createModel('quasimoto_1d', {}).eval();

function describeTenancy(name: string, open: () => Stores) {
  describe(`${name}: tenants apart`, () => {
    it('finds, lists, deletes and counts a model only in its own tenant', async () => {
      const stores = open();
      try {
        const registry = new ModelRegistry(stores.models, LIMITS, QUOTAS);
        const a = await registry.add('quasimoto_1d', wave(), {}, 'tenant-a');
        const d = await registry.add('quasimoto_1d', wave(), {}, 'default');
        expect(d.id).toBe('quasimoto_1d_0');
        // Random outside the default tenant: it says nothing about how many models anyone made.
        expect(a.id).toMatch(/^quasimoto_1d_[0-9a-f]{32}$/);
        expect(await registry.get(a.id, 'tenant-b')).toBeUndefined();
        expect((await registry.get(a.id, 'tenant-a'))?.tenant).toBe('tenant-a');
        expect(await registry.get(d.id, 'tenant-a')).toBeUndefined();
        expect((await registry.list('tenant-b')).map((m) => m.id)).toEqual([]);
        expect((await registry.list('tenant-a')).map((m) => m.id)).toEqual([a.id]);
        expect((await registry.list()).length).toBe(2);
        expect(await registry.delete(a.id, 'tenant-b')).toBe(false);
        expect(await registry.get(a.id, 'tenant-a')).toBeDefined();
        expect(await stores.models.tenantTotals('tenant-a')).toMatchObject({ models: 1 });
        expect(await stores.models.totals()).toMatchObject({ models: 2 });
        expect(await registry.delete(a.id, 'tenant-a')).toBe(true);
        expect(await stores.models.totals()).toMatchObject({ models: 1 });
      } finally {
        await stores.close();
      }
    });

    it('holds each tenant to TENANT_MAX_MODELS with a 413 naming the key', async () => {
      const stores = open();
      try {
        const registry = new ModelRegistry(stores.models, LIMITS, QUOTAS);
        await registry.add('quasimoto_1d', wave(), {}, 'tenant-a');
        await registry.add('quasimoto_1d', wave(), {}, 'tenant-a');
        await expect(registry.add('quasimoto_1d', wave(), {}, 'tenant-a')).rejects.toMatchObject({
          code: 'too_large',
          message: expect.stringContaining('TENANT_MAX_MODELS') as unknown,
        });
        await expect(registry.checkFits(10, 'tenant-a')).rejects.toMatchObject({ status: 413 });
        // Another tenant is not held by tenant-a's models.
        await registry.add('quasimoto_1d', wave(), {}, 'tenant-b');
        const small = new ModelRegistry(stores.models, LIMITS, { ...QUOTAS, maxParameters: 10 });
        await expect(small.checkFits(11, 'tenant-c')).rejects.toThrow('TENANT_MAX_MODEL_PARAMETERS');
      } finally {
        await stores.close();
      }
    });

    it('keeps insights per tenant: the same text is new in each, under different ids', async () => {
      const stores = open();
      try {
        const text = 'Digital memory must be human-reachable';
        const [idA, idB] = [insightId('tenant-a', text), insightId('tenant-b', text)];
        expect(idA).not.toBe(idB);
        expect(insightId('default', text)).toMatch(/^[0-9a-f]{64}$/);
        expect((await stores.insights.save(idA, text, 'tenant-a')).created).toBe(true);
        expect((await stores.insights.save(idB, text, 'tenant-b')).created).toBe(true);
        expect(await stores.insights.get(idA, 'tenant-b')).toBeUndefined();
        expect(await stores.insights.delete(idA, 'tenant-b')).toBe(false);
        const listed = await stores.insights.list({ offset: 0, limit: 10, tenant: 'tenant-b' });
        expect(listed).toMatchObject({ total: 1, items: [{ id: idB }] });
        const searched = await stores.insights.list({ offset: 0, limit: 10, search: 'memory', tenant: 'x' });
        expect(searched.total).toBe(0);
        expect(await stores.insights.delete(idA, 'tenant-a')).toBe(true);
      } finally {
        await stores.close();
      }
    });

    it('holds each tenant to TENANT_MAX_INSIGHTS with a 413 naming the key', async () => {
      const stores = open();
      try {
        for (const text of ['one', 'two']) await stores.insights.save(insightId('q', text), text, 'q');
        await expect(stores.insights.save(insightId('q', 'three'), 'three', 'q')).rejects.toMatchObject({
          code: 'too_large',
          message: expect.stringContaining('TENANT_MAX_INSIGHTS') as unknown,
        });
        expect((await stores.insights.save(insightId('r', 'three'), 'three', 'r')).created).toBe(true);
      } finally {
        await stores.close();
      }
    });

    it('answers a task result to its own tenant only', async () => {
      const stores = open();
      try {
        const finished = new FinishedTasks(stores.results, 60_000);
        const view = {
          task_id: 'f9b4a1c2-0000-4000-8000-000000000001',
          operation: 'list_models',
          status: 'completed' as const,
          created_at: new Date().toISOString(),
          started_at: null,
          completed_at: null,
          attempts: 1,
          max_attempts: 1,
          error: null,
          worker: null,
          progress: null,
        };
        await finished.save(view, 'tenant-a', '{"success":true}');
        expect(await finished.get(view.task_id, 'tenant-b')).toBeUndefined();
        expect(await finished.get(view.task_id, 'tenant-a')).toMatchObject({ result: { success: true } });
        expect(await finished.get(view.task_id)).toBeDefined();
      } finally {
        await stores.close();
      }
    });
  });
}

describeTenancy('SQLite', () => {
  const db = openDatabase(tempDir());
  const models = new SqliteModelStore(db);
  return {
    models,
    insights: new SqliteInsightStore(db, INSIGHT_LIMITS, undefined, QUOTAS),
    results: new SqliteTaskResultStore(db),
    close: async () => {
      await models.close();
      db.close();
    },
  };
});

describeWithRedis('Redis tenancy', (redis) => {
  let run = 0;
  describeTenancy('Redis', () => {
    const client = new Redis(redis().url);
    const prefix = `tenancy:${run++}:`;
    return {
      models: new RedisModelStore(client, prefix),
      insights: new RedisInsightStore(client, INSIGHT_LIMITS, prefix, QUOTAS),
      results: new RedisTaskResultStore(client, prefix),
      close: async () => {
        client.disconnect();
      },
    };
  });

  it('two replicas sharing Redis agree on every tenant’s models and quotas', async () => {
    const [one, two] = [new Redis(redis().url), new Redis(redis().url)];
    const prefix = 'tenancy:replicas:';
    try {
      const first = new ModelRegistry(new RedisModelStore(one, prefix), LIMITS, QUOTAS);
      const second = new ModelRegistry(new RedisModelStore(two, prefix), LIMITS, QUOTAS);
      const made = await first.add('quasimoto_1d', wave(), {}, 'tenant-a');
      expect((await second.get(made.id, 'tenant-a'))?.id).toBe(made.id);
      expect(await second.get(made.id, 'tenant-b')).toBeUndefined();
      await second.add('quasimoto_1d', wave(), {}, 'tenant-a');
      await expect(first.add('quasimoto_1d', wave(), {}, 'tenant-a')).rejects.toThrow('TENANT_MAX_MODELS');
    } finally {
      one.disconnect();
      two.disconnect();
    }
  });

  it('treats data written before tenancy as the default tenant’s', async () => {
    const client = new Redis(redis().url);
    const prefix = 'tenancy:legacy:';
    try {
      // What an earlier release wrote: an insight without a tenant part, a result as a plain string.
      const id = insightId('default', 'old text');
      await client.hset(`${prefix}insight:${id}`, 'text', 'old text', 'createdAt', new Date().toISOString());
      await client.zadd(`${prefix}insights`, Date.now(), id);
      await client.set(`${prefix}task:t-old`, '{"task_id":"t-old"}');
      const insights = new RedisInsightStore(client, { maxInsights: 2, maxBytes: 1000 }, prefix);
      expect((await insights.get(id))?.text).toBe('old text');
      expect(await insights.get(id, 'tenant-a')).toBeUndefined();
      // The totals of every tenant start from the default tenant's: one kept, one more fits, then full.
      expect((await insights.save(insightId('t', 'x'), 'x', 't')).created).toBe(true);
      await expect(insights.save(insightId('t', 'y'), 'y', 't')).rejects.toThrow('MAX_INSIGHTS');
      const results = new RedisTaskResultStore(client, prefix);
      expect(await results.get('t-old', 'default')).toBe('{"task_id":"t-old"}');
      expect(await results.get('t-old', 'tenant-a')).toBeUndefined();
    } finally {
      client.disconnect();
    }
  });
});

describe('SQLite migration 8', () => {
  it('gives the rows of a database made by migrations 1 to 7 to the default tenant', async () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    const old = new Database(join(dir, DATABASE_FILE));
    old.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    for (const step of MIGRATIONS.filter((m) => m.version <= 7)) {
      old.exec(step.sql);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(step.version, 'before', 'then');
    }
    const now = new Date().toISOString();
    old
      .prepare('INSERT INTO insights (id, text, created_at) VALUES (?, ?, ?)')
      .run(insightId('default', 'kept'), 'kept', now);
    old
      .prepare('INSERT INTO task_results (id, result, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run('t1', '{"task_id":"t1"}', now, Date.now() + 60_000);
    old.close();
    const db = openDatabase(dir);
    const models = new SqliteModelStore(db);
    try {
      expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)!.version);
      const insights = new SqliteInsightStore(db, INSIGHT_LIMITS);
      expect((await insights.list({ offset: 0, limit: 5 })).total).toBe(1);
      expect(await insights.get(insightId('default', 'kept'), 'tenant-a')).toBeUndefined();
      expect((await insights.get(insightId('default', 'kept')))?.text).toBe('kept');
      const results = new SqliteTaskResultStore(db);
      expect(await results.get('t1', 'default')).toBe('{"task_id":"t1"}');
      expect(await results.get('t1', 'tenant-a')).toBeUndefined();
      // A model stored now in the default tenant keeps the original's numbering.
      const registry = new ModelRegistry(models, LIMITS);
      expect((await registry.add('quasimoto_1d', wave(), {})).id).toBe('quasimoto_1d_0');
      expect(await models.tenantTotals('default')).toMatchObject({ models: 1 });
    } finally {
      await models.close();
      db.close();
    }
  });
});
