import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { DredgeError } from '../../../src/services/errors.js';
import type { TaskExecutor, TaskService } from '../../../src/services/queue/index.js';

export interface ServiceOptions {
  readonly concurrency?: number;
  readonly maxWaiting?: number;
  readonly attempts?: number;
  readonly backoffMs?: number;
  readonly timeoutMs?: number;
  readonly maxResultBytes?: number;
}

export type OpenTaskService = (
  executor: TaskExecutor,
  options?: ServiceOptions,
) => Promise<{ service: TaskService; close(): Promise<void> }>;

/**
 * Operations of a test executor: each names a behaviour a real operation can have (answer, fail for a while,
 * fail for good, run long, ignore its signal).
 */
export function testExecutor(): { executor: TaskExecutor; attemptsOf: (key: string) => number } {
  const attempts = new Map<string, number>();
  const executor: TaskExecutor = async (job, signal, onProgress) => {
    const params = job.params as { key?: string; failures?: number; ms?: number };
    const key = params.key ?? '';
    attempts.set(key, (attempts.get(key) ?? 0) + 1);
    switch (job.operation) {
      case 'echo':
        return JSON.stringify({ success: true, echo: job.params, tenant: job.tenant });
      case 'flaky':
        if ((attempts.get(key) ?? 0) <= (params.failures ?? 0)) {
          throw new DredgeError('unavailable', 'a dependency is away');
        }
        return JSON.stringify({ success: true, attempts: attempts.get(key) });
      case 'bad':
        throw new DredgeError('invalid_input', 'params.x must be a number');
      case 'crash':
        throw new Error('a bug');
      case 'slow':
        await sleep(params.ms ?? 10_000, undefined, { signal }).catch(() => undefined);
        return JSON.stringify({ success: true, slept: params.ms });
      case 'steps':
        onProgress({ progress: 1, total: 2, message: 'half way' });
        await sleep(params.ms ?? 10_000, undefined, { signal }).catch(() => undefined);
        onProgress({ progress: 2, total: 2 });
        return JSON.stringify({ success: true });
      case 'stubborn':
        await sleep(params.ms ?? 10_000); // ignores its signal
        return JSON.stringify({ success: true });
      default:
        throw new DredgeError('not_found', `Unknown operation: ${job.operation}`);
    }
  };
  return { executor, attemptsOf: (key) => attempts.get(key) ?? 0 };
}

async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

/** One behaviour for both task services: the local pool and BullMQ with a worker. */
export function describeTaskService(name: string, open: OpenTaskService): void {
  describe(`${name} task service`, () => {
    it('runs a task to completion and keeps its result, times, attempts and worker', async () => {
      const { service, close } = await open(testExecutor().executor);
      try {
        const submitted = await service.submit('echo', { key: 'a', n: 1 }, { tenant: 'acme' });
        expect(submitted).toMatchObject({ operation: 'echo', status: 'pending', attempts: 0, result: null });
        const done = await service.wait(submitted.task_id, 10_000);
        expect(done).toMatchObject({
          task_id: submitted.task_id,
          status: 'completed',
          attempts: 1,
          error: null,
          result: { success: true, echo: { key: 'a', n: 1 }, tenant: 'acme' },
        });
        expect(done?.worker).toEqual(expect.any(String));
        for (const time of [done?.created_at, done?.started_at, done?.completed_at]) {
          expect(Date.parse(time ?? '')).not.toBeNaN();
        }
        expect(Date.parse(done!.completed_at!)).toBeGreaterThanOrEqual(Date.parse(done!.created_at));
        expect(await service.get(submitted.task_id)).toEqual(done);
      } finally {
        await close();
      }
    });

    it('retries transient failures with exponential backoff, then completes', async () => {
      const { executor, attemptsOf } = testExecutor();
      const { service, close } = await open(executor, { attempts: 3, backoffMs: 50 });
      try {
        const started = Date.now();
        const { task_id } = await service.submit('flaky', { key: 'f', failures: 2 }, { tenant: 'default' });
        const done = await service.wait(task_id, 10_000);
        expect(done).toMatchObject({ status: 'completed', attempts: 3, result: { attempts: 3 } });
        expect(attemptsOf('f')).toBe(3);
        // Two waits: 50 ms, then 100 ms.
        expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      } finally {
        await close();
      }
    });

    it('fails a task whose transient failures outlast its attempts', async () => {
      const { executor, attemptsOf } = testExecutor();
      const { service, close } = await open(executor, { attempts: 2, backoffMs: 10 });
      try {
        const { task_id } = await service.submit('flaky', { key: 'g', failures: 5 }, { tenant: 'default' });
        const done = await service.wait(task_id, 10_000);
        expect(done).toMatchObject({ status: 'failed', attempts: 2, error: { code: 'unavailable' } });
        expect(attemptsOf('g')).toBe(2);
      } finally {
        await close();
      }
    });

    it('never retries a failure that would fail again', async () => {
      const { executor, attemptsOf } = testExecutor();
      const { service, close } = await open(executor, { attempts: 5, backoffMs: 10 });
      try {
        const bad = await service.submit('bad', { key: 'b' }, { tenant: 'default' });
        const crash = await service.submit('crash', { key: 'c' }, { tenant: 'default' });
        expect(await service.wait(bad.task_id, 10_000)).toMatchObject({
          status: 'failed',
          attempts: 1,
          error: { code: 'invalid_input', message: 'params.x must be a number' },
        });
        const crashed = await service.wait(crash.task_id, 10_000);
        expect(crashed).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'internal' } });
        expect(crashed?.error?.message).not.toContain('a bug');
        expect(attemptsOf('b') + attemptsOf('c')).toBe(2);
      } finally {
        await close();
      }
    });

    it('ends an attempt at its timeout, even when the operation ignores its signal', async () => {
      const { service, close } = await open(testExecutor().executor, { attempts: 3 });
      try {
        const started = Date.now();
        const { task_id } = await service.submit(
          'stubborn',
          { ms: 4000 },
          { tenant: 'default', timeoutMs: 150 },
        );
        const done = await service.wait(task_id, 10_000);
        expect(done).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'timeout' } });
        expect(Date.now() - started).toBeLessThan(3000);
      } finally {
        await close();
      }
    });

    it('fails a task whose answer is over TASK_RESULT_MAX_BYTES, naming the key, without retrying it', async () => {
      const { service, close } = await open(testExecutor().executor, { attempts: 3, maxResultBytes: 1024 });
      try {
        const small = await service.submit(
          'echo',
          { key: 's', text: 'x'.repeat(100) },
          { tenant: 'default' },
        );
        const large = await service.submit(
          'echo',
          { key: 'l', text: 'x'.repeat(2000) },
          { tenant: 'default' },
        );
        expect(await service.wait(small.task_id, 10_000)).toMatchObject({ status: 'completed' });
        const refused = await service.wait(large.task_id, 10_000);
        expect(refused).toMatchObject({
          status: 'failed',
          attempts: 1,
          result: null,
          error: { code: 'too_large' },
        });
        expect(refused?.error?.message).toMatch(
          /^echo answered \d+ bytes of JSON, more than a task may keep as its result \(TASK_RESULT_MAX_BYTES, 1024 bytes\)/,
        );
      } finally {
        await close();
      }
    });

    it('cancels a waiting task and a running one', async () => {
      const { service, close } = await open(testExecutor().executor, { concurrency: 1 });
      try {
        const running = await service.submit('slow', { ms: 20_000 }, { tenant: 'default' });
        await until(async () => (await service.get(running.task_id))?.status === 'running');
        const waiting = await service.submit('echo', { key: 'w' }, { tenant: 'default' });
        expect(await service.cancel(waiting.task_id)).toMatchObject({ status: 'cancelled', result: null });
        const started = Date.now();
        expect(await service.cancel(running.task_id)).toMatchObject({ status: 'cancelled' });
        expect(Date.now() - started).toBeLessThan(5000);
        expect(await service.get(waiting.task_id)).toMatchObject({ status: 'cancelled' });
        // The worker is free again.
        const next = await service.submit('echo', { key: 'n' }, { tenant: 'default' });
        expect(await service.wait(next.task_id, 10_000)).toMatchObject({ status: 'completed' });
        // A finished task keeps its state when cancelled.
        expect(await service.cancel(next.task_id)).toMatchObject({ status: 'completed' });
      } finally {
        await close();
      }
    });

    it('refuses tasks beyond the waiting bound with unavailable, and counts what it holds', async () => {
      const { service, close } = await open(testExecutor().executor, { concurrency: 1, maxWaiting: 2 });
      try {
        const first = await service.submit('slow', { ms: 20_000 }, { tenant: 'default' });
        await until(async () => (await service.get(first.task_id))?.status === 'running');
        await service.submit('echo', {}, { tenant: 'default' });
        await service.submit('echo', {}, { tenant: 'default' });
        await expect(service.submit('echo', {}, { tenant: 'default' })).rejects.toMatchObject({
          code: 'unavailable',
          message: expect.stringContaining('QUEUE_MAX_WAITING'),
        });
        const stats = await service.stats();
        expect(stats).toMatchObject({ waiting: 2, running: 1, workers: 1, concurrency: 1 });
        await service.cancel(first.task_id);
      } finally {
        await close();
      }
    });

    it('shows the progress a running task reports', async () => {
      const { service, close } = await open(testExecutor().executor);
      try {
        const { task_id } = await service.submit('steps', { ms: 300 }, { tenant: 'default' });
        await until(async () => (await service.get(task_id))?.progress !== null);
        expect(await service.get(task_id)).toMatchObject({
          status: 'running',
          progress: { progress: 1, total: 2, message: 'half way' },
        });
        expect(await service.wait(task_id, 10_000)).toMatchObject({ status: 'completed' });
      } finally {
        await close();
      }
    });

    it('answers undefined for tasks it does not know', async () => {
      const { service, close } = await open(testExecutor().executor);
      try {
        expect(await service.get('0f8fad5b-d9cb-469f-a165-70867728950e')).toBeUndefined();
        expect(await service.cancel('0f8fad5b-d9cb-469f-a165-70867728950e')).toBeUndefined();
        expect(await service.wait('0f8fad5b-d9cb-469f-a165-70867728950e', 50)).toBeUndefined();
      } finally {
        await close();
      }
    });
  });
}
