/**
 * Fuzz every door: real `dredge up` processes (the DREDGE server and the MCP server, authentication and tenants
 * on, rate limits off) take FUZZ_REQUESTS (default 10,000) generated requests across every route and every
 * operation of the catalogue — valid, at their bounds, mutated, nested, malformed, oversized, with broken keys,
 * bad Host and Origin, and tenant B naming tenant A's models, insights and tasks — while slow-header and idle
 * sockets are held open and a polite client asks for /health. Then the same, smaller (FUZZ_QUEUE_REQUESTS, default
 * 1,500), with the BullMQ queue, the Redis store and a real `dredge worker` on a redis-server of its own.
 *
 * Fails on: any answer ≥ 500 but 503; an error answer that is not JSON naming its error code; a request not
 * answered; a server that died or stopped answering /health; a held socket the servers never closed; a byte of
 * tenant A's (planted markers: insight texts and ids, task ids and task text, model ids) in any answer to tenant
 * B's key, to no key or to a broken key; and tenant A's objects gone after the run. Prints /health's p99 and the
 * processes' peak RSS.
 *
 * FUZZ_SEED reproduces a run (the seed is printed); each request is a function of the seed and its index alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeWithRedis } from '../helpers/describe-with-redis.js';
import { startDredgeWorker } from '../helpers/dredge-worker.js';
import { fuzzSeed } from './rng.js';
import { runPhase, type PhaseOptions } from './phase.js';
import { doorLines, problems, reportLines } from './report.js';

const SEED = fuzzSeed();
const REQUESTS = requestCount('FUZZ_REQUESTS', 10_000);
const QUEUE_REQUESTS = requestCount('FUZZ_QUEUE_REQUESTS', 1_500);

/** A count from the environment: a whole number of at least 1, else the run would pass having sent nothing. */
function requestCount(key: string, fallback: number): number {
  const given = process.env[key]?.trim();
  const count = given ? Number(given) : fallback;
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`${key} must be a whole number of at least 1; it is ${given}`);
  return count;
}

/** The servers' configuration in every phase: authentication and tenants on, rate limits off, small bounds. */
const ENV: NodeJS.ProcessEnv = {
  AUTH_ENABLED: 'true',
  MULTI_TENANT_ENABLED: 'true',
  // Rate limits would turn most of the fuzz into 429s, which say nothing about the doors behind them.
  RATE_LIMIT_ENABLED: 'false',
  LOG_LEVEL: 'warn',
  // Params at their bounds must be refused (413) or cheap: no request may compute for seconds on two cores.
  MAX_REQUEST_WORK: '20000000',
  MAX_MODEL_PARAMETERS: '2000000',
  // Slow-header and idle sockets must be closed by the servers within the run, not after the default 10 s.
  HEADERS_TIMEOUT: '2',
  TRACE_SAMPLE_RATIO: '1',
};

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function fuzz(options: Omit<PhaseOptions, 'seed' | 'cwd'>): Promise<void> {
  const cwd = mkdtempSync(join(tmpdir(), 'dredge-fuzz-'));
  dirs.push(cwd);
  // Printed first, so that a run that fails before its report can still be repeated.
  console.log(`every-door fuzz, ${options.name}: FUZZ_SEED=${SEED}`);
  const report = await runPhase({ ...options, seed: SEED, cwd });
  console.log(reportLines(report).join('\n'));
  if (process.env.FUZZ_VERBOSE) console.log(doorLines(report).join('\n'));
  const found = problems(report);
  expect(found, `FUZZ_SEED=${SEED}:\n${found.join('\n')}`).toEqual([]);
}

describe('fuzzing every door', () => {
  it(`answers ${REQUESTS} generated requests with no 5xx but 503, only well-formed errors and no cross-tenant byte`, async () => {
    await fuzz({ name: 'local queue, SQLite store', count: REQUESTS, env: ENV });
  }, 600_000);
});

describeWithRedis('fuzzing every door with BullMQ, the Redis store and a dredge worker', (redis) => {
  it(`answers ${QUEUE_REQUESTS} generated requests with no 5xx but 503, only well-formed errors and no cross-tenant byte`, async () => {
    await fuzz({
      name: 'BullMQ queue, Redis store, dredge worker',
      count: QUEUE_REQUESTS,
      env: { ...ENV, QUEUE_BACKEND: 'bullmq', STORE_BACKEND: 'redis', REDIS_URL: redis().url },
      startWorker: (env) => startDredgeWorker(redis().url, env),
    });
  }, 600_000);
});
