import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithRedis } from '../../helpers/describe-with-redis.js';
import { startDredgeWorker, type DredgeWorkerProcess } from '../../helpers/dredge-worker.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';
import { TENANTS_ON, expectSameAsUnknown, keyOf, operation, send, type Answer } from './tenant-keys.js';

/** A task id as submit_task makes them (a UUID) that no task has. */
const UNKNOWN_TASK = '00000000-0000-4000-8000-000000000000';

interface JaegerSpan {
  readonly operationName: string;
  readonly tags: ReadonlyArray<{ key: string; value: unknown }>;
}

/**
 * Tasks through the BullMQ queue, run by a real `dredge worker` process, with two tenants' keys: the quota of
 * unfinished tasks per tenant, another tenant's task unknown before and after it ran, queue statistics per tenant,
 * and a queued task acting with its own tenant's rights on the worker (another tenant's model is not found there).
 */
describeWithRedis('tenants through queued tasks and a dredge worker', (redis) => {
  let server: RunningMcpServer;
  let worker: DredgeWorkerProcess | undefined;
  let alpha: string;
  let beta: string;
  let env: Record<string, string>;

  const tasks = (key: string, path = '', init: { method?: string; body?: unknown } = {}) =>
    send(`${server.url}/tasks${path}`, key, init);
  const submit = (key: string, name: string, params: unknown = {}) =>
    tasks(key, '', { body: { operation: name, params } });

  beforeAll(async () => {
    env = {
      ...TENANTS_ON,
      QUEUE_BACKEND: 'bullmq',
      STORE_BACKEND: 'redis',
      REDIS_URL: redis().url,
      TENANT_MAX_WAITING_TASKS: '2',
    };
    server = await startMcpServer(env);
    // Keys live in the shared store: the worker's status server accepts them too.
    alpha = await keyOf(server.services, 'alpha');
    beta = await keyOf(server.services, 'beta');
  });
  afterAll(async () => {
    await worker?.stop();
    await server?.close();
  });

  async function finished(key: string, id: string): Promise<Answer> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const answer = await tasks(key, `/${id}`);
      if (['completed', 'failed', 'cancelled'].includes(String(answer.body.status))) return answer;
      if (Date.now() > deadline) throw new Error(`task ${id} did not finish: ${JSON.stringify(answer.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('bounds each tenant’s unfinished tasks, hides them from the other, and counts them per tenant', async () => {
    // No worker yet: every task waits.
    const first = await submit(alpha, 'string_spectrum', { max_modes: 3 });
    const second = await submit(alpha, 'string_spectrum', { max_modes: 4 });
    expect([first.status, second.status]).toEqual([202, 202]);
    const refused = await submit(alpha, 'string_spectrum', { max_modes: 5 });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ success: false, code: 'rate_limited' });
    expect(String(refused.body.error)).toContain('TENANT_MAX_WAITING_TASKS');
    // beta is not held by alpha's tasks.
    const betas = await submit(beta, 'string_spectrum', { max_modes: 6 });
    expect(betas.status).toBe(202);

    const id = String(first.body.task_id);
    expectSameAsUnknown(await tasks(beta, `/${id}`), id, await tasks(beta, `/${UNKNOWN_TASK}`), UNKNOWN_TASK);
    expectSameAsUnknown(
      await tasks(beta, `/${id}`, { method: 'DELETE' }),
      id,
      await tasks(beta, `/${UNKNOWN_TASK}`, { method: 'DELETE' }),
      UNKNOWN_TASK,
    );
    expect((await tasks(alpha, `/${id}`)).body).toMatchObject({ status: 'pending' });
    expect((await tasks(alpha)).body).toMatchObject({ waiting: 2, running: 0 });
    expect((await tasks(beta)).body).toMatchObject({ waiting: 1, running: 0 });

    worker = await startDredgeWorker(redis().url, env);
    for (const task of [first, second]) {
      expect((await finished(alpha, String(task.body.task_id))).body.status).toBe('completed');
    }
    expect((await finished(beta, String(betas.body.task_id))).body.status).toBe('completed');
    // Finished, it is as unknown to beta as before.
    expectSameAsUnknown(await tasks(beta, `/${id}`), id, await tasks(beta, `/${UNKNOWN_TASK}`), UNKNOWN_TASK);
    expect((await tasks(alpha)).body).toMatchObject({ waiting: 0, running: 0, completed: 2, failed: 0 });
    expect((await tasks(beta)).body).toMatchObject({ waiting: 0, running: 0, completed: 1, failed: 0 });
    // Its finished tasks no longer count against its quota.
    expect((await submit(alpha, 'string_spectrum', { max_modes: 5 })).status).toBe(202);
  }, 60_000);

  it("runs a queued task with its own tenant's rights: another tenant's model is not found on the worker", async () => {
    expect(worker).toBeDefined();
    const loaded = await operation(server.url, alpha, 'load_model', { model_type: 'quasimoto_1d' });
    expect(loaded.status).toBe(200);
    const model = String(loaded.body.model_id);
    const inputs = { x: [0.5], t: [0] };

    const own = await submit(alpha, 'inference', { model_id: model, inputs });
    expect((await finished(alpha, String(own.body.task_id))).body).toMatchObject({
      status: 'completed',
      result: { success: true, model_id: model },
    });

    const others = await finished(
      beta,
      String((await submit(beta, 'inference', { model_id: model, inputs })).body.task_id),
    );
    const unknownModel = `quasimoto_1d_${'0'.repeat(32)}`;
    const nobodys = await finished(
      beta,
      String((await submit(beta, 'inference', { model_id: unknownModel, inputs })).body.task_id),
    );
    expect(others.body).toMatchObject({
      status: 'failed',
      error: { code: 'not_found', message: `Model not found: ${model}` },
    });
    expect(JSON.stringify(others.body.error).replaceAll(model, '<id>')).toBe(
      JSON.stringify(nobodys.body.error).replaceAll(unknownModel, '<id>'),
    );

    // The worker's /traces shows each tenant's administrator only its own tasks' operations.
    const spans = async (key: string) => {
      const answer = await send(`${worker!.statusUrl}/traces?limit=10000`, key);
      expect(answer.status).toBe(200);
      return answer.body.spans as JaegerSpan[];
    };
    const tenantsIn = (list: JaegerSpan[]) =>
      new Set(
        list.flatMap((span) =>
          span.tags.filter((tag) => tag.key === 'dredge.tenant').map((tag) => tag.value),
        ),
      );
    const alphas = await spans(alpha);
    expect(alphas.map((span) => span.operationName)).toContain('operation inference');
    expect(tenantsIn(alphas)).toEqual(new Set(['alpha']));
    expect(tenantsIn(await spans(beta))).toEqual(new Set(['beta']));
  }, 60_000);
});
