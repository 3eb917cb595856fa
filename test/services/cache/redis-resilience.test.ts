import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import {
  createResultCache,
  type CacheConfig,
  type CacheSettings,
  type ResultCache,
} from '../../../src/services/cache/index.js';
import { INFO, cacheConfig, lookup, recordingLogger, sleep, waitFor, type LogRecord } from './helpers.js';
import { describeWithRedis } from '../../helpers/describe-with-redis.js';

const REQUEST_TIMEOUT_MS = 1000;
const COMMAND_TIMEOUT_MS = 100;

/** A Redis cache on `url` with short limits, so that the outages below play out in a few seconds. */
const fastFailing = (url: string, cache: Partial<CacheSettings> = {}): CacheConfig =>
  cacheConfig(
    {
      backend: 'redis',
      redisKeyPrefix: `resilience:${randomBytes(4).toString('hex')}:`,
      breakerFailureThreshold: 3,
      breakerCooldownMs: 200,
      ...cache,
    },
    {
      redisUrl: url,
      redis: { connectTimeoutMs: 300, commandTimeoutMs: COMMAND_TIMEOUT_MS },
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    },
  );

/** A type alias, as zod's z.infer gives: an interface has no index signature and is not a JsonInput. */
type UnifiedInput = {
  readonly dredge_insight: string;
  readonly quasimoto_coords: number[];
  readonly string_modes: number[];
};

/** A stand-in for unified inference with the real one's shape: 100 field points, mean of sin(nπx). */
function unified(input: UnifiedInput) {
  const x = Array.from({ length: 100 }, (_, i) => i / 99);
  const amplitudes = x.map(
    (xi) =>
      input.string_modes.reduce((sum, n) => sum + Math.sin(n * Math.PI * xi), 0) / input.string_modes.length,
  );
  return {
    dredge_insight: input.dredge_insight,
    quasimoto_coordinates: input.quasimoto_coords,
    string_modes: input.string_modes,
    coupled_amplitude: input.string_modes.reduce((sum, n) => sum + n / 2, 0),
    unified_field: { x_coordinates: x, field_amplitudes: amplitudes, dimensions: 10 },
  };
}

interface Outcome {
  readonly phase: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly cached: boolean;
  readonly error?: string;
}

/**
 * Client traffic: `workers` loops, each sending a request every couple of milliseconds over 16 distinct inputs,
 * each request failing if it errs, returns a wrong value, or takes longer than the request timeout.
 */
function traffic(cache: ResultCache, workers = 4) {
  const outcomes: Outcome[] = [];
  let phase = 'before';
  let running = true;
  let n = 0;
  const loop = async (): Promise<void> => {
    while (running) {
      const input: UnifiedInput = {
        dredge_insight: `insight ${n % 16}`,
        quasimoto_coords: [0.5],
        string_modes: [1, 2, 3],
      };
      n += 1;
      const requestPhase = phase;
      const started = performance.now();
      try {
        const result = await withTimeout(
          lookup(cache, 'unified_inference', input, 'tenant-a', () => unified(input)),
          REQUEST_TIMEOUT_MS,
        );
        expect(result.value).toEqual(unified(input));
        outcomes.push({
          phase: requestPhase,
          ok: true,
          ms: performance.now() - started,
          cached: result.cached,
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        outcomes.push({
          phase: requestPhase,
          ok: false,
          ms: performance.now() - started,
          cached: false,
          error: message,
        });
      }
      await sleep(2);
    }
  };
  const loops = Array.from({ length: workers }, loop);
  return {
    outcomes,
    setPhase: (next: string) => (phase = next),
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
    cachedSince: (since: number) => outcomes.slice(since).some((outcome) => outcome.ok && outcome.cached),
  };
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`request took longer than ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function summary(outcomes: Outcome[], phase: string) {
  const of = outcomes.filter((outcome) => outcome.phase === phase);
  return {
    requests: of.length,
    failed: of.filter((outcome) => !outcome.ok).length,
    cached: of.filter((outcome) => outcome.cached).length,
    maxMs: Math.max(0, ...of.map((outcome) => outcome.ms)),
  };
}

const circuitMessages = (records: LogRecord[]) => ({
  opened: records.filter((record) => /circuit opened/.test(record.msg)).length,
  closed: records.filter((record) => record.level === INFO && /circuit closed/.test(record.msg)).length,
});

describeWithRedis('redis cache: resilience against a real redis-server', (redis) => {
  it('serves every request while redis-server is SIGKILLed and restarted in the middle of traffic', async () => {
    const { logger, records, warnings } = recordingLogger('info');
    const config = fastFailing(redis().url);
    const cache = await createResultCache(config, logger);
    const load = traffic(cache);
    try {
      await sleep(400);
      load.setPhase('down');
      await redis().kill('SIGKILL');
      await sleep(700);
      load.setPhase('after');
      const restartedAt = load.outcomes.length;
      await redis().start();
      // Caching resumes on its own: the client reconnects, the breaker's probe closes the circuit.
      await waitFor(() => load.cachedSince(restartedAt), 5000, 'a cache hit after the restart');
      await sleep(200);
    } finally {
      await load.stop();
    }
    const before = summary(load.outcomes, 'before');
    const down = summary(load.outcomes, 'down');
    const after = summary(load.outcomes, 'after');
    const failures = load.outcomes.filter((outcome) => !outcome.ok);
    expect(failures).toEqual([]);
    expect(before.requests).toBeGreaterThan(20);
    expect(before.cached).toBeGreaterThan(0);
    expect(down.requests).toBeGreaterThan(20);
    expect(down.cached).toBe(0); // computed, not cached
    expect(after.cached).toBeGreaterThan(0);
    for (const phase of [before, down, after]) expect(phase.maxMs).toBeLessThan(REQUEST_TIMEOUT_MS);
    expect(cache.inFlight).toBe(0);
    // One warning for the outage, one info record for the recovery: not one per request.
    expect(warnings()).toHaveLength(1);
    expect(circuitMessages(records)).toEqual({ opened: 1, closed: 1 });
    expect((await cache.stats()).available).toBe(true);
    await cache.close();
  });

  it('stays within the request timeout while Redis hangs (CLIENT PAUSE), and recovers', async () => {
    const { logger, records } = recordingLogger('info');
    const config = fastFailing(redis().url);
    const cache = await createResultCache(config, logger);
    const admin = new Redis(redis().url);
    const load = traffic(cache);
    try {
      await sleep(300);
      load.setPhase('hung');
      // Redis keeps the connections open but answers nothing for 1.2 s: the "slow Redis" case.
      await admin.call('CLIENT', 'PAUSE', '1200', 'ALL');
      await sleep(1200);
      load.setPhase('after');
      const resumedAt = load.outcomes.length;
      await waitFor(() => load.cachedSince(resumedAt), 5000, 'a cache hit after the pause');
    } finally {
      await load.stop();
      admin.disconnect();
    }
    const hung = summary(load.outcomes, 'hung');
    expect(load.outcomes.filter((outcome) => !outcome.ok)).toEqual([]);
    expect(hung.requests).toBeGreaterThan(20);
    // At worst a read and a write each wait out the command timeout; after that the open circuit answers at once.
    expect(hung.maxMs).toBeLessThan(2 * COMMAND_TIMEOUT_MS + 300); // margin for a busy 2-core machine
    expect(hung.maxMs).toBeLessThan(REQUEST_TIMEOUT_MS);
    expect(circuitMessages(records)).toEqual({ opened: 1, closed: 1 });
    await cache.close();
  });

  it('starts without Redis, serves requests computed, and begins caching when Redis appears', async () => {
    await redis().kill();
    const { logger, warnings } = recordingLogger('info');
    const config = fastFailing(redis().url);
    const started = performance.now();
    const cache = await createResultCache(config, logger);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(warnings()[0]?.msg).toMatch(/not reachable at start/);
    const input: UnifiedInput = { dredge_insight: 'cold start', quasimoto_coords: [0.5], string_modes: [1] };
    for (let i = 0; i < 10; i += 1) {
      const result = await withTimeout(
        lookup(cache, 'unified_inference', input, 't', () => unified(input)),
        REQUEST_TIMEOUT_MS,
      );
      expect(result.cached).toBe(false);
    }
    expect((await cache.stats()).available).toBe(false);
    await redis().start();
    await waitFor(
      async () => (await lookup(cache, 'unified_inference', input, 't', () => unified(input))).cached,
      5000,
      'caching to begin',
    );
    expect((await cache.stats()).available).toBe(true);
    await cache.close();
  });

  it('keeps TTLs in Redis, writes only under its prefix, and clears only its own keys', async () => {
    const config = fastFailing(redis().url, { ttlSeconds: 120 });
    const cache = await createResultCache(config, recordingLogger('warn').logger);
    const admin = new Redis(redis().url);
    try {
      await admin.set('someone-else:key', 'theirs');
      await lookup(cache, 'string_spectrum', { max_modes: 3 }, 't', () => ({
        energy_spectrum: [0.5, 1, 1.5],
      }));
      await lookup(
        cache,
        'string_spectrum',
        { max_modes: 4 },
        't',
        () => ({ energy_spectrum: [0.5, 1, 1.5, 2] }),
        {
          ttlMs: 5000,
        },
      );
      const ours = (await admin.keys(`${config.redisKeyPrefix}*`)).sort();
      expect(ours).toHaveLength(2);
      for (const key of ours) expect(key).toMatch(/:string_spectrum:[0-9a-f]{64}$/);
      const ttls = await Promise.all(ours.map((key) => admin.pttl(key)));
      expect(ttls.some((ttl) => ttl > 5000 && ttl <= 120_000)).toBe(true);
      expect(ttls.some((ttl) => ttl > 0 && ttl <= 5000)).toBe(true);
      const stats = await cache.stats();
      expect(stats).toMatchObject({
        backend_type: 'redis',
        total_entries: 2,
        active_entries: 2,
        expired_entries: 0,
        default_ttl: 120,
        bytes: null,
        evictions: null,
      });
      await cache.clear();
      expect(await admin.keys(`${config.redisKeyPrefix}*`)).toEqual([]);
      expect(await admin.get('someone-else:key')).toBe('theirs');
    } finally {
      await admin.del('someone-else:key');
      admin.disconnect();
      await cache.close();
    }
  });
});
