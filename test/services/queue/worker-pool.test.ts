import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { TaskQueue, WorkerPool, type TaskExecutor } from '../../../src/services/queue/local/index.js';

const echo: TaskExecutor = async (operation, params) => {
  await sleep(1);
  if (operation === 'fail') throw new Error('the task failed on purpose');
  return { operation, params };
};

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(2);
  }
}

describe("the original's in-process worker pool", () => {
  it('runs tasks through pending → running → completed or failed, with their times and results', async () => {
    const pool = new WorkerPool(2, echo);
    const ok = pool.submit('unified_inference', { dredge_insight: 'x' });
    const bad = pool.submit('fail');
    expect(pool.getResult(ok)).toMatchObject({ status: 'pending', started_at: null, completed_at: null });
    pool.start();
    await until(() => pool.getStats().completed + pool.getStats().failed === 2);
    const done = pool.getResult(ok)!;
    expect(done).toMatchObject({
      status: 'completed',
      result: { operation: 'unified_inference', params: { dredge_insight: 'x' } },
      error: null,
    });
    expect(done.created_at).toBeLessThanOrEqual(done.started_at!);
    expect(done.started_at).toBeLessThanOrEqual(done.completed_at!);
    expect(pool.getResult(bad)).toMatchObject({
      status: 'failed',
      error: 'the task failed on purpose',
      result: null,
    });
    expect(pool.getStats()).toMatchObject({
      num_workers: 2,
      completed: 1,
      failed: 1,
      pending: 0,
      queue_size: 0,
    });
    await pool.stop();
  });

  it('fails at once, with a clear error, when the queue is full', () => {
    const queue = new TaskQueue(2);
    queue.submit('a');
    queue.submit('b');
    expect(() => queue.submit('c')).toThrow('The task queue is full (2 tasks waiting): try again later.');
    expect(() => new TaskQueue(0)).toThrow(RangeError);
  });

  it('keeps finished results within a bound and a time limit', async () => {
    const pool = new WorkerPool(4, echo, { maxResults: 5, resultTtlMs: 200 });
    pool.start();
    const ids = Array.from({ length: 20 }, (_, i) => pool.submit('task', { i }));
    await until(() => ids.slice(-5).every((id) => pool.getResult(id)?.status === 'completed'));
    const kept = ids.filter((id) => pool.getResult(id) !== undefined);
    expect(kept.length).toBeLessThanOrEqual(5);
    await sleep(250);
    expect(ids.filter((id) => pool.getResult(id) !== undefined)).toEqual([]);
    await pool.stop();
  });

  it('runs at most numWorkers tasks at once', async () => {
    let running = 0;
    let most = 0;
    const slow: TaskExecutor = async () => {
      running += 1;
      most = Math.max(most, running);
      await sleep(10);
      running -= 1;
    };
    const pool = new WorkerPool(3, slow);
    pool.start();
    const ids = Array.from({ length: 12 }, () => pool.submit('slow'));
    await until(() => ids.every((id) => pool.getResult(id)?.status === 'completed'));
    expect(most).toBe(3);
    await pool.stop();
  });

  it('on stop lets the current task finish and leaves the queued ones pending', async () => {
    const slow: TaskExecutor = async (_operation, _params, signal) => {
      await sleep(100);
      return { aborted: signal.aborted };
    };
    const pool = new WorkerPool(1, slow);
    const first = pool.submit('slow');
    const second = pool.submit('slow');
    pool.start();
    await until(() => pool.getResult(first)?.status === 'running');
    await pool.stop();
    expect(pool.getResult(first)).toMatchObject({ status: 'completed', result: { aborted: false } });
    expect(pool.getResult(second)).toMatchObject({ status: 'pending' });
    expect(pool.getStats()).toMatchObject({ running: false, pending: 1, queue_size: 1 });
  });
});
