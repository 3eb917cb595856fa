/**
 * The Redis cache's defaults, apart from the backend so that reading them does not load the Redis client (the
 * cache factory imports the backend only when CACHE_BACKEND=redis).
 */
export const REDIS_DEFAULTS = {
  keyPrefix: 'dredge:cache:',
  connectTimeoutMs: 1_000,
  commandTimeoutMs: 250,
  maxReconnectDelayMs: 1_000,
} as const;
