import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  MemoryBackend,
  ResultCache,
  createResultCache,
  type BackendStats,
  type CacheBackend,
  type CacheResult,
} from '../../../src/services/cache/index.js';
import { cacheConfig, lookup, recordingLogger, silentLogger, sleep, tempDir } from './helpers.js';

const HOUR_MS = 3_600_000;

function memoryCache(
  backend: CacheBackend = new MemoryBackend({ maxEntries: 1000, maxBytes: 1 << 20, defaultTtlMs: HOUR_MS }),
): ResultCache {
  return new ResultCache({ backend, defaultTtlMs: HOUR_MS, logger: silentLogger });
}

/** A computation that counts its calls and answers after `delayMs`. */
function counted<T>(value: T, delayMs = 0): { compute: () => Promise<T>; calls: () => number } {
  let calls = 0;
  return {
    compute: async () => {
      calls += 1;
      if (delayMs > 0) await sleep(delayMs);
      return value;
    },
    calls: () => calls,
  };
}

const spectrum = (maxModes: number) => ({
  dimensions: 10,
  max_modes: maxModes,
  energy_spectrum: Array.from({ length: maxModes }, (_, i) => (i + 1) / 2),
});

describe('ResultCache', () => {
  it('computes on a miss, then answers from the cache with cached: true', async () => {
    const cache = memoryCache();
    const work = counted(spectrum(10));
    const first = await lookup(
      cache,
      'string_spectrum',
      { max_modes: 10, dimensions: 10 },
      'default',
      work.compute,
    );
    const second = await lookup(
      cache,
      'string_spectrum',
      { dimensions: 10, max_modes: 10 },
      'default',
      work.compute,
    );
    expect(first.cached).toBe(false);
    expect(second.cached).toBe(true);
    expect(second.value).toEqual(first.value);
    expect(second.json).toBe(first.json);
    expect(first.json).toBe(JSON.stringify(spectrum(10)));
    expect(work.calls()).toBe(1);
  });

  it('keeps tenants apart, and a new model version misses', async () => {
    const cache = memoryCache();
    const work = counted({ output: [1, 2, 3] });
    const model = { modelId: 'quasimoto_1d_1', modelVersion: 1 };
    const inputs = { x: [0.1, 0.2], t: [0] };
    expect(
      (await lookup(cache, 'model_inference', inputs, 'alice', work.compute, undefined, model)).cached,
    ).toBe(false);
    expect(
      (await lookup(cache, 'model_inference', inputs, 'alice', work.compute, undefined, model)).cached,
    ).toBe(true);
    expect(
      (await lookup(cache, 'model_inference', inputs, 'bob', work.compute, undefined, model)).cached,
    ).toBe(false);
    const retrained = { ...model, modelVersion: 2 };
    expect(
      (await lookup(cache, 'model_inference', inputs, 'alice', work.compute, undefined, retrained)).cached,
    ).toBe(false);
    expect(work.calls()).toBe(3);
  });

  it('computes concurrent identical misses once (single flight)', async () => {
    const cache = memoryCache();
    const work = counted(spectrum(5), 20);
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        lookup(cache, 'string_spectrum', { max_modes: 5 }, 'default', work.compute),
      ),
    );
    expect(work.calls()).toBe(1);
    expect(results.every((result) => result.cached === false)).toBe(true);
    expect(results.every((result) => JSON.stringify(result.value) === JSON.stringify(spectrum(5)))).toBe(
      true,
    );
    expect(cache.inFlight).toBe(0);
    // Different inputs are different flights.
    const other = counted(spectrum(6), 5);
    await Promise.all([
      lookup(cache, 'string_spectrum', { max_modes: 6 }, 'default', other.compute),
      lookup(cache, 'string_spectrum', { max_modes: 6 }, 'tenant-b', other.compute),
    ]);
    expect(other.calls()).toBe(2);
  });

  it('shares the read too: concurrent lookups on a slow backend compute once', async () => {
    const inner = new MemoryBackend({ maxEntries: 100, maxBytes: 1 << 20, defaultTtlMs: HOUR_MS });
    const slow: CacheBackend = {
      type: 'memory',
      defaultTtlMs: HOUR_MS,
      get: async (key) => {
        await sleep(30);
        return inner.get(key);
      },
      set: (key, value, ttlMs) => inner.set(key, value, ttlMs),
      delete: (key) => inner.delete(key),
      clear: () => inner.clear(),
      has: (key) => inner.has(key),
      stats: () => inner.stats(),
      ping: () => inner.ping(),
      prune: () => inner.prune(),
      close: () => inner.close(),
    };
    const cache = memoryCache(slow);
    const work = counted({ ok: true });
    // Requests arriving at staggered times while the first read is still out.
    const calls = [0, 5, 10, 15].map(async (delay) => {
      await sleep(delay);
      return lookup(cache, 'unified_inference', { q: 1 }, 'default', work.compute);
    });
    await Promise.all(calls);
    expect(work.calls()).toBe(1);
  });

  it('gives callers that shared a flight their own copies of the value', async () => {
    const cache = memoryCache();
    const work = counted({ list: [1, 2] }, 10);
    const [a, b] = await Promise.all([
      lookup(cache, 'unified_inference', { q: 1 }, 't', work.compute),
      lookup(cache, 'unified_inference', { q: 1 }, 't', work.compute),
    ]);
    (a as CacheResult<{ list: number[]; extra?: boolean }>).value.extra = true;
    expect(b.value).toEqual({ list: [1, 2] });
    const hit = await lookup(cache, 'unified_inference', { q: 1 }, 't', work.compute);
    expect(hit.value).toEqual({ list: [1, 2] });
  });

  it('rejects every caller of a failed computation, caches nothing, and tries again next time', async () => {
    const cache = memoryCache();
    let calls = 0;
    const failing = async (): Promise<never> => {
      calls += 1;
      await sleep(10);
      throw new Error('model exploded');
    };
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => lookup(cache, 'unified_inference', { q: 2 }, 't', failing)),
    );
    expect(results.every((result) => result.status === 'rejected')).toBe(true);
    expect(calls).toBe(1);
    expect(cache.inFlight).toBe(0);
    expect((await cache.stats()).total_entries).toBe(0);
    const retry = await lookup(cache, 'unified_inference', { q: 2 }, 't', () => ({ fine: true }));
    expect(retry).toMatchObject({ cached: false, value: { fine: true } });
    // A computation that throws synchronously behaves the same.
    await expect(
      lookup(cache, 'unified_inference', { q: 3 }, 't', () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(cache.inFlight).toBe(0);
  });

  it('honours a TTL per call', async () => {
    const cache = memoryCache();
    const work = counted({ v: 1 });
    await lookup(cache, 'string_spectrum', { m: 1 }, 't', work.compute, { ttlMs: 40 });
    expect((await lookup(cache, 'string_spectrum', { m: 1 }, 't', work.compute)).cached).toBe(true);
    await sleep(80);
    expect((await lookup(cache, 'string_spectrum', { m: 1 }, 't', work.compute)).cached).toBe(false);
    expect(work.calls()).toBe(2);
  });

  it('computes without the cache a value that has no JSON form', async () => {
    const { logger, warnings } = recordingLogger();
    const cache = new ResultCache({
      backend: new MemoryBackend({ maxEntries: 10, maxBytes: 4096, defaultTtlMs: HOUR_MS }),
      defaultTtlMs: HOUR_MS,
      logger,
    });
    const big = await lookup(cache, 'string_spectrum', { max_modes: 1 }, 't', () => ({ n: 1n }));
    expect(big.cached).toBe(false);
    expect(big.value.n).toBe(1n);
    expect(big.json).toBeUndefined();
    expect((await cache.stats()).total_entries).toBe(0);
    expect(warnings()).toHaveLength(1);
  });

  it('never lets a failing backend fail a request, and warns once, not per request', async () => {
    const broken: CacheBackend = {
      type: 'redis',
      defaultTtlMs: HOUR_MS,
      get: () => Promise.reject(new Error('backend down')),
      set: () => Promise.reject(new Error('backend down')),
      delete: () => Promise.reject(new Error('backend down')),
      clear: () => Promise.reject(new Error('backend down')),
      has: () => Promise.reject(new Error('backend down')),
      stats: (): Promise<BackendStats> => Promise.reject(new Error('backend down')),
      ping: () => Promise.reject(new Error('backend down')),
      prune: () => Promise.reject(new Error('backend down')),
      close: () => Promise.resolve(),
    };
    const { logger, warnings } = recordingLogger();
    const cache = new ResultCache({ backend: broken, defaultTtlMs: HOUR_MS, logger });
    for (let i = 0; i < 20; i += 1) {
      const result = await lookup(cache, 'unified_inference', { i }, 't', () => ({ i }));
      expect(result).toMatchObject({ cached: false, value: { i } });
    }
    expect(await cache.invalidate('unified_inference:x' as never)).toBe(false);
    expect(warnings()).toHaveLength(1);
    const stats = await cache.stats();
    expect(stats).toMatchObject({ available: false, backend_type: 'redis', misses: 20, bytes: null });
  });

  it('reports stats in the original shape plus counters', async () => {
    const cache = memoryCache();
    const empty = await cache.stats();
    expect(empty.hit_rate).toBe(0);
    await lookup(cache, 'unified_inference', { a: 1 }, 't', () => ({ r: 1 }));
    await lookup(cache, 'unified_inference', { a: 1 }, 't', () => ({ r: 1 }));
    await lookup(cache, 'unified_inference', { a: 1 }, 't', () => ({ r: 1 }));
    await lookup(cache, 'unified_inference', { a: 2 }, 't', () => ({ r: 2 }), { ttlMs: 1 });
    await sleep(5);
    const stats = await cache.stats();
    expect(Object.keys(stats).sort()).toEqual(
      [
        'total_entries',
        'active_entries',
        'expired_entries',
        'default_ttl',
        'backend_type',
        'hits',
        'misses',
        'hit_rate',
        'evictions',
        'bytes',
        'max_entries',
        'max_bytes',
        'enabled',
        'available',
      ].sort(),
    );
    expect(stats).toMatchObject({
      total_entries: 2,
      active_entries: 1,
      expired_entries: 1,
      default_ttl: 3600,
      backend_type: 'memory',
      hits: 2,
      misses: 2,
      hit_rate: 0.5,
      evictions: 0,
      max_entries: 1000,
      max_bytes: 1 << 20,
      enabled: true,
      available: true,
    });
    expect(stats.bytes).toBeGreaterThan(0);
  });
});

describe('CACHE_ENABLED=false', () => {
  it('computes every request and stores nothing, whatever the backend', async () => {
    const dir = await tempDir();
    try {
      const cache = await createResultCache(
        cacheConfig({ enabled: false, backend: 'file', fileDir: dir.path }),
        silentLogger,
      );
      const work = counted({ v: 1 }, 5);
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          lookup(cache, 'unified_inference', { same: true }, 't', work.compute),
        ),
      );
      await lookup(cache, 'unified_inference', { same: true }, 't', work.compute);
      expect(work.calls()).toBe(6);
      expect(results.every((result) => !result.cached && result.json === undefined)).toBe(true);
      expect(await readdir(dir.path)).toEqual([]);
      expect(cache.enabled).toBe(false);
      expect(await cache.stats()).toMatchObject({
        enabled: false,
        backend_type: 'none',
        total_entries: 0,
        hits: 0,
        misses: 0,
        default_ttl: 3600,
      });
      await cache.close();
    } finally {
      await dir.remove();
    }
  });
});
