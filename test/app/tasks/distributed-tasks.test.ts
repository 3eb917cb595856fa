import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeWithRedis } from '../../helpers/describe-with-redis.js';
import { startDredgeWorker, type DredgeWorkerProcess } from '../../helpers/dredge-worker.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';
import { useTempDirs } from '../../helpers/temp-dir.js';

/**
 * The distributed queue with real processes: a real redis-server (keeping an append-only file, so a restart
 * loses nothing), a real MCP server submitting over HTTP, and real `dredge worker` processes that are killed,
 * stopped and cut off from Redis in the middle of their work.
 */
const tempDir = useTempDirs();

interface Task {
  task_id: string;
  status: string;
  worker: string | null;
  attempts: number;
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  completed_at: string | null;
}

// The append-only file lets Redis be killed and restarted mid-run without losing the queue.
const persistDir = mkdtempSync(join(tmpdir(), 'dredge-redis-aof-'));

describeWithRedis(
  'distributed tasks with real worker processes',
  (redis) => {
    let server: RunningMcpServer;
    let env: Record<string, string>;
    const workers: DredgeWorkerProcess[] = [];

    beforeAll(async () => {
      env = {
        QUEUE_BACKEND: 'bullmq',
        STORE_BACKEND: 'redis',
        REDIS_URL: redis().url,
        WORKER_LOCK_DURATION: '2',
        NUM_WORKERS: '1',
        TRACE_SAMPLE_RATIO: '1',
      };
      server = await startMcpServer(env, await tempDir());
    });

    afterEach(async () => {
      await Promise.all(workers.splice(0).map((worker) => worker.kill()));
    });

    afterAll(async () => {
      await server?.close();
    });

    async function worker(
      extra: Record<string, string> = {},
      args: string[] = [],
    ): Promise<DredgeWorkerProcess> {
      const started = await startDredgeWorker(redis().url, { ...env, ...extra }, args, await tempDir());
      workers.push(started);
      return started;
    }

    async function submit(
      operation: string,
      params: unknown,
      headers: Record<string, string> = {},
    ): Promise<Task> {
      const response = await fetch(`${server.url}/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ operation, params }),
      });
      expect(response.status).toBe(202);
      return (await response.json()) as Task;
    }

    async function task(id: string): Promise<Task> {
      return (await (await fetch(`${server.url}/tasks/${id}`)).json()) as Task;
    }

    async function until(id: string, done: (task: Task) => boolean, timeoutMs = 30_000): Promise<Task> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const current = await task(id);
        if (done(current)) return current;
        if (Date.now() > deadline) throw new Error(`task ${id} is still ${current.status}`);
        await sleep(25);
      }
    }

    const finished = (t: Task) => ['completed', 'failed', 'cancelled'].includes(t.status);

    it('runs a task submitted over HTTP on a worker process, in the trace of the request', async () => {
      const runner = await worker({}, ['--concurrency', '2']);
      const traceId = randomBytes(16).toString('hex');
      const params = {
        dredge_insight: 'Memory patterns',
        quasimoto_coords: [0.5, 0.5],
        string_modes: [1, 2, 3],
      };
      const submitted = await submit('unified_inference', params, {
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      });
      const done = await until(submitted.task_id, finished);
      const direct = await server.call('unified_inference', params);
      expect(done).toMatchObject({ status: 'completed', worker: runner.name, attempts: 1, error: null });
      expect({ ...done.result, cached: undefined, device: undefined }).toEqual({
        ...direct.body,
        cached: undefined,
        device: undefined,
      });

      const workerSpans = (await (await fetch(`${runner.statusUrl}/traces?trace_id=${traceId}`)).json()) as {
        spans: { operationName: string; parentSpanID: string | null; spanID: string }[];
      };
      const serverSpans = server.services.telemetry.tracing.recentSpans({ traceId });
      const taskSpan = workerSpans.spans.find((span) => span.operationName === 'task unified_inference');
      expect(taskSpan).toBeDefined();
      // The task span hangs from a span of the submitting request, recorded by the server.
      expect(serverSpans.map((span) => span.spanID)).toContain(taskSpan?.parentSpanID);
      expect(workerSpans.spans.map((span) => span.operationName)).toContain('operation unified_inference');

      const stats = (await (await fetch(`${server.url}/tasks`)).json()) as Record<string, unknown>;
      expect(stats).toMatchObject({ backend: 'bullmq', workers: 1, concurrency: 2 });
    });

    it('finishes a task on another worker when its worker is killed with SIGKILL, recording it once', async () => {
      const loaded = await server.call('load_model', {
        model_type: 'quasimoto_ensemble',
        config: { n_waves: 16 },
      });
      const modelId = loaded.body.model_id as string;
      const before = await server.call('list_models', {});
      const versionOf = (list: Record<string, unknown>) =>
        (list.models as { model_id: string; version: number }[]).find((m) => m.model_id === modelId)?.version;
      const first = await worker();
      const second = await worker();
      const submitted = await submit('train', { model_id: modelId, epochs: 4000 });
      const running = await until(submitted.task_id, (t) => t.status === 'running');
      const victim = running.worker === first.name ? first : second;
      const survivor = victim === first ? second : first;
      await sleep(300);
      await victim.kill();

      const done = await until(submitted.task_id, finished, 60_000);
      expect(done).toMatchObject({ status: 'completed', worker: survivor.name });
      const after = await server.call('list_models', {});
      // Exactly one training was recorded: the model's version (its epochs trained) moved by one training's epochs.
      expect(versionOf(after.body)).toBe((versionOf(before.body) ?? 0) + 4000);
      const metrics = await (await fetch(`${survivor.statusUrl}/metrics`)).text();
      expect(metrics).toMatch(/dredge_task_attempts_total\{operation="train",outcome="completed"\} 1\b/);
    }, 90_000);

    it('finishes the running task on SIGTERM, then exits; a task queued meanwhile waits for the next worker', async () => {
      const draining = await worker();
      const long = await submit('benchmark', {
        model_type: 'quasimoto_ensemble',
        config: { n_waves: 16, epochs: 2500 },
      });
      await until(long.task_id, (t) => t.status === 'running');
      const exited = draining.stop();
      await sleep(200);
      const later = await submit('unified_inference', { dredge_insight: 'after SIGTERM' });
      expect(await exited).toBe(0);
      const done = await task(long.task_id);
      expect(done).toMatchObject({ status: 'completed', worker: draining.name });
      expect((await task(later.task_id)).status).toBe('pending');

      const next = await worker();
      expect(await until(later.task_id, finished)).toMatchObject({ status: 'completed', worker: next.name });
    }, 60_000);

    it('carries on when Redis is killed and restarted: every accepted task completes', async () => {
      await worker({}, ['--concurrency', '2']);
      await worker({}, ['--concurrency', '2']);
      const accepted: Task[] = [];
      for (let i = 0; i < 24; i++) {
        accepted.push(
          await submit('benchmark', { model_type: 'quasimoto_1d', config: { epochs: 3000 + i } }),
        );
      }
      await sleep(400);
      await redis().kill('SIGKILL');
      // While Redis is away the server says so: not ready, and new tasks get 503 rather than a hang.
      const ready = await fetch(`${server.url}/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { checks: Record<string, { ok: boolean }> }).checks.queue?.ok).toBe(
        false,
      );
      const refused = await fetch(`${server.url}/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ operation: 'unified_inference' }),
      });
      expect(refused.status).toBe(503);
      await sleep(500);
      await redis().start();
      const results = [];
      for (const submitted of accepted) results.push(await until(submitted.task_id, finished, 60_000));
      expect(results.map((t) => t.status)).toEqual(accepted.map(() => 'completed'));
    }, 120_000);
  },
  { persistDir: () => persistDir },
);
afterAll(() => rmSync(persistDir, { recursive: true, force: true }));
