import { Redis } from 'ioredis';
import { redisOptions, type RedisConfig, type RedisPolicy } from './redis-policies.js';

/**
 * The one place a Redis client is made: on `redis` (config.redis), following `policy` (see redis-policies.ts).
 * Failures reach callers through their commands, so the client's own `error` events are dropped here; without a
 * listener ioredis would print every reconnection attempt. A caller that wants them adds its own listener.
 */
export function createRedisClient(redis: RedisConfig, policy: RedisPolicy, connectionName?: string): Redis {
  const client = new Redis(redis.url, redisOptions(redis, policy, connectionName));
  client.on('error', () => undefined);
  return client;
}

/**
 * Resolves once `client` is connected and ready, waiting as long as that takes (the client reconnects on its own):
 * for a process that should wait for Redis at start rather than fail its first command on a timeout.
 */
export function whenConnected(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => client.once('ready', () => resolve()));
}
