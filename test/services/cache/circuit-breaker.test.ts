import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CacheUnavailableError,
  CircuitBreaker,
  GuardedBackend,
  MemoryBackend,
  type CacheBackend,
  type CircuitState,
} from '../../../src/services/cache/index.js';
import { INFO, recordingLogger } from './helpers.js';

describe('CircuitBreaker', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function breaker(probe: () => Promise<void>, failureThreshold = 3, cooldownMs = 1000) {
    const changes: string[] = [];
    const instance = new CircuitBreaker({
      failureThreshold,
      cooldownMs,
      probe,
      onStateChange: (from: CircuitState, to: CircuitState) => changes.push(`${from}->${to}`),
    });
    return { instance, changes };
  }

  it('opens after the threshold of consecutive failures; a success in between resets the count', () => {
    const { instance, changes } = breaker(() => Promise.resolve());
    expect(instance.state).toBe('closed');
    instance.recordFailure(new Error('1'));
    instance.recordFailure(new Error('2'));
    instance.recordSuccess();
    instance.recordFailure(new Error('1'));
    instance.recordFailure(new Error('2'));
    expect(instance.allows).toBe(true);
    instance.recordFailure(new Error('3'));
    expect(instance.state).toBe('open');
    expect(instance.allows).toBe(false);
    expect(changes).toEqual(['closed->open']);
    instance.dispose();
  });

  it('ignores late results of calls while open: only a probe closes it', () => {
    const { instance } = breaker(() => Promise.resolve(), 1);
    instance.recordFailure(new Error('down'));
    instance.recordSuccess();
    instance.recordFailure(new Error('again'));
    expect(instance.state).toBe('open');
    instance.dispose();
  });

  it('probes after each cool-down until the backend answers, then closes', async () => {
    let healthy = false;
    let probes = 0;
    const { instance, changes } = breaker(() => {
      probes += 1;
      return healthy ? Promise.resolve() : Promise.reject(new Error('still down'));
    }, 1);
    instance.recordFailure(new Error('down'));
    await vi.advanceTimersByTimeAsync(999);
    expect(probes).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(probes).toBe(1);
    expect(instance.state).toBe('open');
    await vi.advanceTimersByTimeAsync(3000);
    expect(probes).toBe(4);
    healthy = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(probes).toBe(5);
    expect(instance.state).toBe('closed');
    expect(changes).toEqual([
      'closed->open',
      ...Array.from({ length: 4 }, () => ['open->half_open', 'half_open->open']).flat(),
      'open->half_open',
      'half_open->closed',
    ]);
    // Closed again: no more probes, and it takes the full threshold to open again.
    await vi.advanceTimersByTimeAsync(5000);
    expect(probes).toBe(5);
    instance.dispose();
  });

  it('refuses calls while the probe is in flight (half-open)', async () => {
    let answer: (() => void) | undefined;
    const { instance } = breaker(() => new Promise<void>((resolve) => (answer = resolve)), 1);
    instance.recordFailure(new Error('down'));
    await vi.advanceTimersByTimeAsync(1000);
    expect(instance.state).toBe('half_open');
    expect(instance.allows).toBe(false);
    answer?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(instance.state).toBe('closed');
    expect(instance.allows).toBe(true);
  });

  it('stops probing when disposed', async () => {
    let probes = 0;
    const { instance } = breaker(() => {
      probes += 1;
      return Promise.reject(new Error('down'));
    }, 1);
    instance.recordFailure(new Error('down'));
    await vi.advanceTimersByTimeAsync(1000);
    instance.dispose();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(probes).toBe(1);
  });

  it('rejects nonsense settings', () => {
    expect(() => breaker(() => Promise.resolve(), 0)).toThrow(RangeError);
    expect(() => breaker(() => Promise.resolve(), 1, 0)).toThrow(RangeError);
  });
});

describe('GuardedBackend', () => {
  /** A memory backend that can be switched to failing, counting the calls that reach it. */
  function flaky() {
    const inner = new MemoryBackend({ maxEntries: 100, maxBytes: 1 << 20, defaultTtlMs: 60_000 });
    const state = { down: false, calls: 0 };
    const guard = <T>(run: () => Promise<T>): Promise<T> => {
      state.calls += 1;
      return state.down ? Promise.reject(new Error('connection refused')) : run();
    };
    const backend: CacheBackend = {
      type: 'redis',
      defaultTtlMs: 60_000,
      get: (key) => guard(() => inner.get(key)),
      set: (key, value, ttlMs) => guard(() => inner.set(key, value, ttlMs)),
      delete: (key) => guard(() => inner.delete(key)),
      clear: () => guard(() => inner.clear()),
      has: (key) => guard(() => inner.has(key)),
      stats: () => guard(() => inner.stats()),
      ping: () => guard(() => inner.ping()),
      prune: () => guard(() => inner.prune()),
      close: () => inner.close(),
    };
    return { backend, state };
  }

  it('turns failures into misses, stops calling a dead backend, and recovers by itself', async () => {
    const { backend, state } = flaky();
    const { logger, warnings, records } = recordingLogger();
    const guarded = new GuardedBackend(backend, { failureThreshold: 3, cooldownMs: 50, logger });
    await guarded.set('k', 'v');
    expect(await guarded.get('k')).toBe('v');

    state.down = true;
    for (let i = 0; i < 3; i += 1) expect(await guarded.get('k')).toBeUndefined();
    expect(guarded.circuitState).toBe('open');
    const callsWhenOpened = state.calls;
    for (let i = 0; i < 100; i += 1) {
      expect(await guarded.get('k')).toBeUndefined();
      await guarded.set('k2', 'v');
      expect(await guarded.has('k')).toBe(false);
      expect(await guarded.delete('k')).toBe(false);
    }
    expect(state.calls).toBe(callsWhenOpened); // not one call reached the dead backend
    await expect(guarded.stats()).rejects.toBeInstanceOf(CacheUnavailableError);
    await expect(guarded.clear()).rejects.toBeInstanceOf(CacheUnavailableError);

    state.down = false;
    await vi.waitFor(() => expect(guarded.circuitState).toBe('closed'), { timeout: 2000, interval: 10 });
    expect(await guarded.get('k')).toBe('v');
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]?.msg).toMatch(/circuit opened/);
    expect(
      records.filter((record) => record.level === INFO && /circuit closed/.test(record.msg)),
    ).toHaveLength(1);
    await guarded.close();
  });
});
