import type { Logger } from '../telemetry/logger.js';
import { errorMessage, type CacheBackend, type CacheBackendType } from './cache-backend.js';
import type { CacheKey } from './canonical-key.js';
import { FailureLatch } from '../failure-latch.js';
import { JsonText } from './json-text.js';
import { SingleFlight } from './single-flight.js';

/** What a cached operation hands back: the result, whether it came from the cache, and its JSON text. */
export interface CacheResult<T> {
  readonly value: T;
  /** True when the value was read from the cache; the original puts this in its results as `cached`. */
  readonly cached: boolean;
  /**
   * The value's JSON text: on a hit, the stored bytes (read lazily into `value` only if `value` is used); on a
   * miss, the text that was stored. A door that answers with `json` serializes each result once, ever.
   * Undefined when caching is off or the value has no JSON form.
   */
  readonly json: string | undefined;
}

/** `get_cache_stats`: the original's fields, then ours. */
export interface CacheStats {
  readonly total_entries: number;
  readonly active_entries: number;
  readonly expired_entries: number;
  /** Seconds. */
  readonly default_ttl: number;
  readonly backend_type: CacheBackendType | 'none';
  /** Lookups answered from the cache, by this process (a shared Redis has one count per replica). */
  readonly hits: number;
  readonly misses: number;
  /** hits / (hits + misses), 0 before the first lookup. */
  readonly hit_rate: number;
  /** Entries dropped to stay inside a bound; null where the backend cannot tell (Redis). */
  readonly evictions: number | null;
  /** Bytes of keys and values stored; null where counting costs too much (Redis). */
  readonly bytes: number | null;
  readonly max_entries: number | null;
  readonly max_bytes: number | null;
  /** False when CACHE_ENABLED=false: nothing is stored and every request is computed. */
  readonly enabled: boolean;
  /** False when the backend could not be asked (Redis down: circuit open); the counts are then 0. */
  readonly available: boolean;
}

export interface GetOrComputeOptions {
  /** How long this result stays cached, in ms (default: the backend's, from CACHE_TTL). */
  readonly ttlMs?: number;
}

export type Compute<T> = () => T | Promise<T>;

export interface ResultCacheOptions {
  /** Where results are kept; undefined turns caching off (CACHE_ENABLED=false). */
  readonly backend: CacheBackend | undefined;
  /** Reported as default_ttl when there is no backend, in ms. */
  readonly defaultTtlMs: number;
  readonly logger: Logger;
}

/**
 * The cache in front of the computations. Every lookup goes through `getOrCompute`: identical concurrent lookups
 * share one flight (one read, and on a miss one computation and one write); a failed computation rejects every
 * caller that shared it and is not stored; a cache that fails is a miss, never an error for the caller.
 */
export class ResultCache {
  private readonly backend: CacheBackend | undefined;
  private readonly defaultTtlMs: number;
  private readonly logger: Logger;
  private readonly flights = new SingleFlight<string, CacheResult<unknown>>();
  private readonly backendFailures: FailureLatch;
  private hits = 0;
  private misses = 0;

  constructor(options: ResultCacheOptions) {
    this.backend = options.backend;
    this.defaultTtlMs = options.backend?.defaultTtlMs ?? options.defaultTtlMs;
    this.logger = options.logger;
    this.backendFailures = new FailureLatch(options.logger, `${options.backend?.type ?? 'no'} cache backend`);
  }

  get enabled(): boolean {
    return this.backend !== undefined;
  }

  get backendType(): CacheBackendType | 'none' {
    return this.backend?.type ?? 'none';
  }

  /** Computations and lookups in flight now (the single-flight table; empty when idle). */
  get inFlight(): number {
    return this.flights.size;
  }

  /**
   * The cached value for the key, or the computed one (then stored). `compute`'s errors reach the caller; the
   * cache's never do. The value must be JSON: what is cached is its JSON text, so a hit returns what
   * JSON.parse(JSON.stringify(value)) would.
   */
  async getOrCompute<T>(
    key: CacheKey,
    compute: Compute<T>,
    options?: GetOrComputeOptions,
  ): Promise<CacheResult<T>> {
    const backend = this.backend;
    if (backend === undefined) return { value: await compute(), cached: false, json: undefined };
    // An in-process backend answers a hit synchronously; only a miss needs the flight (a synchronous read cannot
    // interleave with anything, so this loses none of single flight's guarantees).
    const stored = backend.getSync?.(key);
    if (stored !== undefined) {
      this.hits += 1;
      return new JsonResult<T>(stored, true);
    }
    // A backend read synchronously just said miss, and no flight for the key can start in between (the flight is
    // registered before this returns): its flight computes at once, without asking the backend again.
    const readFirst = backend.getSync === undefined;
    const { promise, leader } = this.flights.run(key, () =>
      this.lookupOrCompute(backend, key, compute, options?.ttlMs, readFirst),
    );
    const shared = (await promise) as CacheResult<T>;
    // Callers that joined get their own copy, read from the JSON text, so that one caller changing its result
    // (adding a field, say) cannot change another's.
    const result =
      leader || shared.json === undefined ? shared : new JsonResult<T>(shared.json, shared.cached);
    if (result.cached) this.hits += 1;
    else this.misses += 1;
    return result;
  }

  /** Removes one entry; false when it was not there or the cache could not be asked. */
  async invalidate(key: CacheKey): Promise<boolean> {
    if (this.backend === undefined) return false;
    try {
      return await this.backend.delete(key);
    } catch (error) {
      this.backendFailures.fail(error, { operation: 'delete' });
      return false;
    }
  }

  /** Removes every entry this cache owns (only those: a Redis prefix, the file cache's own files). */
  async clear(): Promise<void> {
    await this.backend?.clear();
  }

  async stats(): Promise<CacheStats> {
    const lookups = this.hits + this.misses;
    const counters = {
      default_ttl: this.defaultTtlMs / 1000,
      backend_type: this.backendType,
      hits: this.hits,
      misses: this.misses,
      hit_rate: lookups === 0 ? 0 : this.hits / lookups,
      enabled: this.enabled,
    };
    const empty = {
      total_entries: 0,
      active_entries: 0,
      expired_entries: 0,
      evictions: 0,
      bytes: 0,
      max_entries: null,
      max_bytes: null,
    };
    if (this.backend === undefined) return { ...empty, ...counters, available: true };
    try {
      const stats = await this.backend.stats();
      return {
        total_entries: stats.totalEntries,
        active_entries: stats.totalEntries - stats.expiredEntries,
        expired_entries: stats.expiredEntries,
        evictions: stats.evictions,
        bytes: stats.bytes,
        max_entries: stats.maxEntries,
        max_bytes: stats.maxBytes,
        ...counters,
        available: true,
      };
    } catch (error) {
      this.logger.debug({ err: errorMessage(error) }, 'cache stats unavailable');
      return { ...empty, evictions: null, bytes: null, ...counters, available: false };
    }
  }

  /** Removes expired entries now (memory, file); Redis expires its own. */
  async prune(): Promise<number> {
    return (await this.backend?.prune()) ?? 0;
  }

  async close(): Promise<void> {
    await this.backend?.close();
  }

  private async lookupOrCompute<T>(
    backend: CacheBackend,
    key: string,
    compute: Compute<T>,
    ttlMs: number | undefined,
    readFirst: boolean,
  ): Promise<CacheResult<T>> {
    if (readFirst) {
      const stored = await this.read(backend, key);
      if (stored !== undefined) return new JsonResult<T>(stored, true);
    }
    const value = await compute();
    const json = this.serialize(value, key);
    if (json !== undefined) await this.write(backend, key, json, ttlMs);
    return { value, cached: false, json };
  }

  private async read(backend: CacheBackend, key: string): Promise<string | undefined> {
    try {
      const value = await backend.get(key);
      this.backendFailures.succeed();
      return value;
    } catch (error) {
      this.backendFailures.fail(error, { operation: 'get' });
      return undefined;
    }
  }

  private async write(
    backend: CacheBackend,
    key: string,
    json: string,
    ttlMs: number | undefined,
  ): Promise<void> {
    try {
      await backend.set(key, json, ttlMs);
      this.backendFailures.succeed();
    } catch (error) {
      this.backendFailures.fail(error, { operation: 'set' });
    }
  }

  /** The JSON text to store, or undefined (with a warning: a result that is not JSON is a bug in its operation). */
  private serialize(value: unknown, key: string): string | undefined {
    if (value instanceof JsonText) return value.text;
    try {
      const json = JSON.stringify(value);
      if (typeof json === 'string') return json;
      this.logger.warn({ key }, 'result has no JSON form: not cached');
    } catch (error) {
      this.logger.warn({ key, err: errorMessage(error) }, 'result has no JSON form: not cached');
    }
    return undefined;
  }
}

/**
 * A result read from JSON text, parsed on first use of `value` only: a door that sends `json` never pays for
 * JSON.parse (for a unified_inference result that is most of what a hit would cost). The text is trusted as the
 * JSON this class's owner stored: memory holds what JSON.stringify produced, files are checked by a digest, and
 * the Redis prefix belongs to DREDGE (CACHE_KEY_VERSION moves the keys whenever the stored shape changes).
 */
class JsonResult<T> implements CacheResult<T> {
  private parsed = false;
  private parsedValue: T | undefined;

  constructor(
    readonly json: string,
    readonly cached: boolean,
  ) {}

  get value(): T {
    if (!this.parsed) {
      this.parsedValue = JSON.parse(this.json) as T;
      this.parsed = true;
    }
    return this.parsedValue as T;
  }
}
