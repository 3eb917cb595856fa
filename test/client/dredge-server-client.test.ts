import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DredgeClientError, DredgeServerClient } from '../../src/client/index.js';
import { startDredgeServer, type RunningDredgeServer } from '../helpers/dredge-server.js';
import { keyWith, recordingFetch, rejectionOf } from './client-test-kit.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('DredgeServerClient against a real DREDGE server with AUTH_ENABLED', () => {
  let server: RunningDredgeServer;
  let client: DredgeServerClient;

  beforeAll(async () => {
    server = await startDredgeServer({ AUTH_ENABLED: 'true' }, { sampleIntervalMs: 100 });
    client = new DredgeServerClient({
      baseUrl: server.url,
      apiKey: await keyWith(server.services, 'read', 'write'),
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('reads the description and the probes', async () => {
    const info = await client.info();
    expect(info).toMatchObject({ name: 'DREDGE x Dolly' });
    expect(info.endpoints['POST /lift']).toBeTypeOf('string');
    expect(await client.health()).toMatchObject({ status: 'healthy', version: info.version });
    expect(await client.ready()).toMatchObject({ status: 'ready', checks: { store: { ok: true } } });
    // Without a key the description is refused; the probes stay open.
    const anonymous = new DredgeServerClient({ baseUrl: server.url });
    expect(await rejectionOf(anonymous.info())).toMatchObject({ status: 401, code: 'unauthorized' });
    expect((await anonymous.health()).status).toBe('healthy');
  });

  it('lifts, lists, searches, reads and deletes insights', async () => {
    const text = 'The spectrum is discrete.';
    const lifted = await client.lift(text);
    expect(lifted).toMatchObject({ id: sha256(text), text, lifted: true, new: true });
    expect((await client.lift(text)).new).toBe(false);
    await client.lift('A second thought.');

    const page = await client.listInsights({ limit: 1 });
    expect(page).toMatchObject({ success: true, total: 2, offset: 0, limit: 1 });
    expect(page.insights).toHaveLength(1);
    const found = await client.listInsights({ q: 'SPECTRUM' });
    expect(found.insights.map((insight) => insight.id)).toEqual([lifted.id]);
    expect(found.q).toBe('SPECTRUM');

    expect(await client.getInsight(lifted.id)).toMatchObject({
      success: true,
      text,
      created_at: lifted.created_at,
    });
    expect(await client.deleteInsight(lifted.id)).toEqual({ success: true, id: lifted.id, deleted: true });
    const gone = await rejectionOf(client.getInsight(lifted.id));
    expect(gone).toBeInstanceOf(DredgeClientError);
    expect(gone).toMatchObject({ status: 404, code: 'not_found', method: 'GET' });
  });

  it('answers the server’s sentences for bad input, with the field and the limit', async () => {
    expect(await rejectionOf(client.lift('   '))).toMatchObject({ status: 400, code: 'invalid_input' });
    const limit = await rejectionOf(client.listInsights({ limit: 1000 }));
    expect(limit).toMatchObject({ status: 400, message: 'limit must be a whole number from 1 to 100' });
    // An id is a path segment: whatever it holds stays one, encoded.
    const odd = await rejectionOf(client.getInsight('../health'));
    expect(odd).toMatchObject({ status: 400, code: 'invalid_input' });
  });

  it('serves the dashboard’s JSON: the summary, a model’s fit and the unified inference', async () => {
    const loaded = await server.operation('load_model', { model_type: 'quasimoto_1d', config: { seed: 2 } });
    const modelId = loaded.model_id as string;
    await server.operation('train', { model_id: modelId, epochs: 5 });

    const summary = await client.dashboard();
    expect(summary.success).toBe(true);
    expect(summary.models.items.map((model) => model.model_id)).toContain(modelId);

    const fit = await client.modelFit(modelId, { points: 50 });
    expect(fit).toMatchObject({ success: true, model_id: modelId, dataset: 'chirp_1d' });
    expect(fit.x.length).toBeLessThanOrEqual(50);

    const recorded = recordingFetch();
    const recording = new DredgeServerClient({
      baseUrl: server.url,
      apiKey: await keyWith(server.services, 'read'),
      fetch: recorded.fetch,
    });
    const unified = await recording.unifiedInference({ string_modes: [1, 2], quasimoto_coords: [0.1] });
    const direct = await server.operation('unified_inference', {
      string_modes: [1, 2],
      quasimoto_coords: [0.1],
    });
    expect(unified.coupled_amplitude).toBe(direct.coupled_amplitude);
    expect(recorded.seen.map((answer) => [answer.method, new URL(answer.url).pathname])).toEqual([
      ['POST', '/api/unified-inference'],
    ]);
  });
});
