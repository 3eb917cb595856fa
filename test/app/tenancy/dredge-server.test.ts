import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplica, type Replica } from './replica.js';
import { TENANTS_ON, expectSameAsUnknown, keyOf, operation, send, unknownModelId } from './tenant-keys.js';

/** An insight id (64 hex digits) that no text of any tenant has. */
const UNKNOWN_INSIGHT = 'ab'.repeat(32);

interface InsightView {
  readonly id: string;
  readonly text: string;
}

/**
 * The DREDGE server's own routes with two tenants' keys: insights lifted, listed, searched, read and deleted per
 * tenant, TENANT_MAX_INSIGHTS, and the dashboard's summary and model fit showing the caller's tenant only.
 */
describe('tenants through the DREDGE server', () => {
  let replica: Replica;
  let alpha: string;
  let beta: string;
  const dredge = (key: string, path: string, init: { method?: string; body?: unknown } = {}) =>
    send(`${replica.dredgeUrl}${path}`, key, init);
  const lift = (key: string, text: string) => dredge(key, '/lift', { body: { insight_text: text } });

  beforeAll(async () => {
    replica = await startReplica({ ...TENANTS_ON, TENANT_MAX_INSIGHTS: '2' });
    alpha = await keyOf(replica.services, 'alpha');
    beta = await keyOf(replica.services, 'beta');
  });
  afterAll(async () => {
    await replica?.close();
  });

  it('keeps insights apart: the same text is two insights, and neither tenant reads or deletes the other’s', async () => {
    const text = 'Entropy is a tenant of its own.';
    const first = await lift(alpha, text);
    const second = await lift(beta, text);
    expect(first.body).toMatchObject({ new: true, text });
    // The same text lifted by another tenant is new there, under an id that says nothing about alpha's.
    expect(second.body).toMatchObject({ new: true, text });
    expect(second.body.id).not.toBe(first.body.id);
    const id = String(first.body.id);

    expectSameAsUnknown(
      await dredge(beta, `/insights/${id}`),
      id,
      await dredge(beta, `/insights/${UNKNOWN_INSIGHT}`),
      UNKNOWN_INSIGHT,
    );
    expectSameAsUnknown(
      await dredge(beta, `/insights/${id}`, { method: 'DELETE' }),
      id,
      await dredge(beta, `/insights/${UNKNOWN_INSIGHT}`, { method: 'DELETE' }),
      UNKNOWN_INSIGHT,
    );
    expect((await dredge(alpha, `/insights/${id}`)).body).toMatchObject({ success: true, id, text });

    const listed = async (key: string, query = '') => {
      const page = (await dredge(key, `/insights${query}`)).body;
      return { total: page.total, ids: (page.insights as InsightView[]).map((insight) => insight.id) };
    };
    expect(await listed(alpha)).toEqual({ total: 1, ids: [id] });
    expect(await listed(beta)).toEqual({ total: 1, ids: [second.body.id] });
    expect(await listed(beta, '?q=entropy')).toEqual({ total: 1, ids: [second.body.id] });

    // alpha deletes its own; beta's stays.
    expect((await dredge(alpha, `/insights/${id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await dredge(beta, `/insights/${String(second.body.id)}`)).status).toBe(200);
  });

  it('holds each tenant to TENANT_MAX_INSIGHTS with a 413 naming the key', async () => {
    // beta keeps one insight from the first test; the quota is two.
    expect((await lift(beta, 'second of beta')).status).toBe(200);
    const third = await lift(beta, 'third of beta');
    expect(third.status).toBe(413);
    expect(third.body).toMatchObject({ success: false, code: 'too_large' });
    expect(String(third.body.error)).toContain('TENANT_MAX_INSIGHTS');
    // Lifting a text it keeps already is no new insight, and alpha is not held by beta's.
    expect((await lift(beta, 'second of beta')).body).toMatchObject({ new: false });
    expect((await lift(alpha, 'third of beta')).status).toBe(200);
  });

  it("shows each tenant its own models and tasks in the dashboard, and another's model fit as unknown", async () => {
    const loaded = await operation(replica.mcpUrl, alpha, 'load_model', { model_type: 'quasimoto_1d' });
    const id = String(loaded.body.model_id);
    const task = await operation(replica.mcpUrl, alpha, 'submit_task', {
      operation: 'string_spectrum',
      params: {},
    });
    expect(task.status).toBe(200);

    const summary = async (key: string) => {
      const answer = await dredge(key, '/api/dashboard');
      expect(answer.status).toBe(200);
      return answer.body as {
        models: { count: number; items: Array<{ model_id: string }> };
        queue: Record<string, unknown>;
      };
    };
    const alphas = await summary(alpha);
    const betas = await summary(beta);
    expect(alphas.models.items.map((model) => model.model_id)).toEqual([id]);
    expect(betas.models).toMatchObject({ count: 0, items: [] });
    expect(betas.queue).toMatchObject({ available: true, waiting: 0, running: 0, completed: 0 });

    const unknown = unknownModelId();
    expectSameAsUnknown(
      await dredge(beta, `/api/models/${id}/fit`),
      id,
      await dredge(beta, `/api/models/${unknown}/fit`),
      unknown,
    );
    expect((await dredge(alpha, `/api/models/${id}/fit`)).status).toBe(200);
  });
});
