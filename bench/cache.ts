/**
 * `npm run bench -- cache [--quick]`: hit and miss latency of each cache backend, and what the cache saves on
 * repeated unified_inference queries, against computing them in the same run.
 *
 * Every operation is timed on its own (median and p99 of per-call times). Redis is a real redis-server this
 * benchmark starts on a free loopback port and stops at the end; the file cache writes to a temporary directory.
 * The unified_inference rows measure what a door does to answer: "computed" is compute + JSON.stringify of the
 * response; a cache hit is key hashing + lookup + the stored JSON with `"cached":true` spliced in (no parse).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { unifiedInference } from '../src/core/index.js';
import { withCachedFlag } from '../src/app/operations/outcome.js';
import {
  FileBackend,
  MemoryBackend,
  ResultCache,
  cacheKey,
  type CacheBackend,
} from '../src/services/cache/index.js';
import { RedisBackend } from '../src/services/cache/redis-backend.js';
import { createLogger } from '../src/services/telemetry/logger.js';
import { RedisTestServer } from '../test/helpers/redis-server.js';

const HOUR_MS = 3_600_000;
const logger = createLogger({ level: 'silent' });

interface Row {
  readonly backend: string;
  readonly what: string;
  readonly median: number;
  readonly p99: number;
  readonly n: number;
  /** Latency change against the computed baseline, for the unified_inference rows. */
  readonly vsComputed?: string;
}

interface Sizes {
  readonly memory: number;
  readonly file: number;
  readonly redis: number;
  readonly compute: number;
}

export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const sizes: Sizes = quick
    ? { memory: 5_000, file: 500, redis: 1_000, compute: 2_000 }
    : { memory: 20_000, file: 2_000, redis: 5_000, compute: 10_000 };

  const rows: Row[] = [];
  const computed = await computedBaseline(sizes.compute);
  rows.push(computed);

  rows.push(...(await benchBackend('memory', memoryBackend(), sizes.memory, computed.median)));

  const dir = await mkdtemp(join(tmpdir(), 'dredge-bench-cache-'));
  try {
    const file = new FileBackend({ dir, defaultTtlMs: HOUR_MS, logger, sweepIntervalMs: 0 });
    rows.push(...(await benchBackend('file', file, sizes.file, computed.median)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const redis = await startRedis();
  if (redis === undefined) {
    rows.push({
      backend: 'redis',
      what: 'skipped: redis-server is not installed',
      median: NaN,
      p99: NaN,
      n: 0,
    });
  } else {
    try {
      const backend = new RedisBackend({
        redis: { url: redis.url },
        defaultTtlMs: HOUR_MS,
        logger,
        keyPrefix: 'bench:',
      });
      await backend.connect();
      rows.push(...(await benchBackend('redis', backend, sizes.redis, computed.median)));
    } finally {
      await redis.stop();
    }
  }

  printTable(rows);
}

/** The baseline: compute unified_inference and serialize the response, as a door does without a cache. */
async function computedBaseline(n: number): Promise<Row> {
  const samples = await measure(n, (i) => {
    JSON.stringify({
      success: true,
      ...unifiedInference(`insight ${i % 64}`, [0.5, 0.5], [1, 2, 3]),
      cached: false,
    });
  });
  return { backend: '(none)', what: 'unified_inference computed → response JSON', ...stats(samples) };
}

async function benchBackend(
  name: string,
  backend: CacheBackend,
  n: number,
  computedMedian: number,
): Promise<Row[]> {
  const rows: Row[] = [];
  // A real unified_inference result (~4 KB of JSON) as the stored value.
  const value = JSON.stringify(unifiedInference('Digital memory', [0.5, 0.5], [1, 2, 3]));
  const keys = Array.from({ length: 256 }, (_, i) => `bench:key:${i}`);
  for (const key of keys) await backend.set(key, value);

  rows.push({
    backend: name,
    what: 'get, hit (4 KB value)',
    ...stats(await measure(n, (i) => backend.get(keys[i % 256] as string))),
  });
  rows.push({
    backend: name,
    what: 'get, miss',
    ...stats(await measure(n, (i) => backend.get(`bench:absent:${i}`))),
  });
  rows.push({
    backend: name,
    what: 'set (4 KB value)',
    ...stats(await measure(n, (i) => backend.set(`bench:write:${i % 1024}`, value))),
  });

  const cache = new ResultCache({ backend, defaultTtlMs: HOUR_MS, logger });
  const compute = (insight: string) => () => unifiedInference(insight, [0.5, 0.5], [1, 2, 3]);
  const tenant = 'default';
  const input = (insight: string) => ({
    dredge_insight: insight,
    quasimoto_coords: [0.5, 0.5],
    string_modes: [1, 2, 3],
  });
  // What runOperation does for a cached operation: key, lookup (computing on a miss), the cached flag spliced in.
  const lookup = (insight: string) =>
    cache.getOrCompute(cacheKey('unified_inference', input(insight), tenant), compute(insight));
  const answer = async (insight: string) => {
    const result = await lookup(insight);
    return withCachedFlag(result.json ?? JSON.stringify(result.value), result.cached);
  };

  // Misses: every query new, so each one reads, computes, writes.
  const miss = stats(
    await measure(n, async (i) => {
      const insight = `miss ${i} ${Math.random()}`;
      await answer(insight);
    }),
  );
  rows.push({
    backend: name,
    what: 'unified_inference miss (read + compute + write)',
    ...miss,
    vsComputed: change(miss.median, computedMedian),
  });

  // Repeated queries: 64 distinct ones, all cached after the first round.
  for (let i = 0; i < 64; i += 1) await lookup(`insight ${i}`);
  const hit = stats(
    await measure(n, async (i) => {
      const insight = `insight ${i % 64}`;
      await answer(insight);
    }),
  );
  rows.push({
    backend: name,
    what: 'unified_inference hit → response JSON',
    ...hit,
    vsComputed: change(hit.median, computedMedian),
  });
  const parsed = stats(
    await measure(n, async (i) => {
      const insight = `insight ${i % 64}`;
      const result = await lookup(insight);
      void result.value; // a caller that wants the object pays for JSON.parse
    }),
  );
  rows.push({
    backend: name,
    what: 'unified_inference hit, value parsed',
    ...parsed,
    vsComputed: change(parsed.median, computedMedian),
  });

  await backend.clear();
  await backend.close();
  return rows;
}

/** Per-call times in µs, after a warm-up of a tenth of the calls. */
async function measure(n: number, operation: (i: number) => unknown): Promise<number[]> {
  const warmup = Math.max(10, Math.floor(n / 10));
  for (let i = 0; i < warmup; i += 1) await operation(i);
  const samples = new Array<number>(n);
  for (let i = 0; i < n; i += 1) {
    const start = process.hrtime.bigint();
    await operation(i);
    samples[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  return samples;
}

function stats(samples: number[]): { median: number; p99: number; n: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { median: at(0.5), p99: at(0.99), n: sorted.length };
}

/** "−93 % (14×)" for a latency against the computed baseline. */
function change(latency: number, baseline: number): string {
  const percent = (latency / baseline - 1) * 100;
  const sign = percent < 0 ? '−' : '+';
  const ratio = baseline / latency;
  return `${sign}${Math.abs(percent).toFixed(0)} % (${ratio >= 1 ? `${ratio.toFixed(1)}× faster` : `${(1 / ratio).toFixed(1)}× slower`})`;
}

function printTable(rows: Row[]): void {
  const format = (us: number) =>
    Number.isNaN(us) ? '–' : us < 10 ? us.toFixed(2) : us < 100 ? us.toFixed(1) : us.toFixed(0);
  const header = ['backend', 'measurement', 'median µs', 'p99 µs', 'calls', 'vs computed'];
  const body = rows.map((row) => [
    row.backend,
    row.what,
    format(row.median),
    format(row.p99),
    String(row.n),
    row.vsComputed ?? (row.backend === '(none)' ? 'baseline' : ''),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => (cells[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    '| ' +
    cells
      .map((cell, column) =>
        column >= 2 && column <= 4 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join(' | ') +
    ' |';
  console.log(
    `cache benchmark — node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}`,
  );
  console.log(
    'targets: memory hit ≤ 5 µs, Redis hit ≤ 300 µs over loopback; seed claim: hits < 1 ms, 80–90 % reduction',
  );
  console.log(line(header));
  console.log(
    '|' +
      widths
        .map((width, column) =>
          column >= 2 && column <= 4 ? '-'.repeat(width + 1) + ':' : '-'.repeat(width + 2),
        )
        .join('|') +
      '|',
  );
  for (const cells of body) console.log(line(cells));
}

function memoryBackend(): MemoryBackend {
  return new MemoryBackend({ maxEntries: 10_000, maxBytes: 64 * 1024 ** 2, defaultTtlMs: HOUR_MS });
}

/** A throwaway redis-server on a free loopback port, keeping nothing on disk; undefined when it is not installed. */
async function startRedis(): Promise<{ url: string; stop: () => Promise<void> } | undefined> {
  if (spawnSync('redis-server', ['--version']).error !== undefined) return undefined;
  const server = await RedisTestServer.start();
  return { url: server.url, stop: () => server.stop() };
}
