import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createResultCache, effectiveCommandTimeoutMs } from '../../../src/services/cache/index.js';
import { cacheConfig, recordingLogger, silentLogger, tempDir } from './helpers.js';

describe('createResultCache', () => {
  it('builds the memory cache with the configured bounds and TTL', async () => {
    const cache = await createResultCache(
      cacheConfig({ backend: 'memory', maxEntries: 2, maxBytes: 4096, ttlSeconds: 60 }),
      silentLogger,
    );
    for (const n of [1, 2, 3]) await cache.stringSpectrum({ max_modes: n }, 't', () => ({ n }));
    expect(await cache.stats()).toMatchObject({
      backend_type: 'memory',
      total_entries: 2,
      evictions: 1,
      max_entries: 2,
      max_bytes: 4096,
      default_ttl: 60,
    });
    await cache.close();
  });

  it('builds the file cache in FILE_CACHE_DIR, and logs as the cache component', async () => {
    const dir = await tempDir();
    try {
      const { logger, records } = recordingLogger('info');
      const cache = await createResultCache(cacheConfig({ backend: 'file', fileDir: dir.path }), logger);
      await cache.unifiedInference({ q: 1 }, 't', () => ({ field: [1, 2, 3] }));
      expect((await cache.unifiedInference({ q: 1 }, 't', () => ({ field: [] }))).value).toEqual({
        field: [1, 2, 3],
      });
      expect(await readdir(dir.path)).toHaveLength(1);
      expect(records.every((record) => record.component === 'cache')).toBe(true);
      await cache.close();
    } finally {
      await dir.remove();
    }
  });

  it('caps the Redis command timeout at a quarter of the request timeout', () => {
    expect(effectiveCommandTimeoutMs(250, 30_000)).toBe(250);
    expect(effectiveCommandTimeoutMs(250, 400)).toBe(100);
    expect(effectiveCommandTimeoutMs(250, 2)).toBe(1);
    // REQUEST_TIMEOUT=0 means no request limit: nothing to cap against.
    expect(effectiveCommandTimeoutMs(250, 0)).toBe(250);
  });
});
