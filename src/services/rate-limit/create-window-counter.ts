import type { RedisConfig } from '../redis/index.js';
import { MemoryWindowCounter } from './memory-window-counter.js';
import type { WindowCounter } from './window-counter.js';

/**
 * The counters rate limits keep: in Redis when the deployment has one (`redis` given: the cache, store or queue
 * is there), so every replica counts together; in this process's memory otherwise. The Redis client fails fast
 * (the cache's policy: no offline queue, REDIS_COMMAND_TIMEOUT), since a request waiting for its count would be
 * worse than one counted late; ioredis is loaded only then.
 */
export async function createWindowCounter(redis: RedisConfig | undefined): Promise<WindowCounter> {
  if (redis === undefined) return new MemoryWindowCounter();
  const [{ createRedisClient, CACHE }, { RedisWindowCounter }] = await Promise.all([
    import('../redis/index.js'),
    import('./redis-window-counter.js'),
  ]);
  return new RedisWindowCounter(createRedisClient(redis, CACHE, 'dredge-rate-limits'));
}
