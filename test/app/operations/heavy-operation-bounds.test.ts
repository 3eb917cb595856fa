import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ModelBase } from '../../../src/core/index.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';

/**
 * Heavy operations check their bounds before any copy of a model is made, and the compute pool that runs them
 * refuses work beyond its threads and queue at once, with 503 and a Retry-After.
 */
describe('heavy operations within their bounds', () => {
  let server: RunningMcpServer;

  beforeAll(async () => {
    server = await startMcpServer({ NUM_WORKERS: '1', COMPUTE_MAX_WAITING: '0' });
  });

  afterAll(async () => {
    await server?.close();
  });

  afterEach(() => vi.restoreAllMocks());

  it('refuses a training over the work bound before copying the model or reaching the pool', async () => {
    const loaded = await server.call('load_model', {
      model_type: 'string_theory',
      config: { dimensions: 64, hidden_size: 128, num_layers: 4 },
    });
    const modelId = loaded.body.model_id as string;
    const copies = [vi.spyOn(ModelBase.prototype, 'snapshot'), vi.spyOn(ModelBase.prototype, 'toJSON')];
    const pool = vi.spyOn(server.services.compute, 'train');

    const refused = await server.call('train', { model_id: modelId, epochs: 100_000 });
    expect(refused.status).toBe(413);
    expect(refused.body).toMatchObject({ success: false, code: 'too_large' });
    expect(refused.body.error).toMatch(/params\.epochs × rows × parameters must be at most/);
    for (const copy of copies) expect(copy).not.toHaveBeenCalled();
    expect(pool).not.toHaveBeenCalled();

    const benchmark = await server.call('benchmark', {
      model_type: 'string_theory',
      config: { dimensions: 512, hidden_size: 512, num_layers: 10, epochs: 100_000 },
    });
    expect(benchmark.status).toBe(413);
    for (const copy of copies) expect(copy).not.toHaveBeenCalled();
    expect(pool).not.toHaveBeenCalled();
  });

  it('answers 503 with Retry-After while its one thread is busy and no operation may wait', async () => {
    const loaded = await server.call('load_model', {
      model_type: 'quasimoto_ensemble',
      config: { n_waves: 16 },
    });
    const client = new AbortController();
    // About half a minute of training holds the pool's only thread (the client hangs up below, which ends it).
    const training = fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        operation: 'train',
        params: { model_id: loaded.body.model_id, epochs: 60_000 },
      }),
      signal: client.signal,
    }).catch(() => undefined);
    await vi.waitFor(() => expect(server.services.compute.inFlight).toBe(1), { timeout: 5000 });

    const response = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        operation: 'benchmark',
        params: { model_type: 'quasimoto_1d', config: { epochs: 5 } },
      }),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({ success: false, code: 'unavailable' });

    client.abort();
    await training;
    await vi.waitFor(() => expect(server.services.compute.inFlight).toBe(0), { timeout: 5000 });
    const after = await server.call('benchmark', { model_type: 'quasimoto_1d', config: { epochs: 5 } });
    expect(after.status).toBe(200);
  });
});

describe('a model that would not fit', () => {
  let server: RunningMcpServer;

  beforeAll(async () => {
    // Room for one 660,000-parameter network, not two.
    server = await startMcpServer({ MAX_MODEL_PARAMETERS: '1000000', COMPUTE_INLINE_WORK: '1' });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('is refused before it is made: no pool work, no megabytes drawn', async () => {
    const network = {
      model_type: 'string_theory',
      config: { hidden_size: 256, num_layers: 10, dimensions: 256 },
    };
    const first = await server.call('load_model', network);
    expect(first.status).toBe(200);
    const made = vi.spyOn(server.services.compute, 'create');
    const refused = await server.call('load_model', network);
    expect(refused.status).toBe(413);
    expect(refused.body.error).toMatch(/room for \d+ more parameters \(MAX_MODEL_PARAMETERS\)/);
    expect(made).not.toHaveBeenCalled();
  });
});
