// Loads ioredis: import it only where Redis is configured (`await import(...)` from a module the embedded
// defaults load; `import type` is free).
export { createRedisClient, whenConnected } from './redis-clients.js';
export {
  BLOCKING,
  CACHE,
  PROBE,
  QUEUE,
  QUEUE_COMMAND_TIMEOUT_MS,
  REDIS_POLICIES,
  STORE,
  STORE_COMMAND_TIMEOUT_MS,
  SUBSCRIBER,
  redisOptions,
  type RedisConfig,
  type RedisPolicy,
} from './redis-policies.js';
