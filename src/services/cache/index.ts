export type { BackendStats, CacheBackend, CacheBackendType } from './cache-backend.js';
export {
  cacheKey,
  canonicalJson,
  sha256Hex,
  CACHE_KEY_VERSION,
  type CacheKey,
  type JsonInput,
  type ModelRef,
} from './canonical-key.js';
export { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './circuit-breaker.js';
export {
  createBackend,
  createResultCache,
  effectiveCommandTimeoutMs,
  type CacheConfig,
  type CacheSettings,
} from './create-cache.js';
export { FileBackend, type FileBackendOptions } from './file-backend.js';
export { CacheUnavailableError, GuardedBackend, type GuardedBackendOptions } from './guarded-backend.js';
export { MemoryBackend, type MemoryBackendOptions } from './memory-backend.js';
export type { RedisBackendOptions } from './redis-backend.js';
export { REDIS_DEFAULTS } from './redis-defaults.js';
export {
  ResultCache,
  type CacheResult,
  type CacheStats,
  type Compute,
  type GetOrComputeOptions,
  type ResultCacheOptions,
} from './result-cache.js';
export { SingleFlight } from './single-flight.js';
export {
  JsonText,
  jsonByteLength,
  jsonString,
  withMembersFirst,
  withMembersLast,
  type JsonBody,
} from './json-text.js';
