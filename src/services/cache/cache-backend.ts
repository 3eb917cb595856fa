/**
 * The contract every cache backend keeps. Values are strings — the JSON text of a result — so that the memory
 * backend's byte bound counts exactly what it keeps, and a hit hands back bytes the caller can send without
 * serializing them again. Keys are plain strings; the backends never interpret them (the file backend hashes
 * them into file names, the Redis backend puts its prefix in front).
 */

export type CacheBackendType = 'memory' | 'file' | 'redis';

/** What a backend knows about itself; `ResultCache` adds the hit and miss counters it keeps. */
export interface BackendStats {
  /** Every entry stored, expired or not. */
  readonly totalEntries: number;
  /** Entries still stored but past their TTL (they will be a miss and removed when touched or swept). */
  readonly expiredEntries: number;
  /**
   * Bytes stored: memory counts UTF-8 of keys and values exactly; files report their sizes on disk (a 28-byte
   * header each included); null where counting would cost too much (Redis).
   */
  readonly bytes: number | null;
  /** Entries dropped to stay inside a bound (not expirations), or null where the backend cannot know (Redis). */
  readonly evictions: number | null;
  /** The bounds, where the backend has them. */
  readonly maxEntries: number | null;
  readonly maxBytes: number | null;
}

export interface CacheBackend {
  readonly type: CacheBackendType;
  /** The TTL `set` uses when none is given, in milliseconds. */
  readonly defaultTtlMs: number;
  /** The stored value, or undefined when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /**
   * `get` without a promise, offered only by backends that answer without I/O (memory): a hit then costs no
   * trip through the microtask queue. Must never throw.
   */
  getSync?(key: string): string | undefined;
  /** Stores the value for `ttlMs` milliseconds (the backend's default when omitted). */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** True when the key was there (expired entries count as absent). */
  delete(key: string): Promise<boolean>;
  /** Removes every entry this backend owns, and nothing else. */
  clear(): Promise<void>;
  /** Like `get` without returning the value; does not count as a use for LRU order. */
  has(key: string): Promise<boolean>;
  stats(): Promise<BackendStats>;
  /** Resolves when the backend can serve requests; rejects when it cannot (used to probe a dead Redis). */
  ping(): Promise<void>;
  /** Removes expired entries now; resolves to how many were removed (Redis expires keys itself: 0). */
  prune(): Promise<number>;
  /** Releases connections and timers; the backend is unusable afterwards. */
  close(): Promise<void>;
}

/** `ttlMs` when it is a positive finite number, else the default: a zero or negative TTL must never mean "forever". */
export function effectiveTtlMs(ttlMs: number | undefined, defaultTtlMs: number): number {
  return ttlMs !== undefined && Number.isFinite(ttlMs) && ttlMs > 0 ? ttlMs : defaultTtlMs;
}

/** Validates a bound given to a backend constructor, so that a misconfiguration fails at start, not at first use. */
export function requirePositiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

export function requirePositiveNumber(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive number, got ${value}`);
  }
  return value;
}

/** The message of an error for a log record: enough to diagnose, without a stack trace per request. */
export function errorMessage(error: unknown): string | undefined {
  if (error === undefined) return undefined;
  return error instanceof Error ? error.message : String(error);
}
