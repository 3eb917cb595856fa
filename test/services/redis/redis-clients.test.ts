import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { describeWithRedis } from '../../helpers/describe-with-redis.js';
import { freePort } from '../../helpers/free-port.js';
import {
  BLOCKING,
  CACHE,
  PROBE,
  QUEUE,
  SUBSCRIBER,
  createRedisClient,
  whenConnected,
  type RedisConfig,
} from '../../../src/services/redis/index.js';

describeWithRedis('Redis clients against a real redis-server', (server) => {
  const config = (commandTimeoutMs: number): RedisConfig => ({
    url: server().url,
    connectTimeoutMs: 1000,
    commandTimeoutMs,
  });

  it('times a command out when Redis hangs (CLIENT PAUSE), on a policy with a command timeout', async () => {
    const client = createRedisClient(config(100), CACHE);
    const admin = new Redis(server().url);
    try {
      // No offline queue: commands wait for nothing, so the test does.
      await new Promise((resolve) => client.once('ready', resolve));
      await admin.call('CLIENT', 'PAUSE', '1000', 'ALL');
      const started = performance.now();
      await expect(client.get('k')).rejects.toThrow(/timed out/);
      expect(performance.now() - started).toBeLessThan(800);
    } finally {
      await admin.call('CLIENT', 'UNPAUSE').catch(() => undefined);
      admin.disconnect();
      client.disconnect();
    }
  });

  it('lets a blocking connection wait longer than REDIS_COMMAND_TIMEOUT', async () => {
    const client = createRedisClient(config(50), BLOCKING);
    try {
      const started = performance.now();
      expect(await client.blpop('dredge-test:empty-list', 0.5)).toBeNull();
      expect(performance.now() - started).toBeGreaterThanOrEqual(450);
    } finally {
      client.disconnect();
    }
  });

  it('gives BullMQ connections it accepts: a queue on QUEUE, a worker on BLOCKING', async () => {
    const name = `redis-clients-${process.pid}`;
    const queueConnection = createRedisClient(config(250), QUEUE, 'dredge-test-queue');
    const workerConnection = createRedisClient(config(250), BLOCKING, 'dredge-test-worker');
    const queue = new Queue(name, { connection: queueConnection });
    const worker = new Worker(name, (job) => Promise.resolve(job.data as unknown), {
      connection: workerConnection,
      autorun: true,
    });
    try {
      const done = new Promise<unknown>((resolve) =>
        worker.once('completed', (_job, value) => resolve(value)),
      );
      await queue.add('echo', { n: 1 });
      expect(await done).toEqual({ n: 1 });
      expect(await queueConnection.client('GETNAME')).toBe('dredge-test-queue');
    } finally {
      await worker.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      queueConnection.disconnect();
      workerConnection.disconnect();
    }
  });

  it('waits for a Redis that is not there yet, for as long as it takes, then commands work', async () => {
    await server().kill();
    const client = createRedisClient(config(100), SUBSCRIBER);
    try {
      let connected = false;
      const waiting = whenConnected(client).then(() => (connected = true));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(connected).toBe(false);
      await server().start();
      await waiting;
      expect(await client.subscribe('dredge-test:channel')).toBe(1);
    } finally {
      client.disconnect();
    }
  });
});

it('probes once: an unreachable Redis fails the connection at once, and the client does not try again', async () => {
  const port = await freePort();
  const client = createRedisClient(
    { url: `redis://127.0.0.1:${port}/0`, connectTimeoutMs: 500, commandTimeoutMs: 500 },
    PROBE,
  );
  try {
    const started = performance.now();
    await expect(client.connect()).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(500);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(client.status).toBe('end');
  } finally {
    client.disconnect();
  }
});
