import type { DredgeConfig } from '../../config/dredge-config.js';
import { redactUrlCredentials } from '../../config/redact.js';
import { componentLogger, type Logger } from '../telemetry/logger.js';
import { errorMessage, type CacheBackend } from './cache-backend.js';
import { FileBackend } from './file-backend.js';
import { GuardedBackend } from './guarded-backend.js';
import { MemoryBackend } from './memory-backend.js';
import { REDIS_DEFAULTS } from './redis-defaults.js';
import { ResultCache } from './result-cache.js';

/**
 * Settings beyond today's configuration keys, each with a default; the configuration module can map keys onto
 * them (times here in ms).
 */
export interface CacheFactoryOptions {
  /** Prefix of every Redis key the cache writes (and the only keys `clear` removes). */
  readonly redisKeyPrefix?: string;
  readonly redisConnectTimeoutMs?: number;
  /** Each Redis command's limit; capped at a quarter of the request timeout (see `cacheTimeouts`). */
  readonly redisCommandTimeoutMs?: number;
  /** Consecutive Redis failures that open the circuit. */
  readonly breakerFailureThreshold?: number;
  /** How long the circuit stays open between probes, in ms. */
  readonly breakerCooldownMs?: number;
  /** How often the file cache removes expired entries, in ms; 0 turns it off. */
  readonly fileSweepIntervalMs?: number;
}

export const CACHE_FACTORY_DEFAULTS = {
  redisKeyPrefix: REDIS_DEFAULTS.keyPrefix,
  redisConnectTimeoutMs: REDIS_DEFAULTS.connectTimeoutMs,
  redisCommandTimeoutMs: REDIS_DEFAULTS.commandTimeoutMs,
  breakerFailureThreshold: 3,
  breakerCooldownMs: 1_000,
  fileSweepIntervalMs: 10 * 60_000,
} as const;

/** The parts of the configuration the cache reads (a whole DredgeConfig will do). */
export interface CacheConfig {
  readonly cache: Pick<
    DredgeConfig['cache'],
    'enabled' | 'backend' | 'ttlSeconds' | 'maxEntries' | 'maxBytes' | 'fileDir'
  >;
  readonly redis: Pick<DredgeConfig['redis'], 'url'>;
  readonly servers: Pick<DredgeConfig['servers'], 'requestTimeoutMs'>;
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
 * anyway — requests are computed, not cached — and the cache joins in when Redis answers.
 */
export async function createBackend(
  config: CacheConfig,
  logger: Logger,
  options: CacheFactoryOptions = {},
): Promise<CacheBackend> {
  const settings = { ...CACHE_FACTORY_DEFAULTS, ...definedOnly(options) };
  const defaultTtlMs = config.cache.ttlSeconds * 1000;
  switch (config.cache.backend) {
    case 'memory':
      return new MemoryBackend({
        maxEntries: config.cache.maxEntries,
        maxBytes: config.cache.maxBytes,
        defaultTtlMs,
      });
    case 'file':
      return new FileBackend({
        dir: config.cache.fileDir,
        defaultTtlMs,
        logger,
        sweepIntervalMs: settings.fileSweepIntervalMs,
      });
    case 'redis': {
      // Loaded only when used, so the embedded defaults never load a Redis client.
      const { RedisBackend } = await import('./redis-backend.js');
      const redis = new RedisBackend({
        url: config.redis.url,
        defaultTtlMs,
        logger,
        keyPrefix: settings.redisKeyPrefix,
        connectTimeoutMs: settings.redisConnectTimeoutMs,
        commandTimeoutMs: effectiveCommandTimeoutMs(
          settings.redisCommandTimeoutMs,
          config.servers.requestTimeoutMs,
        ),
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
        failureThreshold: settings.breakerFailureThreshold,
        cooldownMs: settings.breakerCooldownMs,
        logger,
      });
    }
  }
}

/** The result cache the configuration asks for. With CACHE_ENABLED=false it stores nothing and computes every request. */
export async function createResultCache(
  config: CacheConfig,
  rootLogger: Logger,
  options: CacheFactoryOptions = {},
): Promise<ResultCache> {
  const logger = componentLogger(rootLogger, 'cache');
  const defaultTtlMs = config.cache.ttlSeconds * 1000;
  if (!config.cache.enabled) {
    logger.info('cache disabled (CACHE_ENABLED=false): every request is computed');
    return new ResultCache({ backend: undefined, defaultTtlMs, logger });
  }
  const backend = await createBackend(config, logger, options);
  logger.info({ backend: backend.type, ttlSeconds: config.cache.ttlSeconds }, 'cache ready');
  return new ResultCache({ backend, defaultTtlMs, logger });
}

/** The options without members explicitly set to undefined, so they do not hide the defaults when spread. */
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
