import { Redis, type RedisOptions } from 'ioredis';

export interface QueueRedisOptions {
  readonly url: string;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
}

/**
 * A connection for submitting and reading tasks: a command fails after one retry rather than waiting for Redis
 * to return, so a request answers 503 instead of hanging.
 */
export function clientConnection(options: QueueRedisOptions, name: string): Redis {
  const redis = new Redis(options.url, {
    connectionName: name,
    connectTimeout: options.connectTimeoutMs,
    maxRetriesPerRequest: 1,
  } satisfies RedisOptions);
  redis.on('error', () => undefined); // failures reach callers; ioredis reconnects on its own
  return redis;
}

/**
 * A connection for a worker's blocking commands and subscriptions: commands wait through an outage (BullMQ
 * requires `maxRetriesPerRequest: null` for workers), and ioredis reconnects with a capped backoff, so a
 * restarted Redis finds its workers again within a second or two.
 */
export function workerConnection(options: QueueRedisOptions, name: string): Redis {
  const redis = new Redis(options.url, {
    connectionName: name,
    connectTimeout: options.connectTimeoutMs,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(100 * times, 1000),
  } satisfies RedisOptions);
  redis.on('error', () => undefined);
  return redis;
}
