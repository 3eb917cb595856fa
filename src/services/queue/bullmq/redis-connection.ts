import { Redis, type RedisOptions } from 'ioredis';

export interface QueueRedisOptions {
  readonly url: string;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
}

/**
 * The longest a queue command may take (or REDIS_COMMAND_TIMEOUT, if longer). The cache's quarter-second would
 * refuse tasks whenever a busy queue answers slowly; a request should not wait longer than this either.
 */
export const QUEUE_COMMAND_TIMEOUT_MS = 5000;

/**
 * A connection for submitting and reading tasks: a command fails after one retry when Redis is gone, and after
 * QUEUE_COMMAND_TIMEOUT_MS when Redis is there but does not answer, so a request answers 503 instead of hanging.
 */
export function clientConnection(options: QueueRedisOptions, name: string): Redis {
  const redis = new Redis(options.url, {
    connectionName: name,
    connectTimeout: options.connectTimeoutMs,
    commandTimeout: Math.max(options.commandTimeoutMs, QUEUE_COMMAND_TIMEOUT_MS),
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
