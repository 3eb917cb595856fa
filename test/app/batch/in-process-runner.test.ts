import { afterEach, describe, expect, it } from 'vitest';
import {
  GeneratedTasks,
  openInProcessRunner,
  runBatch,
  type InProcessRunner,
} from '../../../src/app/batch/index.js';
import { loadConfig } from '../../../src/config/index.js';
import { createLogger } from '../../../src/services/telemetry/index.js';
import { useTempDirs } from '../../helpers/temp-dir.js';

describe('the in-process runner', () => {
  const tempDir = useTempDirs();
  const runners: InProcessRunner[] = [];
  afterEach(async () => {
    for (const runner of runners.splice(0)) await runner.close();
  });

  async function open(env: NodeJS.ProcessEnv = {}): Promise<InProcessRunner> {
    const dir = tempDir();
    const loaded = loadConfig({ cwd: dir, homeDir: dir, env: { LOG_LEVEL: 'silent', ...env } });
    const runner = await openInProcessRunner(loaded, createLogger({ level: 'silent' }));
    runners.push(runner);
    return runner;
  }

  it('answers every fifth task from the cache with one worker: 19 hits in 100', async () => {
    const runner = await open();
    const run = await runBatch(new GeneratedTasks(100, { repeats: true, seed: 1 }), runner, {
      workers: 1,
      stopGraceMs: 1000,
    });
    expect(run).toMatchObject({ planned: 100, completed: 100, successful: 100, failed: 0, cacheHits: 19 });
    expect(run.latenciesMs).toHaveLength(100);
    expect(Math.min(...run.latenciesMs)).toBeGreaterThan(0);
    const server = await runner.serverSnapshot();
    expect(server.metricsCounters).toMatchObject({
      mcp_unified_inference: 100,
      mcp_unified_inference_cache_hit: 19,
    });
    expect(server.cacheStats).toMatchObject({ hits: 19, misses: 81, total_entries: 81, enabled: true });
  });

  it('keeps about a fifth as hits with concurrent workers (a repeat that joins its original in flight is a miss)', async () => {
    const runner = await open();
    const run = await runBatch(new GeneratedTasks(500, { repeats: true, seed: 2 }), runner, {
      workers: 8,
      stopGraceMs: 1000,
    });
    expect(run.successful).toBe(500);
    expect(run.cacheHits).toBeGreaterThanOrEqual(90);
    expect(run.cacheHits).toBeLessThanOrEqual(99);
  });

  it('has no hits with the cache off (CACHE_ENABLED=false), even for repeated tasks', async () => {
    const runner = await open({ CACHE_ENABLED: 'false' });
    const run = await runBatch(new GeneratedTasks(100, { repeats: true, seed: 1 }), runner, {
      workers: 4,
      stopGraceMs: 1000,
    });
    expect(run).toMatchObject({ completed: 100, successful: 100, cacheHits: 0 });
    expect((await runner.serverSnapshot()).cacheStats).toMatchObject({ enabled: false, hits: 0 });
  });

  it('counts failed tasks by code and message instead of stopping', async () => {
    const runner = await open();
    const tasks = [
      { id: 'good', operation: 'string_spectrum', params: { max_modes: 5 } },
      { id: 'bad-1', operation: 'string_spectrum', params: { max_modes: -1 } },
      { id: 'bad-2', operation: 'string_spectrum', params: { max_modes: -1 } },
      { id: 'missing', operation: 'get_parameters', params: { model_id: 'nope' } },
    ];
    const run = await runBatch(tasks, runner, { workers: 2, stopGraceMs: 1000 });
    expect(run).toMatchObject({ completed: 4, successful: 1, failed: 3 });
    expect(run.errors).toEqual([
      {
        code: 'invalid_input',
        message: expect.stringContaining('max_modes') as string,
        count: 2,
        firstTask: 'bad-1',
      },
      {
        code: 'not_found',
        message: expect.stringContaining('nope') as string,
        count: 1,
        firstTask: 'missing',
      },
    ]);
  });

  it('fails a task that is not answered within BATCH_TIMEOUT with `timeout`', async () => {
    const runner = await open({ BATCH_TIMEOUT: '0.2' });
    const started = performance.now();
    const outcome = await runner.run(
      {
        id: 'long',
        operation: 'benchmark',
        params: { model_type: 'quasimoto_ensemble', config: { epochs: 50_000 } },
      },
      new AbortController().signal,
    );
    expect(performance.now() - started).toBeLessThan(3000);
    expect(outcome).toEqual({
      success: false,
      error: { code: 'timeout', message: 'no answer within 0.2 s (BATCH_TIMEOUT)' },
    });
  });
});
