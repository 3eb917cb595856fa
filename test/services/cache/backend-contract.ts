import { afterEach, describe, expect, it } from 'vitest';
import type { CacheBackend } from '../../../src/services/cache/index.js';
import { sleep } from './helpers.js';

/** Builds a fresh, empty backend whose default TTL is `defaultTtlMs`. */
export type BackendFactory = (defaultTtlMs: number) => Promise<CacheBackend>;

const HOUR_MS = 3_600_000;
/** Short enough to keep the suite quick, long enough that a busy machine does not expire an entry early. */
const SHORT_TTL_MS = 150;

/**
 * The behaviour every backend owes its callers, whatever it stores on. Each backend's test runs this suite
 * against a real instance: memory in process, files in a temporary directory, a real redis-server.
 */
export function backendContract(name: string, create: BackendFactory): void {
  describe(`${name} backend: the shared contract`, () => {
    const open: CacheBackend[] = [];
    const fresh = async (defaultTtlMs = HOUR_MS): Promise<CacheBackend> => {
      const backend = await create(defaultTtlMs);
      open.push(backend);
      return backend;
    };
    afterEach(async () => {
      for (const backend of open.splice(0)) {
        await backend.clear();
        await backend.close();
      }
    });

    it('reports its type and default TTL', async () => {
      const backend = await fresh(1234);
      expect(backend.type).toBe(name);
      expect(backend.defaultTtlMs).toBe(1234);
      await expect(backend.ping()).resolves.toBeUndefined();
    });

    it('misses a key that was never set', async () => {
      const backend = await fresh();
      expect(await backend.get('absent')).toBeUndefined();
      expect(await backend.has('absent')).toBe(false);
      expect(await backend.delete('absent')).toBe(false);
    });

    it('returns what was set, byte for byte, and replaces it on a second set', async () => {
      const backend = await fresh();
      const value = JSON.stringify({
        energy_spectrum: [0.5, 1, 1.5],
        text: 'ψ — ünïcödé 🎻',
        nested: { a: [null] },
      });
      await backend.set('spectrum', value);
      expect(await backend.get('spectrum')).toBe(value);
      expect(await backend.has('spectrum')).toBe(true);
      await backend.set('spectrum', '"second"');
      expect(await backend.get('spectrum')).toBe('"second"');
    });

    it('keeps an empty string and a large value', async () => {
      const backend = await fresh();
      const large = 'x'.repeat(512 * 1024);
      await backend.set('empty', '');
      await backend.set('large', large);
      expect(await backend.get('empty')).toBe('');
      expect(await backend.get('large')).toBe(large);
    });

    it('treats keys as opaque: separators, globs, paths and unicode are just characters', async () => {
      const backend = await fresh();
      const keys = ['../../etc/passwd', 'a/b\\c', 'with space', 'glob*?[x]', 'κλειδί:🔑', 'x'.repeat(1000)];
      for (const [i, key] of keys.entries()) await backend.set(key, String(i));
      for (const [i, key] of keys.entries()) expect(await backend.get(key)).toBe(String(i));
      expect(await backend.get('../../etc')).toBeUndefined();
      expect(await backend.get('glob')).toBeUndefined();
    });

    it('deletes one key and leaves the others', async () => {
      const backend = await fresh();
      await backend.set('a', '1');
      await backend.set('b', '2');
      expect(await backend.delete('a')).toBe(true);
      expect(await backend.get('a')).toBeUndefined();
      expect(await backend.has('a')).toBe(false);
      expect(await backend.get('b')).toBe('2');
      expect(await backend.delete('a')).toBe(false);
    });

    it('clears every entry', async () => {
      const backend = await fresh();
      for (let i = 0; i < 25; i += 1) await backend.set(`k${i}`, `v${i}`);
      expect((await backend.stats()).totalEntries).toBe(25);
      await backend.clear();
      expect((await backend.stats()).totalEntries).toBe(0);
      expect(await backend.get('k3')).toBeUndefined();
    });

    it('expires an entry after the TTL given to set', async () => {
      const backend = await fresh();
      await backend.set('short', 'v', SHORT_TTL_MS);
      await backend.set('long', 'v', HOUR_MS);
      expect(await backend.get('short')).toBe('v');
      await sleep(2 * SHORT_TTL_MS);
      expect(await backend.get('short')).toBeUndefined();
      expect(await backend.has('short')).toBe(false);
      expect(await backend.get('long')).toBe('v');
    });

    it('uses the default TTL when set gets none, or one that is not positive', async () => {
      const backend = await fresh(SHORT_TTL_MS);
      await backend.set('default', 'v');
      await backend.set('zero', 'v', 0);
      await backend.set('negative', 'v', -5);
      expect(await backend.get('zero')).toBe('v');
      expect(await backend.get('negative')).toBe('v');
      await sleep(2 * SHORT_TTL_MS);
      expect(await backend.get('default')).toBeUndefined();
      expect(await backend.get('zero')).toBeUndefined();
      expect(await backend.get('negative')).toBeUndefined();
    });

    it('counts entries in stats; an expired entry is never active', async () => {
      const backend = await fresh();
      await backend.set('stays', 'v');
      await backend.set('goes', 'v', SHORT_TTL_MS);
      const before = await backend.stats();
      expect(before.totalEntries).toBe(2);
      expect(before.expiredEntries).toBe(0);
      await sleep(2 * SHORT_TTL_MS);
      const after = await backend.stats();
      // Memory and files still hold the expired entry and count it; Redis has already dropped it.
      expect(after.totalEntries - after.expiredEntries).toBe(1);
      expect(after.expiredEntries).toBe(name === 'redis' ? 0 : 1);
      expect(await backend.prune()).toBe(name === 'redis' ? 0 : 1);
      const pruned = await backend.stats();
      expect(pruned.totalEntries).toBe(1);
      expect(pruned.expiredEntries).toBe(0);
    });

    it('counts bytes where it can', async () => {
      const backend = await fresh();
      await backend.set('k', 'v'.repeat(100));
      const { bytes } = await backend.stats();
      if (name === 'redis') expect(bytes).toBeNull();
      else expect(bytes).toBeGreaterThanOrEqual(101);
    });

    it('serves concurrent readers and writers of the same keys consistently', async () => {
      const backend = await fresh();
      const values = Array.from({ length: 20 }, (_, i) =>
        JSON.stringify({ writer: i, pad: 'p'.repeat(i * 100) }),
      );
      const reads: (string | undefined)[] = [];
      await Promise.all([
        ...values.map((value) => backend.set('shared', value)),
        ...values.map(async () => reads.push(await backend.get('shared'))),
      ]);
      for (const read of reads) if (read !== undefined) expect(values).toContain(read);
      expect(values).toContain(await backend.get('shared'));
    });
  });
}
