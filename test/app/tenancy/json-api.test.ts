import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';
import {
  TENANTS_ON,
  expectSameAsUnknown,
  keyOf,
  operation,
  send,
  unknownModelId,
  type Answer,
} from './tenant-keys.js';

interface JaegerSpan {
  readonly traceID: string;
  readonly operationName: string;
  readonly tags: ReadonlyArray<{ key: string; value: unknown }>;
}

const tenantOf = (span: JaegerSpan) => span.tags.find((tag) => tag.key === 'dredge.tenant')?.value;

/**
 * The JSON API (`POST /mcp {operation, params}`) with two tenants' keys: each tenant's models, tasks, cached
 * answers and traces are its own; another tenant's ids answer exactly as ids nobody used; quotas name their key.
 */
describe('tenants through the JSON API', () => {
  let server: RunningMcpServer;
  let alpha: string;
  let beta: string;
  const call = (key: string, name: string, params: unknown = {}) => operation(server.url, key, name, params);

  beforeAll(async () => {
    server = await startMcpServer({
      ...TENANTS_ON,
      TENANT_MAX_MODELS: '2',
      TENANT_MAX_MODEL_PARAMETERS: '1000',
      TENANT_MAX_WAITING_TASKS: '100',
    });
    alpha = await keyOf(server.services, 'alpha');
    beta = await keyOf(server.services, 'beta');
  });
  afterAll(async () => {
    await server?.close();
  });

  it("refuses every model operation on another tenant's model as on an unknown id", async () => {
    const loaded = await call(alpha, 'load_model', { model_type: 'quasimoto_1d' });
    expect(loaded.status).toBe(200);
    const id = String(loaded.body.model_id);
    const unknown = unknownModelId();
    const attempts: Array<[string, Record<string, unknown>]> = [
      ['get_parameters', {}],
      ['inference', { inputs: { x: [0.5], t: [0] } }],
      ['train', { epochs: 1 }],
      ['model_fit', {}],
      ['export_model', {}],
      ['list_model_versions', {}],
      ['rollback_model', { version: 0 }],
      ['inference', { inputs: { x: [0.5], t: [0] }, version: 0 }],
      ['delete_model', {}],
    ];
    for (const [name, params] of attempts) {
      const others = await call(beta, name, { model_id: id, ...params });
      const nobodys = await call(beta, name, { model_id: unknown, ...params });
      expectSameAsUnknown(others, id, nobodys, unknown);
      expect(others.body.error, name).toBe(`Model not found: ${id}`);
    }
    // Still there, and still alpha's.
    expect((await call(alpha, 'get_parameters', { model_id: id })).status).toBe(200);
    expect((await call(alpha, 'inference', { model_id: id, inputs: { x: [0.5], t: [0] } })).status).toBe(200);
  });

  it("lists each tenant's models only", async () => {
    const betas = await call(beta, 'load_model', { model_type: 'quasimoto_4d' });
    expect(betas.status).toBe(200);
    const listed = async (key: string) =>
      ((await call(key, 'list_models')).body.models as Array<{ model_id: string }>).map((m) => m.model_id);
    const alphaIds = await listed(alpha);
    const betaIds = await listed(beta);
    expect(betaIds).toEqual([betas.body.model_id]);
    expect(alphaIds).not.toContain(betas.body.model_id);
    expect(alphaIds.length).toBeGreaterThan(0);
    await call(beta, 'delete_model', { model_id: betas.body.model_id });
  });

  it('never answers one tenant from the cache with what another computed', async () => {
    const params = { max_modes: 7, dimensions: 26 };
    expect((await call(alpha, 'string_spectrum', params)).body.cached).toBe(false);
    expect((await call(alpha, 'string_spectrum', params)).body.cached).toBe(true);
    // The same question from another tenant is computed for it, then cached for it.
    expect((await call(beta, 'string_spectrum', params)).body.cached).toBe(false);
    expect((await call(beta, 'string_spectrum', params)).body.cached).toBe(true);
  });

  it("keeps tasks apart: another tenant's task is unknown, and queue statistics are each tenant's", async () => {
    const submitted = await call(alpha, 'submit_task', { operation: 'string_spectrum', params: {} });
    expect(submitted.status).toBe(200);
    const id = String(submitted.body.task_id);
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const name of ['get_task', 'cancel_task']) {
      expectSameAsUnknown(
        await call(beta, name, { task_id: id }),
        id,
        await call(beta, name, { task_id: unknown }),
        unknown,
      );
    }
    // The REST face of the same operations answers the same.
    expectSameAsUnknown(
      await send(`${server.url}/tasks/${id}`, beta),
      id,
      await send(`${server.url}/tasks/${unknown}`, beta),
      unknown,
    );
    expectSameAsUnknown(
      await send(`${server.url}/tasks/${id}`, beta, { method: 'DELETE' }),
      id,
      await send(`${server.url}/tasks/${unknown}`, beta, { method: 'DELETE' }),
      unknown,
    );
    const finished = await waitFor(
      () => call(alpha, 'get_task', { task_id: id }),
      (answer) => ['completed', 'failed'].includes(String(answer.body.status)),
    );
    expect(finished.body.status).toBe('completed');
    const stats = async (key: string) => (await send(`${server.url}/tasks`, key)).body;
    expect(await stats(alpha)).toMatchObject({ completed: 1, waiting: 0, running: 0 });
    expect(await stats(beta)).toMatchObject({ completed: 0, failed: 0, waiting: 0, running: 0 });
    expect((await call(beta, 'get_queue_stats')).body).toMatchObject({ completed: 0 });
  });

  it("shows each tenant's administrator only the traces of its own operations", async () => {
    await call(alpha, 'string_parameters', {});
    await call(beta, 'unified_inference', {});
    const traces = async (key: string) => {
      const answer = await send(`${server.url}/traces?limit=10000`, key);
      expect(answer.status).toBe(200);
      return answer.body.spans as JaegerSpan[];
    };
    const alphas = await traces(alpha);
    const betas = await traces(beta);
    expect(alphas.map((span) => span.operationName)).toContain('operation string_parameters');
    expect(betas.map((span) => span.operationName)).toContain('operation unified_inference');
    const tenants = (spans: JaegerSpan[]) => new Set(spans.map(tenantOf).filter((t) => t !== undefined));
    expect(tenants(alphas)).toEqual(new Set(['alpha']));
    expect(tenants(betas)).toEqual(new Set(['beta']));
    // No trace of one is in the other's answer, not even its spans without a tenant (cache, compute, store).
    const alphaTraces = new Set(alphas.map((span) => span.traceID));
    expect(betas.filter((span) => alphaTraces.has(span.traceID))).toEqual([]);
    // get_traces with another tenant's trace id finds nothing.
    const someAlphaTrace = [...alphaTraces][0];
    const asked = await call(beta, 'get_traces', { trace_id: someAlphaTrace });
    expect(asked.body).toMatchObject({ count: 0, spans: [] });
  });

  it('holds each tenant to TENANT_MAX_MODELS and TENANT_MAX_MODEL_PARAMETERS with a 413 naming the key', async () => {
    const large = await call(beta, 'load_model', { model_type: 'string_theory' });
    expect(large.status).toBe(413);
    expect(String(large.body.error)).toContain('TENANT_MAX_MODEL_PARAMETERS');
    // alpha holds one model from the first test; the quota is two.
    expect((await call(alpha, 'load_model', { model_type: 'quasimoto_1d' })).status).toBe(200);
    const third = await call(alpha, 'load_model', { model_type: 'quasimoto_1d' });
    expect(third.status).toBe(413);
    expect(third.body).toMatchObject({ success: false, code: 'too_large' });
    expect(String(third.body.error)).toContain('TENANT_MAX_MODELS');
    // Another tenant is not held by alpha's models.
    expect((await call(beta, 'load_model', { model_type: 'quasimoto_1d' })).status).toBe(200);
  });
});

async function waitFor(ask: () => Promise<Answer>, done: (answer: Answer) => boolean): Promise<Answer> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const answer = await ask();
    if (done(answer) || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
