import { CONFIG_KEYS } from '../../config/keys.js';

/**
 * The Redis cache's settings for a backend built without them (benchmarks, tests): the configuration keys' own
 * defaults, so that there is one definition. Apart from the backend, so that reading them does not load the
 * Redis client (the cache factory imports the backend only when CACHE_BACKEND=redis).
 */
export const REDIS_DEFAULTS = {
  keyPrefix: CONFIG_KEYS.CACHE_REDIS_PREFIX.defaultValue,
  connectTimeoutMs: CONFIG_KEYS.REDIS_CONNECT_TIMEOUT.defaultValue * 1000,
  commandTimeoutMs: CONFIG_KEYS.REDIS_COMMAND_TIMEOUT.defaultValue * 1000,
} as const;
