import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { PendingTaskRecord, PendingTaskStore } from '../../../src/services/store/pending-tasks.js';
import { RedisPendingTaskStore } from '../../../src/services/store/redis/redis-pending-tasks.js';
import { openDatabase } from '../../../src/services/store/sqlite/database.js';
import { SqlitePendingTaskStore } from '../../../src/services/store/sqlite/sqlite-pending-tasks.js';
import { describeWithRedis } from '../../helpers/describe-with-redis.js';
import { useTempDirs } from '../../helpers/temp-dir.js';
import type { Awaitable } from '../../helpers/postgres-database.js';
import { describeWithPostgres } from '../../helpers/describe-with-postgres.js';
import { openPostgresDatabase } from '../../helpers/postgres-database.js';
import { PostgresPendingTaskStore } from '../../../src/services/store/postgres/postgres-pending-tasks.js';

const tempDir = useTempDirs();
const LEASE_MS = 30_000;

function task(id: string, owner: string, createdAt: number, extra: Partial<PendingTaskRecord> = {}) {
  const record: PendingTaskRecord = {
    id,
    owner,
    state: 'pending',
    attempts: 0,
    maxAttempts: 3,
    timeoutMs: 60_000,
    createdAt,
    startedAt: null,
    operation: 'train',
    tenant: 'default',
    traceparent: null,
    params: '{"model_id":"quasimoto_1d_0","epochs":10}',
    ...extra,
  };
  return record;
}

function describePendingTasks(
  name: string,
  open: () => Awaitable<{ store: PendingTaskStore; close(): unknown }>,
) {
  describe(`${name} pending tasks`, () => {
    it('keeps a task exactly as accepted, follows its attempts, and forgets it once finished', async () => {
      const { store, close } = await open();
      try {
        const params = JSON.stringify({
          text: 'ünïcödé ✓ \u2028',
          big: 2 ** 53 - 1,
          tiny: 5e-324,
          deep: [[{ a: null }]],
        });
        const accepted = task('t1', 'engine-a', 1000, {
          params,
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        });
        await store.add(accepted, LEASE_MS);
        expect(await store.get('t1')).toEqual(accepted);
        await store.update('t1', { state: 'running', attempts: 1, startedAt: 2000 });
        expect(await store.get('t1')).toEqual({
          ...accepted,
          state: 'running',
          attempts: 1,
          startedAt: 2000,
        });
        await store.remove('t1');
        expect(await store.get('t1')).toBeUndefined();
        // A late change never brings a finished task back.
        await store.update('t1', { state: 'pending', attempts: 1, startedAt: null });
        expect(await store.get('t1')).toBeUndefined();
      } finally {
        await close();
      }
    });

    it("never gives away a live engine's tasks; takes over a lapsed or released engine's, oldest first", async () => {
      const { store, close } = await open();
      try {
        await store.add(task('live1', 'live', 1), LEASE_MS);
        await store.add(task('gone2', 'gone', 30), 50);
        await store.add(task('gone1', 'gone', 20, { state: 'running', attempts: 2, startedAt: 25 }), 50);
        await store.add(task('quit1', 'quit', 10), LEASE_MS);
        await store.release('quit');
        expect((await store.claimOrphans('heir', LEASE_MS, 10)).map((t) => t.id)).toEqual(['quit1']);
        await sleep(80);
        const claimed = await store.claimOrphans('heir', LEASE_MS, 1);
        expect(claimed).toEqual([
          task('gone1', 'heir', 20, { state: 'running', attempts: 2, startedAt: 25 }),
        ]);
        expect((await store.claimOrphans('heir', LEASE_MS, 10)).map((t) => t.id)).toEqual(['gone2']);
        expect(await store.claimOrphans('heir', LEASE_MS, 10)).toEqual([]);
        expect((await store.get('live1'))?.owner).toBe('live');
        // The heir's lease holds now: nobody else takes what it took over.
        expect(await store.claimOrphans('other', LEASE_MS, 10)).toEqual([]);
      } finally {
        await close();
      }
    });

    it('gives each orphan to one engine when several look at once', async () => {
      const { store, close } = await open();
      try {
        for (let i = 0; i < 30; i++) await store.add(task(`t${i}`, 'dead', i), 20);
        await sleep(50);
        const claims = await Promise.all(
          ['a', 'b', 'c'].map((heir) => store.claimOrphans(heir, LEASE_MS, 30)),
        );
        const ids = claims.flat().map((t) => t.id);
        expect(ids).toHaveLength(30);
        expect(new Set(ids).size).toBe(30);
      } finally {
        await close();
      }
    });
  });
}

describePendingTasks('SQLite', () => {
  const db = openDatabase(tempDir());
  return { store: new SqlitePendingTaskStore(db), close: () => db.close() };
});

describeWithRedis('Redis pending tasks', (redis) => {
  let run = 0;
  describePendingTasks('Redis', () => {
    const client = new Redis(redis().url);
    return {
      store: new RedisPendingTaskStore(client, `pending:${run++}:`),
      close: () => client.disconnect(),
    };
  });
});

describeWithPostgres('PostgreSQL pending tasks', (postgres) => {
  describePendingTasks('PostgreSQL', async () => {
    const database = await openPostgresDatabase(postgres());
    return { store: new PostgresPendingTaskStore(database.pool), close: database.close };
  });
});
