import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDredgeServer } from '../../../src/app/http/dredge-server.js';
import { createMcpServer } from '../../../src/app/http/mcp-server.js';
import type { OpenApp } from '../../../src/app/open-app.js';
import { describeWithRedis } from '../../helpers/describe-with-redis.js';
import { postOperation } from '../../helpers/mcp-server.js';
import { createTestServices } from '../../helpers/test-services.js';

// The store's and queue's command timeouts, made short so the test takes seconds (the defaults are 10 s and 5 s);
// the cache's stays at its default, a quarter of a second.
const STORE_TIMEOUT_MS = 1_000;
const QUEUE_TIMEOUT_MS = 1_000;
/** The cache's command timeout (REDIS_COMMAND_TIMEOUT's default): a lookup reads, then writes. */
const CACHE_TIMEOUT_MS = 250;
/** What an answer may take beyond the timeouts that bound it, on a loaded machine. */
const SLACK_MS = 1_500;

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly ms: number;
}

async function timed(
  work: () => Promise<{ status: number; body: Record<string, unknown> }>,
): Promise<Answer> {
  const started = performance.now();
  const { status, body } = await work();
  return { status, body, ms: performance.now() - started };
}

describeWithRedis(
  'a hung Redis (SIGSTOP): every request answers, and the server recovers by itself',
  (redis) => {
    let services: OpenApp['services'];
    let mcp: FastifyInstance;
    let dredge: FastifyInstance;
    let mcpUrl: string;
    let dredgeUrl: string;

    const operation = (name: string, params: Record<string, unknown> = {}) =>
      timed(() => postOperation(mcpUrl, name, params));
    const lift = (text: string) =>
      timed(async () => {
        const response = await fetch(`${dredgeUrl}/lift`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ insight_text: text }),
        });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      });
    const get = (url: string) =>
      timed(async () => {
        const response = await fetch(url);
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      });

    beforeAll(async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'dredge-redis-hang-'));
      const opened = await createTestServices(
        {
          REDIS_URL: redis().url,
          STORE_BACKEND: 'redis',
          QUEUE_BACKEND: 'bullmq',
          CACHE_BACKEND: 'redis',
          REDIS_STORE_TIMEOUT: String(STORE_TIMEOUT_MS / 1000),
          REDIS_QUEUE_TIMEOUT: String(QUEUE_TIMEOUT_MS / 1000),
          CACHE_BREAKER_COOLDOWN: '0.5',
        },
        cwd,
        'dredge-redis-hang-test',
      );
      services = opened.services;
      mcp = await createMcpServer(services, opened.catalogue);
      dredge = await createDredgeServer(services, opened.catalogue);
      mcpUrl = await mcp.listen({ host: '127.0.0.1', port: 0 });
      dredgeUrl = await dredge.listen({ host: '127.0.0.1', port: 0 });
    });
    afterAll(async () => {
      redis().resume();
      await mcp?.close();
      await dredge?.close();
      await services?.close();
    });

    it('answers 503 within the store and queue timeouts, a computed miss for the cache, then recovers', async () => {
      // Before: everything works, and the cache hits.
      const loaded = await operation('load_model', { model_type: 'quasimoto_1d', config: { seed: 1 } });
      expect(loaded.status).toBe(200);
      const modelId = loaded.body.model_id as string;
      const submitted = await operation('submit_task', { operation: 'get_metrics' });
      expect(submitted.status).toBe(200);
      const taskId = submitted.body.task_id as string;
      expect((await lift('before the hang')).status).toBe(200);
      const insight = { dredge_insight: 'hang' };
      expect((await operation('unified_inference', insight)).body.cached).toBe(false);
      expect((await operation('unified_inference', insight)).body.cached).toBe(true);

      redis().pause();
      const [load, infer, getTask, submit, lifted, cachedBefore, fresh, health, ready] = await Promise.all([
        operation('load_model', { model_type: 'quasimoto_1d' }),
        operation('inference', { model_id: modelId, inputs: { x: [0.5], t: [0] } }),
        operation('get_task', { task_id: taskId }),
        operation('submit_task', { operation: 'get_metrics' }),
        lift('during the hang'),
        operation('unified_inference', insight),
        operation('unified_inference', { dredge_insight: 'new during the hang' }),
        get(`${mcpUrl}/health`),
        get(`${mcpUrl}/ready`),
      ]);

      // The store: 503 within REDIS_STORE_TIMEOUT.
      for (const [name, answer] of Object.entries({ load, infer, lifted })) {
        expect({ name, status: answer.status, code: answer.body.code }).toEqual({
          name,
          status: 503,
          code: 'unavailable',
        });
        expect(answer.ms, name).toBeLessThan(STORE_TIMEOUT_MS + SLACK_MS);
      }
      // The queue (get_task reads the store first, then the queue): 503 within the two timeouts.
      for (const [name, answer] of Object.entries({ getTask, submit })) {
        expect({ name, status: answer.status, code: answer.body.code }).toEqual({
          name,
          status: 503,
          code: 'unavailable',
        });
        expect(answer.ms, name).toBeLessThan(STORE_TIMEOUT_MS + QUEUE_TIMEOUT_MS + SLACK_MS);
      }
      // The cache: a miss, computed, within two of the cache's timeouts (its read and its write).
      for (const [name, answer] of Object.entries({ cachedBefore, fresh })) {
        expect({ name, status: answer.status, cached: answer.body.cached }).toEqual({
          name,
          status: 200,
          cached: false,
        });
        expect(answer.ms, name).toBeLessThan(2 * CACHE_TIMEOUT_MS + SLACK_MS);
      }
      expect(health.status).toBe(200);
      expect(health.ms).toBeLessThan(SLACK_MS);
      expect(ready.status).toBe(503);

      // After SIGCONT nothing is restarted: the same clients answer again.
      redis().resume();
      const deadline = Date.now() + 10_000;
      const recovered = async (): Promise<boolean> =>
        (await operation('load_model', { model_type: 'quasimoto_1d' })).status === 200 &&
        (await lift('after the hang')).status === 200 &&
        (await operation('get_task', { task_id: taskId })).status === 200 &&
        (await operation('submit_task', { operation: 'get_metrics' })).status === 200 &&
        (await operation('inference', { model_id: modelId, inputs: { x: [0.5], t: [0] } })).status === 200 &&
        (await get(`${mcpUrl}/ready`)).status === 200;
      while (!(await recovered())) {
        expect(Date.now(), 'recovered within 10 s of SIGCONT').toBeLessThan(deadline);
        await sleep(200);
      }
      // The cache hits again once its breaker has closed.
      let cached = false;
      while (!cached) {
        expect(Date.now(), 'the cache hits again within 10 s of SIGCONT').toBeLessThan(deadline);
        await operation('unified_inference', insight);
        cached = (await operation('unified_inference', insight)).body.cached === true;
        if (!cached) await sleep(200);
      }
    }, 60_000);
  },
);
