import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullmqTaskService } from '../../../src/services/queue/bullmq/bullmq-task-service.js';
import { BullmqTaskWorker } from '../../../src/services/queue/bullmq/bullmq-task-worker.js';
import { FinishedTasks } from '../../../src/services/queue/finished-tasks.js';
import { LocalTaskService } from '../../../src/services/queue/local/local-task-service.js';
import { RedisTaskResultStore } from '../../../src/services/store/redis/redis-records.js';
import { openDatabase } from '../../../src/services/store/sqlite/database.js';
import { SqliteTaskResultStore } from '../../../src/services/store/sqlite/sqlite-records.js';
import { NOOP_DREDGE_METRICS } from '../../../src/services/telemetry/metrics/dredge-metrics.js';
import { createLogger } from '../../../src/services/telemetry/index.js';
import { describeWithBinary } from '../../helpers/binaries.js';
import { RedisTestServer } from '../../helpers/redis-server.js';
import { useTempDirs } from '../../helpers/temp-dir.js';
import { describeTaskService, testExecutor } from './task-service-contract.js';

const tempDir = useTempDirs();
const HOUR = 3_600_000;

describeTaskService('local', async (executor, options = {}) => {
  const db = openDatabase(await tempDir());
  const service = new LocalTaskService(
    executor,
    new FinishedTasks(new SqliteTaskResultStore(db), HOUR),
    {
      concurrency: options.concurrency ?? 4,
      maxWaiting: options.maxWaiting ?? 1000,
      attempts: options.attempts ?? 3,
      backoffMs: options.backoffMs ?? 100,
      timeoutMs: options.timeoutMs ?? 60_000,
      resultTtlMs: HOUR,
      workerName: 'test:1',
    },
    NOOP_DREDGE_METRICS,
  );
  return {
    service,
    close: async () => {
      await service.close();
      db.close();
    },
  };
});

describeWithBinary('redis-server', 'BullMQ task service', () => {
  let redis: RedisTestServer;
  beforeAll(async () => {
    redis = await RedisTestServer.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  describeTaskService('BullMQ', async (executor, options = {}) => {
    const redisOptions = { url: redis.url, connectTimeoutMs: 2000, commandTimeoutMs: 2000 };
    const queueName = `test-${randomUUID()}`;
    const store = new Redis(redis.url);
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
      { redis: redisOptions, queueName, concurrency: options.concurrency ?? 4, lockDurationMs: 30_000 },
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
  it('records waiting tasks as not run, and stops running ones after the grace period', async () => {
    const db = openDatabase(await tempDir());
    const finished = new FinishedTasks(new SqliteTaskResultStore(db), HOUR);
    const service = new LocalTaskService(
      testExecutor().executor,
      finished,
      {
        concurrency: 1,
        maxWaiting: 10,
        attempts: 1,
        backoffMs: 10,
        timeoutMs: 60_000,
        resultTtlMs: HOUR,
        workerName: 'test:1',
      },
      NOOP_DREDGE_METRICS,
    );
    try {
      const running = await service.submit('stubborn', { ms: 2000 }, { tenant: 'default' });
      const waiting = await service.submit('echo', {}, { tenant: 'default' });
      const started = Date.now();
      await service.close(100);
      expect(Date.now() - started).toBeLessThan(1500);
      expect(await service.get(running.task_id)).toMatchObject({
        status: 'failed',
        error: { code: 'unavailable', message: expect.stringContaining('stopped while this task ran') },
      });
      expect(await service.get(waiting.task_id)).toMatchObject({
        status: 'failed',
        error: { code: 'unavailable', message: expect.stringContaining('before this task ran') },
      });
      await expect(service.submit('echo', {}, { tenant: 'default' })).rejects.toMatchObject({
        code: 'unavailable',
      });
    } finally {
      db.close();
    }
  });
});
