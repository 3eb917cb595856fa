import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';

/**
 * Work above COMPUTE_INLINE_WORK runs on the compute pool and stops when nobody waits for it any more: an HTTP
 * client that hangs up, a cancelled task. With one pool thread, a large inference that kept running would hold it
 * for many seconds; stopped, the thread is free for the next request at once.
 */
describe('heavy work on the pool, stopped when nobody waits for it', () => {
  let server: RunningMcpServer;
  let modelId: string;
  /** Rows of a large inference: about 1.9e10 multiply-adds, ten seconds and more of one core. */
  const LARGE_ROWS = 6000;
  const row = new Array<number>(8).fill(0.5);

  beforeAll(async () => {
    server = await startMcpServer({ NUM_WORKERS: '1', MAX_REQUEST_WORK: '1e11' });
    // 3.2 M parameters: one row is already work for the pool (3.2e6 > COMPUTE_INLINE_WORK).
    const loaded = await server.call('load_model', {
      model_type: 'string_theory',
      config: { dimensions: 8, hidden_size: 1024, num_layers: 4, seed: 1 },
    });
    expect(loaded.status).toBe(200);
    modelId = loaded.body.model_id as string;
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  const largeInference = () => ({ model_id: modelId, inputs: { x: new Array(LARGE_ROWS).fill(row) } });

  /** The pool is idle again, burns no CPU, and a small pool job (one row) answers promptly. */
  async function poolIsFree(): Promise<void> {
    await vi.waitFor(() => expect(server.services.compute.inFlight).toBe(0), { timeout: 3000 });
    const started = performance.now();
    const completed = server.services.compute.completed;
    // Values of its own, so that it is no cache hit.
    const x = [row.map(() => Math.random())];
    const small = await server.call('inference', { model_id: modelId, inputs: { x } });
    expect(small.status).toBe(200);
    expect(server.services.compute.completed).toBe(completed + 1);
    // A fresh thread starts (the aborted one was ended); behind the large inference it would wait ten seconds.
    expect(performance.now() - started).toBeLessThan(5000);
    const cpu = process.cpuUsage();
    await sleep(1000);
    const used = process.cpuUsage(cpu);
    expect((used.user + used.system) / 1000).toBeLessThan(400);
  }

  it('ends a large inference whose HTTP client hangs up', async () => {
    const client = new AbortController();
    const answer = fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operation: 'inference', params: largeInference() }),
      signal: client.signal,
    }).catch((error: unknown) => error);
    await vi.waitFor(() => expect(server.services.compute.inFlight).toBe(1), { timeout: 5000 });
    await sleep(200);
    client.abort();
    expect(await answer).toBeInstanceOf(Error);
    await poolIsFree();
    const metrics = await server.call('get_metrics');
    expect((metrics.body.metrics as { counters: Record<string, number> }).counters).toMatchObject({
      [`mcp_inference_error{model_id=${modelId}}`]: 1,
    });
  }, 30_000);

  it('ends the pool work of a large inference task when the task is cancelled', async () => {
    const submitted = await server.call('submit_task', { operation: 'inference', params: largeInference() });
    expect(submitted.status).toBe(200);
    const taskId = submitted.body.task_id as string;
    await vi.waitFor(() => expect(server.services.compute.inFlight).toBe(1), { timeout: 5000 });
    await sleep(200);
    const cancelled = await server.call('cancel_task', { task_id: taskId });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', task_id: taskId });
    await poolIsFree();
  }, 30_000);

  it('keeps /health answering while the dashboard fits the large model', async () => {
    let slowest = 0;
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const started = performance.now();
        const health = await fetch(`${server.url}/health`);
        await health.arrayBuffer();
        slowest = Math.max(slowest, performance.now() - started);
        await sleep(5);
      }
    })();
    try {
      // Each points value is a fit of its own (a cache miss): the model's forward pass runs on the pool.
      const completed = server.services.compute.completed;
      for (const points of [100, 200, 300, 400]) {
        const fit = await server.call('model_fit', { model_id: modelId, points });
        expect(fit.status).toBe(200);
        expect(fit.body).toMatchObject({ model_id: modelId, cached: false });
      }
      expect(server.services.compute.completed).toBe(completed + 4);
    } finally {
      polling = false;
      await poll;
    }
    expect(slowest).toBeLessThan(100);
  }, 30_000);
});
