import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { PendingTaskRecord, PendingTaskStore } from '../../../src/services/store/pending-tasks.js';
import { RedisPendingTaskStore } from '../../../src/services/store/redis/redis-pending-tasks.js';
import { RedisTaskResultStore } from '../../../src/services/store/redis/redis-records.js';
import { openDatabase } from '../../../src/services/store/sqlite/database.js';
import { SqlitePendingTaskStore } from '../../../src/services/store/sqlite/sqlite-pending-tasks.js';
import { SqliteTaskResultStore } from '../../../src/services/store/sqlite/sqlite-records.js';
import { describeWithRedis } from '../../helpers/describe-with-redis.js';
import { useTempDirs } from '../../helpers/temp-dir.js';
import { localTaskService } from './local-task-service.js';
import { testExecutor } from './task-service-contract.js';

const tempDir = useTempDirs();

/** A task an engine named `owner` accepted, whose lease lapsed 1 ms after it was written. */
async function orphan(
  store: PendingTaskStore,
  id: string,
  fields: Partial<PendingTaskRecord>,
): Promise<void> {
  await store.add(
    {
      id,
      owner: 'killed/1',
      state: 'pending',
      attempts: 0,
      maxAttempts: 3,
      timeoutMs: 60_000,
      createdAt: Date.now(),
      startedAt: null,
      operation: 'echo',
      tenant: 'default',
      traceparent: null,
      params: JSON.stringify({ key: id }),
      ...fields,
    },
    1,
  );
}

describe('the local task service, durable', () => {
  it('has a task in the store before submit answers, and forgets it once its ending is recorded', async () => {
    const db = openDatabase(tempDir());
    const pending = new SqlitePendingTaskStore(db);
    const service = localTaskService(db, {}, { pending });
    try {
      // Not started: nothing runs it yet, but it is accepted, and so stored.
      const { task_id } = await service.submit('echo', { key: 'k', n: [1, 2] }, { tenant: 'acme' });
      expect(await pending.get(task_id)).toMatchObject({
        state: 'pending',
        operation: 'echo',
        tenant: 'acme',
        params: '{"key":"k","n":[1,2]}',
      });
      service.start(testExecutor().executor);
      expect(await service.wait(task_id, 10_000)).toMatchObject({ status: 'completed' });
      expect(await pending.get(task_id)).toBeUndefined();
    } finally {
      await service.close(0);
      db.close();
    }
  });

  it('refuses a task the store does not take (503), and holds nothing of it', async () => {
    const db = openDatabase(tempDir());
    const away = new SqlitePendingTaskStore(db);
    away.add = () => Promise.reject(new Error('Connection is closed.'));
    const service = localTaskService(db, {}, { pending: away });
    service.start(testExecutor().executor);
    try {
      await expect(service.submit('echo', {}, { tenant: 'default' })).rejects.toMatchObject({
        code: 'unavailable',
        message: expect.stringContaining('not accepted'),
      });
      expect(await service.stats()).toMatchObject({ waiting: 0, running: 0 });
    } finally {
      await service.close(0);
      db.close();
    }
  });

  it("on start runs a stopped engine's waiting tasks, retries its running ones, and fails as interrupted those out of attempts", async () => {
    const db = openDatabase(tempDir());
    const pending = new SqlitePendingTaskStore(db);
    await orphan(pending, 'waiting', {});
    await orphan(pending, 'retried', { state: 'running', attempts: 1, startedAt: Date.now() });
    await orphan(pending, 'spent', { state: 'running', attempts: 2, maxAttempts: 2, startedAt: Date.now() });
    await sleep(5);
    const { executor, attemptsOf } = testExecutor();
    const service = localTaskService(db, {}, { pending });
    service.start(executor);
    try {
      expect(await service.wait('waiting', 10_000)).toMatchObject({
        status: 'completed',
        attempts: 1,
        result: { echo: { key: 'waiting' } },
      });
      expect(await service.wait('retried', 10_000)).toMatchObject({ status: 'completed', attempts: 2 });
      expect(await service.wait('spent', 10_000)).toMatchObject({
        status: 'failed',
        attempts: 2,
        error: {
          code: 'interrupted',
          message:
            'The server stopped while this task ran, and it has no attempt left (2 of 2): submit it again.',
        },
      });
      expect(attemptsOf('spent')).toBe(0);
      for (const id of ['waiting', 'retried', 'spent']) expect(await pending.get(id)).toBeUndefined();
    } finally {
      await service.close(0);
      db.close();
    }
  });

  it('does not run again a task whose ending was recorded before its engine stopped', async () => {
    const db = openDatabase(tempDir());
    const pending = new SqlitePendingTaskStore(db);
    await orphan(pending, 'done', { state: 'running', attempts: 1 });
    const ending = { task_id: 'done', status: 'completed', attempts: 1, result: { success: true } };
    await new SqliteTaskResultStore(db).put('done', JSON.stringify(ending), 60_000);
    await sleep(5);
    const { executor, attemptsOf } = testExecutor();
    const service = localTaskService(db, {}, { pending });
    service.start(executor);
    try {
      for (let n = 0; n < 100 && (await pending.get('done')); n++) await sleep(10);
      expect(await pending.get('done')).toBeUndefined();
      expect(await service.get('done')).toMatchObject({ status: 'completed', attempts: 1 });
      expect(attemptsOf('done')).toBe(0);
    } finally {
      await service.close(0);
      db.close();
    }
  });

  it("leaves a live engine's tasks to it, and answers for them from the store", async () => {
    const db = openDatabase(tempDir());
    const owner = localTaskService(db, { workerName: 'owner:1' });
    const other = localTaskService(db, { workerName: 'other:2' });
    // The owner accepts but runs nothing (not started); its lease is live.
    other.start(testExecutor().executor);
    try {
      const { task_id } = await owner.submit('echo', { key: 'mine' }, { tenant: 'default' });
      await sleep(100);
      expect(await other.get(task_id)).toMatchObject({ status: 'pending', attempts: 0 });
      expect(await other.stats()).toMatchObject({ waiting: 0, running: 0, completed: 0 });
    } finally {
      await other.close(0);
      await owner.close(0);
      db.close();
    }
  });

  it("takes over a killed engine's tasks once its lease lapses", async () => {
    const db = openDatabase(tempDir());
    // Accepts, and then is never heard from again (as after kill -9): its lease is 200 ms.
    const killed = localTaskService(db, { workerName: 'killed:1' }, { leaseMs: 200 });
    const heir = localTaskService(db, { workerName: 'heir:2' }, { leaseMs: 200 });
    try {
      const { task_id } = await killed.submit('echo', { key: 'orphan' }, { tenant: 'default' });
      heir.start(testExecutor().executor);
      const started = Date.now();
      expect(await heir.wait(task_id, 5000)).toMatchObject({ status: 'completed', worker: 'heir:2' });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await heir.close(0);
      db.close();
    }
  });
});

describeWithRedis('the local task service on the Redis store', (redis) => {
  it("takes over a killed engine's tasks once its lease lapses, its params exactly as sent", async () => {
    const client = new Redis(redis().url);
    const db = openDatabase(tempDir()); // unused by the stores below; the helper wants one
    const stores = {
      results: new RedisTaskResultStore(client, 'durable:'),
      pending: new RedisPendingTaskStore(client, 'durable:'),
      leaseMs: 200,
    };
    const killed = localTaskService(db, { workerName: 'killed:1' }, stores);
    const heir = localTaskService(db, { workerName: 'heir:2' }, stores);
    try {
      const params = { key: 'orphan', text: 'ünïcödé ✓ 🚀', n: [5e-324, 1.7976931348623157e308] };
      const { task_id } = await killed.submit('echo', params, { tenant: 'default' });
      heir.start(testExecutor().executor);
      expect(await heir.wait(task_id, 5000)).toMatchObject({
        status: 'completed',
        worker: 'heir:2',
        result: { echo: params },
      });
      expect(await stores.pending.get(task_id)).toBeUndefined();
    } finally {
      await heir.close(0);
      client.disconnect();
      db.close();
    }
  });
});
