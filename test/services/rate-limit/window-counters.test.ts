import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryWindowCounter } from '../../../src/services/rate-limit/index.js';
import { RedisWindowCounter } from '../../../src/services/rate-limit/redis-window-counter.js';
import { describeWithRedis } from '../../helpers/describe-with-redis.js';

describe('MemoryWindowCounter', () => {
  it('counts per key within a window and starts again when it ends', () => {
    let now = 1_000;
    const counter = new MemoryWindowCounter(10, () => now);
    expect(counter.hit('a', 1, 60_000)).toEqual({ total: 1, resetMs: 60_000 });
    now += 20_000;
    expect(counter.hit('a', 3, 60_000)).toEqual({ total: 4, resetMs: 40_000 });
    expect(counter.hit('b', 1, 60_000)).toEqual({ total: 1, resetMs: 60_000 });
    now += 40_000;
    expect(counter.hit('a', 1, 60_000)).toEqual({ total: 1, resetMs: 60_000 });
  });

  it('keeps at most maxKeys windows, dropping ended ones first', () => {
    let now = 0;
    const counter = new MemoryWindowCounter(3, () => now);
    counter.hit('old', 1, 10);
    counter.hit('a', 5, 1_000);
    counter.hit('b', 5, 1_000);
    now = 100;
    // 'old' has ended: it goes, and the running windows keep their counts.
    counter.hit('c', 1, 1_000);
    expect(counter.hit('a', 1, 1_000).total).toBe(6);
    // All three running and a fourth key: a flood of distinct keys, so the counts start over.
    counter.hit('d', 1, 1_000);
    expect(counter.hit('a', 1, 1_000).total).toBe(1);
  });
});

describeWithRedis('RedisWindowCounter on a real Redis', (redis) => {
  let first: RedisWindowCounter;
  let second: RedisWindowCounter;

  beforeAll(() => {
    first = new RedisWindowCounter(new Redis(redis().url), 'test:rate:');
    second = new RedisWindowCounter(new Redis(redis().url), 'test:rate:');
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it('counts one key together from two clients, with the window set by the first hit', async () => {
    const a = await first.hit('shared', 2, 60_000);
    expect(a.total).toBe(2);
    expect(a.resetMs).toBeGreaterThan(59_000);
    const b = await second.hit('shared', 3, 60_000);
    expect(b.total).toBe(5);
    expect(b.resetMs).toBeLessThanOrEqual(60_000);
  });

  it('starts a key again once its window has expired', async () => {
    expect((await first.hit('short', 1, 50)).total).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect((await first.hit('short', 1, 50)).total).toBe(1);
  });
});
