import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  runBatch,
  type BatchRunner,
  type BatchTask,
  type ServerSnapshot,
  type BatchTaskOutcome,
} from '../../../src/app/batch/index.js';

/**
 * A runner whose tasks take `params.ms` milliseconds (ending early, as failures, when cancelled): the pipeline's
 * own behaviour — concurrency, stopping, abandoning — is what these tests look at.
 */
class TimedRunner implements BatchRunner {
  readonly mode = 'in-process';
  readonly target = 'timed';
  running = 0;
  mostRunning = 0;
  started: string[] = [];

  async run(task: BatchTask, cancel: AbortSignal): Promise<BatchTaskOutcome> {
    this.started.push(task.id);
    this.running += 1;
    this.mostRunning = Math.max(this.mostRunning, this.running);
    try {
      await sleep(task.params.ms as number, undefined, { signal: cancel });
      return task.params.fail
        ? { success: false, error: { code: 'invalid_input', message: 'no' } }
        : { success: true, cached: task.params.cached === true };
    } catch {
      return { success: false, error: { code: 'cancelled', message: 'cancelled' } };
    } finally {
      this.running -= 1;
    }
  }

  async serverSnapshot(): Promise<ServerSnapshot> {
    return { source: 'timed', metricsCounters: {}, cacheStats: {} };
  }

  async close(): Promise<void> {}
}

const tasks = (n: number, params: Record<string, unknown>): BatchTask[] =>
  Array.from({ length: n }, (_, i) => ({ id: `t${i}`, operation: 'x', params }));

describe('the batch pipeline', () => {
  it('runs W tasks at once, in order, and counts hits and failures', async () => {
    const runner = new TimedRunner();
    const list = [...tasks(6, { ms: 20, cached: true }), ...tasks(2, { ms: 5, fail: true })];
    const run = await runBatch(list, runner, { workers: 3, stopGraceMs: 1000 });
    expect(runner.mostRunning).toBe(3);
    expect(runner.started).toEqual(list.map((task) => task.id));
    expect(run).toMatchObject({
      planned: 8,
      completed: 8,
      successful: 6,
      failed: 2,
      cacheHits: 6,
      interrupted: false,
    });
    // A task's latency is its own run, not its wait for a worker.
    expect(Math.max(...run.latenciesMs)).toBeLessThan(200);
    expect(Math.min(...run.latenciesMs.subarray(0, 6))).toBeGreaterThanOrEqual(15);
  });

  it('on stop, takes no new task and waits for those in flight', async () => {
    const runner = new TimedRunner();
    const stop = new AbortController();
    const running = runBatch(tasks(100, { ms: 50 }), runner, {
      workers: 4,
      stop: stop.signal,
      stopGraceMs: 5000,
    });
    await sleep(120);
    stop.abort();
    const run = await running;
    expect(run.interrupted).toBe(true);
    expect(run.abandoned).toBe(0);
    expect(run.completed).toBe(runner.started.length);
    expect(run.completed).toBeGreaterThanOrEqual(8);
    expect(run.completed).toBeLessThan(100);
    expect(run.failed).toBe(0);
  });

  it('abandons the tasks in flight once the grace period is over, or at once on abandon', async () => {
    const stop = new AbortController();
    const slow = new TimedRunner();
    const started = performance.now();
    const graceful = runBatch(tasks(10, { ms: 10_000 }), slow, {
      workers: 2,
      stop: stop.signal,
      stopGraceMs: 100,
    });
    await sleep(20);
    stop.abort();
    const run = await graceful;
    expect(performance.now() - started).toBeLessThan(2000);
    expect(run).toMatchObject({ interrupted: true, completed: 0, abandoned: 2, failed: 0 });

    const abandon = new AbortController();
    const stop2 = new AbortController();
    const quick = runBatch(tasks(10, { ms: 10_000 }), new TimedRunner(), {
      workers: 3,
      stop: stop2.signal,
      abandon: abandon.signal,
      stopGraceMs: 60_000,
    });
    await sleep(20);
    stop2.abort();
    abandon.abort();
    expect(await quick).toMatchObject({ interrupted: true, completed: 0, abandoned: 3 });
  });

  it('lets timers run while a run never waits for I/O', async () => {
    const instant: BatchRunner = {
      mode: 'in-process',
      target: 'instant',
      run: async () => {
        const until = performance.now() + 0.05;
        while (performance.now() < until); // busy, like an inline operation
        return { success: true, cached: false };
      },
      serverSnapshot: async () => ({ source: 'instant', metricsCounters: null, cacheStats: null }),
      close: async () => undefined,
    };
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 10);
    await runBatch(tasks(4000, {}), instant, { workers: 2, stopGraceMs: 1000 });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(2);
  });
});
