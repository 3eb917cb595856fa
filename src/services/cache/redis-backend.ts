import type { Redis } from 'ioredis';
import { redactUrlCredentials } from '../../config/redact.js';
import { CACHE, createRedisClient, type RedisConfig } from '../redis/index.js';
import type { Logger } from '../telemetry/logger.js';
import { REDIS_DEFAULTS } from './redis-defaults.js';
import {
  effectiveTtlMs,
  errorMessage,
  requirePositiveNumber,
  type BackendStats,
  type CacheBackend,
} from './cache-backend.js';

export interface RedisBackendOptions {
  /**
   * Where Redis is (REDIS_URL, or the URL built from REDIS_HOST, REDIS_PORT, REDIS_DB, REDIS_PASSWORD) and its
   * timeouts in ms; a timeout left out is its configuration key's default.
   */
  readonly redis: Pick<RedisConfig, 'url'> & Partial<RedisConfig>;
  readonly defaultTtlMs: number;
  readonly logger: Logger;
  /** Put in front of every key, so the cache can share a Redis with other users and `clear` touches only its own. */
  readonly keyPrefix?: string;
}

/** Keys examined per SCAN call by stats and clear. */
const SCAN_COUNT = 1_000;

/**
 * Redis through ioredis: TTL kept by Redis (SET … PX), every key under a prefix. Its client follows the CACHE
 * policy (services/redis): fail fast rather than queue or retry, every command bounded by the command timeout, and
 * reconnection in the background. In front of this backend `GuardedBackend` turns those failures into misses and
 * stops calling a dead Redis altogether.
 */
export class RedisBackend implements CacheBackend {
  readonly type = 'redis' as const;
  readonly defaultTtlMs: number;
  readonly keyPrefix: string;
  private readonly client: Redis;
  private readonly connectTimeoutMs: number;

  constructor(options: RedisBackendOptions) {
    this.defaultTtlMs = requirePositiveNumber('defaultTtlMs', options.defaultTtlMs);
    this.keyPrefix = options.keyPrefix ?? REDIS_DEFAULTS.keyPrefix;
    const redis: RedisConfig = {
      url: options.redis.url,
      connectTimeoutMs: requirePositiveNumber(
        'connectTimeoutMs',
        options.redis.connectTimeoutMs ?? REDIS_DEFAULTS.connectTimeoutMs,
      ),
      commandTimeoutMs: requirePositiveNumber(
        'commandTimeoutMs',
        options.redis.commandTimeoutMs ?? REDIS_DEFAULTS.commandTimeoutMs,
      ),
    };
    this.connectTimeoutMs = redis.connectTimeoutMs;
    this.client = createRedisClient(redis, CACHE);
    // The circuit breaker logs the outage once; the individual connection errors are only worth a debug record.
    const log = options.logger;
    this.client.on('error', (error: unknown) => {
      log.debug(
        { err: errorMessage(error), url: redactUrlCredentials(redis.url) },
        'redis cache connection error',
      );
    });
  }

  /** Waits until the connection is ready; rejects after the connect timeout (the client keeps retrying after). */
  async connect(): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`redis not ready within ${this.connectTimeoutMs} ms`));
      }, this.connectTimeoutMs);
      const onReady = (): void => {
        cleanup();
        resolve();
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
      };
      this.client.on('ready', onReady);
    });
  }

  async get(key: string): Promise<string | undefined> {
    const value = await this.client.get(this.keyPrefix + key);
    return value ?? undefined;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    // Redis wants an integer number of milliseconds, at least 1.
    const px = Math.max(1, Math.ceil(effectiveTtlMs(ttlMs, this.defaultTtlMs)));
    await this.client.set(this.keyPrefix + key, value, 'PX', px);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.client.unlink(this.keyPrefix + key)) > 0;
  }

  async has(key: string): Promise<boolean> {
    return (await this.client.exists(this.keyPrefix + key)) > 0;
  }

  /** Removes the keys under the prefix, SCAN by SCAN: never FLUSHDB, the database may be shared. */
  async clear(): Promise<void> {
    await this.scan(async (keys) => {
      if (keys.length > 0) await this.client.unlink(...keys);
    });
  }

  /**
   * total_entries counts the keys under the prefix with SCAN (O(keys), each call bounded by the command
   * timeout). Redis deletes a key once its TTL passes, so no expired entry is ever visible: expired_entries is 0.
   * Bytes would take one MEMORY USAGE per key, and evictions under maxmemory are counted for the whole server,
   * not for this prefix, so both are reported as unknown (null).
   */
  async stats(): Promise<BackendStats> {
    let total = 0;
    await this.scan((keys) => {
      total += keys.length;
      return Promise.resolve();
    });
    return {
      totalEntries: total,
      expiredEntries: 0,
      bytes: null,
      evictions: null,
      maxEntries: null,
      maxBytes: null,
    };
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  prune(): Promise<number> {
    return Promise.resolve(0);
  }

  async close(): Promise<void> {
    if (this.client.status === 'end') return;
    try {
      if (this.client.status === 'ready') {
        await this.client.quit();
        return;
      }
    } catch {
      // Fall through to a hard disconnect.
    }
    this.client.disconnect();
  }

  private async scan(each: (keys: string[]) => Promise<void>): Promise<void> {
    const match = escapeGlob(this.keyPrefix) + '*';
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', match, 'COUNT', SCAN_COUNT);
      await each(keys);
      cursor = next;
    } while (cursor !== '0');
  }
}

/** Escapes the characters SCAN MATCH treats as a pattern, so a prefix is matched literally. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
