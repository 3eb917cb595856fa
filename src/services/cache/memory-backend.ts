import {
  effectiveTtlMs,
  requirePositiveInteger,
  requirePositiveNumber,
  type BackendStats,
  type CacheBackend,
} from './cache-backend.js';

export interface MemoryBackendOptions {
  /** Evict the least recently used entries beyond this many (CACHE_MAX_ENTRIES). */
  readonly maxEntries: number;
  /** Evict the least recently used entries beyond this many bytes of keys and values (CACHE_MAX_BYTES). */
  readonly maxBytes: number;
  readonly defaultTtlMs: number;
  /** The clock, in milliseconds; tests may replace it. */
  readonly now?: () => number;
}

/** A node of the recency list: `older` points towards the next eviction, `newer` towards the last use. */
interface Entry {
  readonly key: string;
  readonly value: string;
  /** UTF-8 bytes of key and value: what the byte bound counts. */
  readonly bytes: number;
  readonly expiresAt: number;
  older: Entry | undefined;
  newer: Entry | undefined;
}

/**
 * A bounded LRU with TTL: a Map from key to entry for lookup, and a doubly linked list through the entries in
 * order of use for eviction; get, set and evict are O(1).
 *
 * Not the popular one-Map trick (delete and re-insert to move a key to the back, evict `map.keys().next()`): V8
 * leaves a hole for each deleted Map entry until the table is rehashed, and an iterator from the front walks
 * those holes, so under steady eviction each eviction costs thousands of steps — measured at ~10 µs per insert
 * with 10,000 entries, against well under 1 µs with the list.
 *
 * Written by hand rather than taken from a library because it needs exactly three things at once — a count bound,
 * an exact byte bound over string values, and per-entry TTL — on a hot path that allocates nothing per hit;
 * the whole thing is smaller than the glue a library would need.
 *
 * The byte bound counts UTF-8 bytes of keys and values, not the JavaScript heap's overhead per entry; the entry
 * bound is what keeps that overhead in check.
 */
export class MemoryBackend implements CacheBackend {
  readonly type = 'memory' as const;
  readonly defaultTtlMs: number;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();
  /** The least recently used entry: the next to be evicted. */
  private oldest: Entry | undefined;
  /** The most recently used entry. */
  private newest: Entry | undefined;
  private bytes = 0;
  private evictions = 0;

  constructor(options: MemoryBackendOptions) {
    this.maxEntries = requirePositiveInteger('maxEntries', options.maxEntries);
    this.maxBytes = requirePositiveInteger('maxBytes', options.maxBytes);
    this.defaultTtlMs = requirePositiveNumber('defaultTtlMs', options.defaultTtlMs);
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get byteSize(): number {
    return this.bytes;
  }

  /** The synchronous core of `get`, for callers in the same process that want no promise at all. */
  getSync(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.remove(entry);
      return undefined;
    }
    if (entry !== this.newest) {
      this.unlink(entry);
      this.append(entry);
    }
    return entry.value;
  }

  /** The synchronous core of `set`. An entry larger than the byte bound on its own is not stored. */
  setSync(key: string, value: string, ttlMs?: number): void {
    const previous = this.entries.get(key);
    if (previous !== undefined) this.remove(previous);
    const bytes = Buffer.byteLength(key, 'utf8') + Buffer.byteLength(value, 'utf8');
    if (bytes > this.maxBytes) return;
    const expiresAt = this.now() + effectiveTtlMs(ttlMs, this.defaultTtlMs);
    const entry: Entry = { key, value, bytes, expiresAt, older: undefined, newer: undefined };
    this.entries.set(key, entry);
    this.append(entry);
    this.bytes += bytes;
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      // The new entry fits the byte bound on its own, so this stops before reaching it.
      if (this.oldest === undefined) break;
      this.remove(this.oldest);
      this.evictions += 1;
    }
  }

  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.getSync(key));
  }

  set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.setSync(key, value, ttlMs);
    return Promise.resolve();
  }

  delete(key: string): Promise<boolean> {
    const entry = this.entries.get(key);
    if (entry === undefined) return Promise.resolve(false);
    this.remove(entry);
    return Promise.resolve(entry.expiresAt > this.now());
  }

  clear(): Promise<void> {
    this.entries.clear();
    this.oldest = undefined;
    this.newest = undefined;
    this.bytes = 0;
    return Promise.resolve();
  }

  has(key: string): Promise<boolean> {
    const entry = this.entries.get(key);
    return Promise.resolve(entry !== undefined && entry.expiresAt > this.now());
  }

  stats(): Promise<BackendStats> {
    const now = this.now();
    let expired = 0;
    for (const entry of this.entries.values()) if (entry.expiresAt <= now) expired += 1;
    return Promise.resolve({
      totalEntries: this.entries.size,
      expiredEntries: expired,
      bytes: this.bytes,
      evictions: this.evictions,
      maxEntries: this.maxEntries,
      maxBytes: this.maxBytes,
    });
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  prune(): Promise<number> {
    const now = this.now();
    let removed = 0;
    for (const entry of this.entries.values()) {
      if (entry.expiresAt <= now) {
        this.remove(entry);
        removed += 1;
      }
    }
    return Promise.resolve(removed);
  }

  close(): Promise<void> {
    return this.clear();
  }

  private remove(entry: Entry): void {
    this.entries.delete(entry.key);
    this.unlink(entry);
    this.bytes -= entry.bytes;
  }

  /** Takes the entry out of the recency list. */
  private unlink(entry: Entry): void {
    if (entry.older === undefined) this.oldest = entry.newer;
    else entry.older.newer = entry.newer;
    if (entry.newer === undefined) this.newest = entry.older;
    else entry.newer.older = entry.older;
    entry.older = undefined;
    entry.newer = undefined;
  }

  /** Puts the entry at the most recently used end. */
  private append(entry: Entry): void {
    entry.older = this.newest;
    if (this.newest === undefined) this.oldest = entry;
    else this.newest.newer = entry;
    this.newest = entry;
  }
}
