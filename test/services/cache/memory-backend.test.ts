import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../../src/services/cache/index.js';

const HOUR_MS = 3_600_000;

function memory(maxEntries: number, maxBytes = 1024 ** 3, now?: () => number): MemoryBackend {
  return new MemoryBackend({ maxEntries, maxBytes, defaultTtlMs: HOUR_MS, now });
}

describe('memory backend: bounds and LRU', () => {
  it('evicts the least recently used entry beyond the entry bound; a get counts as a use, has does not', async () => {
    const cache = memory(3);
    await cache.set('a', '1');
    await cache.set('b', '2');
    await cache.set('c', '3');
    expect(await cache.get('a')).toBe('1'); // a is now the most recently used
    expect(await cache.has('b')).toBe(true); // has does not refresh b
    await cache.set('d', '4'); // evicts b, the least recently used
    expect(await cache.has('b')).toBe(false);
    expect([await cache.get('a'), await cache.get('c'), await cache.get('d')]).toEqual(['1', '3', '4']);
    await cache.set('e', '5'); // a, c, d were used in that order: a goes
    expect(await cache.has('a')).toBe(false);
    expect(cache.size).toBe(3);
    expect((await cache.stats()).evictions).toBe(2);
  });

  it('re-setting a key refreshes it and does not count it twice', async () => {
    const cache = memory(2);
    await cache.set('a', '1');
    await cache.set('b', '2');
    await cache.set('a', '1b');
    await cache.set('c', '3');
    expect(await cache.get('a')).toBe('1b');
    expect(await cache.has('b')).toBe(false);
    expect(cache.size).toBe(2);
  });

  it('counts bytes exactly as UTF-8 of key and value, and evicts to stay under the byte bound', async () => {
    const cache = memory(1000, 100);
    await cache.set('k1', 'é'.repeat(10)); // 2 + 20 bytes
    expect(cache.byteSize).toBe(22);
    await cache.set('k2', 'x'.repeat(48)); // 2 + 48
    expect(cache.byteSize).toBe(72);
    await cache.set('k3', 'y'.repeat(38)); // 2 + 38: 112 > 100, so k1 (22) goes
    expect(cache.byteSize).toBe(90);
    expect(await cache.has('k1')).toBe(false);
    expect((await cache.stats()).bytes).toBe(90);
    await cache.delete('k2');
    expect(cache.byteSize).toBe(40);
    await cache.clear();
    expect(cache.byteSize).toBe(0);
  });

  it('does not store a value larger than the byte bound on its own, and keeps what it had', async () => {
    const cache = memory(10, 64);
    await cache.set('small', 'v');
    await cache.set('huge', 'z'.repeat(100));
    expect(await cache.has('huge')).toBe(false);
    expect(await cache.get('small')).toBe('v');
    // Replacing a key with an oversized value removes the old value rather than serving it stale.
    await cache.set('small', 'z'.repeat(100));
    expect(await cache.has('small')).toBe(false);
    expect(cache.byteSize).toBe(0);
  });

  it('expires by its clock and removes an expired entry when it is read', async () => {
    let now = 1_000;
    const cache = memory(10, 1024, () => now);
    await cache.set('a', 'v', 50);
    now += 49;
    expect(await cache.get('a')).toBe('v');
    now += 1;
    expect((await cache.stats()).expiredEntries).toBe(1);
    expect(await cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.byteSize).toBe(0);
  });

  it('stays inside both bounds after 1,000,000 distinct keys', () => {
    const maxEntries = 10_000;
    const maxBytes = 256 * 1024;
    const cache = memory(maxEntries, maxBytes);
    let largestSize = 0;
    let largestBytes = 0;
    for (let i = 0; i < 1_000_000; i += 1) {
      // Values of varying length, so both bounds take turns being the binding one.
      cache.setSync(`key:${i}`, 'v'.repeat(i % 64));
      if (cache.size > largestSize) largestSize = cache.size;
      if (cache.byteSize > largestBytes) largestBytes = cache.byteSize;
    }
    expect(largestSize).toBeLessThanOrEqual(maxEntries);
    expect(largestBytes).toBeLessThanOrEqual(maxBytes);
    // The newest key is there, the oldest long gone, and the evictions account for every key that left.
    expect(cache.getSync('key:999999')).toBe('v'.repeat(999_999 % 64));
    expect(cache.getSync('key:0')).toBeUndefined();
    return cache.stats().then((stats) => {
      expect(stats.totalEntries).toBe(cache.size);
      expect(stats.evictions).toBe(1_000_000 - cache.size);
      expect(stats.bytes).toBeLessThanOrEqual(maxBytes);
    });
  });

  it('stays inside the entry bound through the async interface too', async () => {
    const cache = memory(1000);
    for (let i = 0; i < 50_000; i += 1) await cache.set(`k${i}`, String(i));
    expect(cache.size).toBe(1000);
    expect(await cache.get('k49999')).toBe('49999');
  });

  it('rejects bounds that are not positive integers', () => {
    expect(() => memory(0)).toThrow(RangeError);
    expect(() => memory(10, 0)).toThrow(RangeError);
    expect(() => memory(1.5)).toThrow(RangeError);
    expect(() => new MemoryBackend({ maxEntries: 1, maxBytes: 1024, defaultTtlMs: 0 })).toThrow(RangeError);
  });
});
