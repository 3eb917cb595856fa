import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BullmqTaskService } from '../../../src/services/queue/bullmq/bullmq-task-service.js';
import { BullmqTaskWorker } from '../../../src/services/queue/bullmq/bullmq-task-worker.js';
import { FinishedTasks } from '../../../src/services/queue/finished-tasks.js';
import { retryDelayMs } from '../../../src/services/queue/retry-policy.js';
import type { TaskResultStore } from '../../../src/services/store/records.js';
import { RedisTaskResultStore } from '../../../src/services/store/redis/redis-records.js';
import { openDatabase } from '../../../src/services/store/sqlite/database.js';
import { SqliteTaskResultStore } from '../../../src/services/store/sqlite/sqlite-records.js';
import { NOOP_DREDGE_METRICS } from '../../../src/services/telemetry/metrics/dredge-metrics.js';
import { createLogger } from '../../../src/services/telemetry/index.js';
import { useTempDirs } from '../../helpers/temp-dir.js';
import { describeWithRedis } from '../../helpers/describe-with-redis.js';
import { localTaskService } from './local-task-service.js';
import { describeTaskService, testExecutor } from './task-service-contract.js';

const tempDir = useTempDirs();
const HOUR = 3_600_000;

describeTaskService('local', async (executor, options = {}) => {
  const db = openDatabase(await tempDir());
  const service = localTaskService(db, options);
  service.start(executor);
  return {
    service,
    close: async () => {
      await service.close();
      db.close();
    },
  };
});

describeWithRedis('BullMQ task service', (redis) => {
  describeTaskService('BullMQ', async (executor, options = {}) => {
    const redisOptions = { url: redis().url, connectTimeoutMs: 2000, commandTimeoutMs: 2000 };
    const queueName = `test-${randomUUID()}`;
    const store = new Redis(redis().url);
    const finished = new FinishedTasks(new RedisTaskResultStore(store), HOUR);
    const service = new BullmqTaskService(
      {
        redis: redisOptions,
        queueName,
        maxWaiting: options.maxWaiting ?? 1000,
        attempts: options.attempts ?? 3,
        backoffMs: options.backoffMs ?? 100,
        timeoutMs: options.timeoutMs ?? 60_000,
        resultTtlMs: HOUR,
      },
      finished,
      NOOP_DREDGE_METRICS,
    );
    const worker = new BullmqTaskWorker(
      {
        redis: redisOptions,
        queueName,
        concurrency: options.concurrency ?? 4,
        lockDurationMs: 30_000,
        maxResultBytes: options.maxResultBytes ?? 8 * 1024 * 1024,
      },
      executor,
      finished,
      NOOP_DREDGE_METRICS,
      createLogger({ level: 'silent' }),
    );
    await worker.start();
    return {
      service,
      close: async () => {
        await worker.close();
        await service.close();
        store.disconnect();
      },
    };
  });
});

describe('the local task service stopping', () => {
  it('keeps waiting tasks in the store, stops running ones after the grace period, and the next start runs both', async () => {
    const db = openDatabase(await tempDir());
    const service = localTaskService(db, { concurrency: 1, maxWaiting: 10, attempts: 2, backoffMs: 10 });
    service.start(testExecutor().executor);
    try {
      const running = await service.submit('stubborn', { ms: 2000 }, { tenant: 'default' });
      const waiting = await service.submit('echo', { key: 'w' }, { tenant: 'default' });
      for (let n = 0; n < 100 && (await service.stats()).running < 1; n++) await sleep(5);
      const started = Date.now();
      await service.close(100);
      expect(Date.now() - started).toBeLessThan(1500);
      // Neither is lost nor failed: the store keeps them for the next start.
      expect(await service.get(running.task_id)).toMatchObject({ status: 'running', attempts: 1 });
      expect(await service.get(waiting.task_id)).toMatchObject({ status: 'pending', attempts: 0 });
      await expect(service.submit('echo', {}, { tenant: 'default' })).rejects.toMatchObject({
        code: 'unavailable',
      });

      const next = localTaskService(db, { concurrency: 2, attempts: 2 });
      next.start(testExecutor().executor);
      try {
        expect(await next.wait(waiting.task_id, 10_000)).toMatchObject({
          status: 'completed',
          result: { echo: { key: 'w' } },
        });
        // The stopped attempt counts: this is its second and last.
        expect(await next.wait(running.task_id, 10_000)).toMatchObject({ status: 'completed', attempts: 2 });
      } finally {
        await next.close(0);
      }
    } finally {
      db.close();
    }
  });
});

describe('the local task service under pressure', () => {
  const options = {
    concurrency: 1,
    maxWaiting: 3,
    attempts: 3,
    backoffMs: 60_000,
    timeoutMs: 60_000,
    workerName: 'test:1',
  };

  it('counts tasks waiting out a retry backoff against QUEUE_MAX_WAITING', async () => {
    const db = openDatabase(await tempDir());
    const service = localTaskService(db, options);
    service.start(testExecutor().executor);
    try {
      for (let i = 0; i < 3; i++) {
        const { task_id } = await service.submit(
          'flaky',
          { key: `k${i}`, failures: 9 },
          { tenant: 'default' },
        );
        for (let n = 0; n < 100 && (await service.stats()).delayed < i + 1; n++) await sleep(5);
        expect((await service.get(task_id))?.status).toBe('pending');
      }
      expect(await service.stats()).toMatchObject({ waiting: 0, delayed: 3 });
      await expect(service.submit('echo', {}, { tenant: 'default' })).rejects.toMatchObject({
        code: 'unavailable',
      });
    } finally {
      await service.close(0);
      db.close();
    }
  });

  it('keeps answering for finished tasks the store refused, and does not crash', async () => {
    const refusing: TaskResultStore = {
      put: () => Promise.reject(new Error('Connection is closed.')),
      get: () => Promise.resolve(undefined),
      delete: () => Promise.resolve(false),
    };
    const db = openDatabase(await tempDir());
    const service = localTaskService(db, options, { results: refusing });
    service.start(testExecutor().executor);
    const { task_id } = await service.submit('echo', { key: 'kept' }, { tenant: 'default' });
    expect(await service.wait(task_id, 5000)).toMatchObject({
      status: 'completed',
      result: { echo: { key: 'kept' } },
    });
    await service.close();
    db.close();
  });

  it('records a task cancelled several times at once only once', async () => {
    const db = openDatabase(await tempDir());
    const store = new SqliteTaskResultStore(db);
    let puts = 0;
    const counting: TaskResultStore = {
      put: (...args) => ((puts += 1), store.put(...args)),
      get: (id) => store.get(id),
      delete: (id) => store.delete(id),
    };
    const service = localTaskService(db, options, { results: counting });
    service.start(testExecutor().executor);
    try {
      const blocker = await service.submit('slow', { ms: 20_000 }, { tenant: 'default' });
      const waiting = await service.submit('echo', {}, { tenant: 'default' });
      const answers = await Promise.all([1, 2, 3].map(() => service.cancel(waiting.task_id)));
      expect(answers.map((view) => view?.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
      expect(puts).toBe(1);
      await service.cancel(blocker.task_id);
    } finally {
      await service.close(0);
      db.close();
    }
  });
});

describe('retry backoff', () => {
  it('doubles from TASK_BACKOFF and never exceeds what a timer can hold', () => {
    const policy = { attempts: 20, backoffMs: 10_000 };
    expect([1, 2, 3].map((n) => retryDelayMs(policy, n))).toEqual([10_000, 20_000, 40_000]);
    expect(retryDelayMs(policy, 19)).toBe(2 ** 31 - 1);
  });
});
