import type { DredgeConfig } from '../../config/index.js';
import { makeDirectory } from '../../config/directories.js';
import { ConfigError } from '../../config/errors.js';
import { redactUrlCredentials } from '../../config/redact.js';
import type { RedisConfig } from '../redis/index.js';
import { componentLogger, type Logger } from '../telemetry/logger.js';
import { errorMessage, type CacheBackend } from './cache-backend.js';
import { FileBackend } from './file-backend.js';
import { GuardedBackend } from './guarded-backend.js';
import { MemoryBackend } from './memory-backend.js';
import { ResultCache } from './result-cache.js';

/** The cache's own keys (CACHE_*, FILE_CACHE_*), times in ms. */
export type CacheSettings = DredgeConfig['cache'];

/**
 * What the cache reads of the configuration: its own keys, the Redis connection (CACHE_BACKEND=redis), and the
 * request timeout its Redis commands must fit in. The app builds it once (`serviceSettings`).
 */
export interface CacheConfig extends CacheSettings {
  readonly redis: RedisConfig;
  readonly requestTimeoutMs: number;
}

/**
 * The command timeout actually used: the configured one, but never more than a quarter of the request timeout,
 * because a miss costs one read and one write and both together must leave the request most of its time.
 * A request timeout of 0 means "no limit" and caps nothing.
 */
export function effectiveCommandTimeoutMs(commandTimeoutMs: number, requestTimeoutMs: number): number {
  if (requestTimeoutMs <= 0) return commandTimeoutMs;
  return Math.max(1, Math.min(commandTimeoutMs, Math.floor(requestTimeoutMs / 4)));
}

/**
 * The backend CACHE_BACKEND names, built from the configuration; Redis comes behind its circuit breaker.
 * With Redis it waits up to the connect timeout for the first connection; if Redis is not there it goes on
 * anyway — requests are computed, not cached — and the cache joins in when Redis answers. The file cache's
 * directory is made here, at start, so that a FILE_CACHE_DIR that cannot be used is one line naming the key.
 */
export async function createBackend(config: CacheConfig, logger: Logger): Promise<CacheBackend> {
  const defaultTtlMs = config.ttlSeconds * 1000;
  switch (config.backend) {
    case 'memory':
      return new MemoryBackend({ maxEntries: config.maxEntries, maxBytes: config.maxBytes, defaultTtlMs });
    case 'file': {
      const problem = makeDirectory(config.fileDir);
      if (problem !== undefined) {
        throw new ConfigError(`Cannot use FILE_CACHE_DIR ${config.fileDir}: ${problem}.`, 'FILE_CACHE_DIR');
      }
      return new FileBackend({
        dir: config.fileDir,
        defaultTtlMs,
        logger,
        sweepIntervalMs: config.fileSweepIntervalMs,
        maxBytes: config.fileMaxBytes,
      });
    }
    case 'redis': {
      // Loaded only when used, so the embedded defaults never load a Redis client.
      const { RedisBackend } = await import('./redis-backend.js');
      const redis = new RedisBackend({
        redis: {
          ...config.redis,
          commandTimeoutMs: effectiveCommandTimeoutMs(config.redis.commandTimeoutMs, config.requestTimeoutMs),
        },
        keyPrefix: config.redisKeyPrefix,
        defaultTtlMs,
        logger,
      });
      try {
        await redis.connect();
      } catch (error) {
        logger.warn(
          { url: redactUrlCredentials(config.redis.url), err: errorMessage(error) },
          'redis cache not reachable at start: serving without it until it answers',
        );
      }
      return new GuardedBackend(redis, {
        failureThreshold: config.breakerFailureThreshold,
        cooldownMs: config.breakerCooldownMs,
        logger,
      });
    }
  }
}

/** The result cache the configuration asks for. With CACHE_ENABLED=false it stores nothing and computes every request. */
export async function createResultCache(config: CacheConfig, rootLogger: Logger): Promise<ResultCache> {
  const logger = componentLogger(rootLogger, 'cache');
  const defaultTtlMs = config.ttlSeconds * 1000;
  if (!config.enabled) {
    logger.info('cache disabled (CACHE_ENABLED=false): every request is computed');
    return new ResultCache({ backend: undefined, defaultTtlMs, logger });
  }
  const backend = await createBackend(config, logger);
  logger.info({ backend: backend.type, ttlSeconds: config.ttlSeconds }, 'cache ready');
  return new ResultCache({ backend, defaultTtlMs, logger });
}
