import { existsSync } from 'node:fs';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/index.js';
import { createResultCache, effectiveCommandTimeoutMs } from '../../../src/services/cache/index.js';
import { cacheConfig, lookup, recordingLogger, silentLogger, tempDir } from './helpers.js';

describe('createResultCache', () => {
  it('builds the memory cache with the configured bounds and TTL', async () => {
    const cache = await createResultCache(
      cacheConfig({ backend: 'memory', maxEntries: 2, maxBytes: 4096, ttlSeconds: 60 }),
      silentLogger,
    );
    for (const n of [1, 2, 3]) await lookup(cache, 'string_spectrum', { max_modes: n }, 't', () => ({ n }));
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
      await lookup(cache, 'unified_inference', { q: 1 }, 't', () => ({ field: [1, 2, 3] }));
      expect((await lookup(cache, 'unified_inference', { q: 1 }, 't', () => ({ field: [] }))).value).toEqual({
        field: [1, 2, 3],
      });
      expect(await readdir(dir.path)).toHaveLength(1);
      expect(records.every((record) => record.component === 'cache')).toBe(true);
      await cache.close();
    } finally {
      await dir.remove();
    }
  });

  it('makes FILE_CACHE_DIR at start, leaving nothing in it', async () => {
    const dir = await tempDir();
    try {
      const fileDir = join(dir.path, 'a', 'b', 'cache');
      const cache = await createResultCache(cacheConfig({ backend: 'file', fileDir }), silentLogger);
      expect((await stat(fileDir)).isDirectory()).toBe(true);
      expect(await readdir(fileDir)).toEqual([]);
      await cache.close();
    } finally {
      await dir.remove();
    }
  });

  it('refuses a FILE_CACHE_DIR that cannot be made with one line naming the key and the path at fault', async () => {
    const dir = await tempDir();
    try {
      const blocker = join(dir.path, 'a-file');
      await writeFile(blocker, '');
      const fileDir = join(blocker, 'cache');
      const refused = createResultCache(cacheConfig({ backend: 'file', fileDir }), silentLogger);
      await expect(refused).rejects.toThrow(ConfigError);
      await expect(refused).rejects.toMatchObject({
        key: 'FILE_CACHE_DIR',
        message: `Cannot use FILE_CACHE_DIR ${fileDir}: ${blocker} is not a directory.`,
      });
    } finally {
      await dir.remove();
    }
  });

  it.skipIf(!existsSync('/proc/self'))(
    'refuses a FILE_CACHE_DIR under /proc at once, where a recursive mkdir would spin for ever',
    async () => {
      const refused = createResultCache(
        cacheConfig({ backend: 'file', fileDir: '/proc/dredge-cache-test/cache' }),
        silentLogger,
      );
      await expect(refused).rejects.toThrow(
        /^Cannot use FILE_CACHE_DIR \/proc\/dredge-cache-test\/cache: \/proc\/dredge-cache-test cannot be created \((ENOENT|EACCES): [^)]+\)\.$/,
      );
    },
    5000,
  );

  it('caps the Redis command timeout at a quarter of the request timeout', () => {
    expect(effectiveCommandTimeoutMs(250, 30_000)).toBe(250);
    expect(effectiveCommandTimeoutMs(250, 400)).toBe(100);
    expect(effectiveCommandTimeoutMs(250, 2)).toBe(1);
    // REQUEST_TIMEOUT=0 means no request limit: nothing to cap against.
    expect(effectiveCommandTimeoutMs(250, 0)).toBe(250);
  });
});
