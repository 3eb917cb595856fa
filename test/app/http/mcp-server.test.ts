import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';

let server: RunningMcpServer;
beforeAll(async () => {
  server = await startMcpServer();
});
afterAll(async () => {
  await server.close();
});

async function post(body: string, contentType = 'application/json') {
  const response = await fetch(`${server.url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('MCP server: the JSON API', () => {
  it('answers capabilities at GET / with the true parameter counts', async () => {
    const response = await fetch(`${server.url}/`);
    const body = (await response.json()) as {
      success: boolean;
      capabilities: { models: Record<string, string>; operations: string[] };
    };
    expect(response.status).toBe(200);
    expect(body.success).toBe(true);
    expect(body.capabilities.models.quasimoto_4d).toBe('4D spatiotemporal wave function (14 parameters)');
    expect(body.capabilities.models.quasimoto_6d).toBe('6D high-dimensional wave function (20 parameters)');
    expect(body.capabilities.operations).toEqual(
      expect.arrayContaining([
        'load_model',
        'inference',
        'train',
        'list_models',
        'delete_model',
        'get_traces',
      ]),
    );
  });

  it('runs a model through its whole life: load, infer, train, inspect, delete', async () => {
    const loaded = await server.call('load_model', { model_type: 'quasimoto_1d', config: { seed: 7 } });
    expect(loaded.status).toBe(200);
    const id = loaded.body.model_id as string;
    expect(id).toMatch(/^quasimoto_1d_\d+$/);
    const before = await server.call('inference', { model_id: id, inputs: { x: [0.5, 1], t: [0] } });
    expect(before.body).toMatchObject({ success: true, model_id: id, cached: false });
    expect(
      (await server.call('inference', { model_id: id, inputs: { x: [0.5, 1], t: [0] } })).body.cached,
    ).toBe(true);
    const trained = await server.call('train', { model_id: id, epochs: 30 });
    expect(trained.status).toBe(200);
    expect(trained.body.final_loss as number).toBeLessThan(trained.body.initial_loss as number);
    expect(trained.body.version).toBe(30);
    const after = await server.call('inference', { model_id: id, inputs: { x: [0.5, 1], t: [0] } });
    expect(after.body.cached).toBe(false); // the new version has new cache keys
    expect(after.body.output).not.toEqual(before.body.output);
    const params = await server.call('get_parameters', { model_id: id });
    expect(Object.keys(params.body.parameters as object)).toEqual([
      'A',
      'k',
      'omega',
      'v',
      'log_sigma',
      'phi',
      'epsilon',
      'lmbda',
    ]);
    const listed = await server.call('list_models');
    expect((listed.body.models as Array<{ model_id: string }>).map((m) => m.model_id)).toContain(id);
    expect((await server.call('delete_model', { model_id: id })).body).toEqual({
      success: true,
      model_id: id,
      deleted: true,
    });
    expect((await server.call('inference', { model_id: id, inputs: { x: [1] } })).status).toBe(404);
  });

  it('gives every model type inference, and string_theory honours num_layers and use_batch_norm', async () => {
    const loaded = await server.call('load_model', {
      model_type: 'string_theory',
      config: { dimensions: 3, hidden_size: 4, num_layers: 3, use_batch_norm: true, seed: 1 },
    });
    expect(loaded.body).toMatchObject({
      num_layers: 3,
      dimensions: 3,
      device_info: { use_batch_norm: true },
    });
    const output = await server.call('inference', {
      model_id: loaded.body.model_id,
      inputs: {
        x: [
          [0.1, 0.2, 0.3],
          [0.4, 0.5, 0.6],
        ],
      },
    });
    expect(output.status).toBe(200);
    expect(output.body.output).toHaveLength(2);
    for (const model_type of [
      'quasimoto_4d',
      'quasimoto_6d',
      'quasimoto_ensemble',
      'quasimoto_ensemble_4d',
      'quasimoto_interference_basis',
    ]) {
      const model = await server.call('load_model', { model_type, config: { seed: 3 } });
      expect(model.status, model_type).toBe(200);
      const result = await server.call('inference', {
        model_id: model.body.model_id,
        inputs: { x: [[0.1]] },
      });
      const columns = await server.call('inference', { model_id: model.body.model_id, inputs: {} });
      expect([result.status, columns.status], model_type).toContain(200);
    }
  });

  it('trains on the 6D grid, on worker threads when the batch is large enough', async () => {
    const model = await server.call('load_model', {
      model_type: 'quasimoto_ensemble_6d',
      config: { n_waves: 2, seed: 5 },
    });
    const trained = await server.call('train', {
      model_id: model.body.model_id,
      epochs: 4,
      dataset: 'grid6d',
    });
    expect(trained.status).toBe(200);
    expect(trained.body).toMatchObject({ dataset: 'grid_6d', epochs: 4 });
    expect(trained.body.final_loss as number).toBeLessThan(trained.body.initial_loss as number);
    const refused = await server.call('train', { model_id: model.body.model_id, dataset: 'chirp' });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/^params\.dataset chirp does not fit a quasimoto_ensemble_6d model/);
  });

  it('benchmarks every model type', async () => {
    for (const model_type of [
      'quasimoto_1d',
      'quasimoto_4d',
      'quasimoto_6d',
      'quasimoto_ensemble',
      'string_theory',
    ]) {
      const result = await server.call('benchmark', { model_type, config: { epochs: 3, n_waves: 2 } });
      expect(result.status, model_type).toBe(200);
      expect(result.body).toMatchObject({ model_type, epochs: 3, device: 'cpu' });
      expect(result.body.losses).toHaveLength(3);
    }
  });

  it('answers health and readiness', async () => {
    expect(await (await fetch(`${server.url}/health`)).json()).toMatchObject({ status: 'healthy' });
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: {
        store: { ok: true },
        cache: { ok: true },
        queue: { ok: true, detail: expect.stringContaining('local') },
      },
    });
  });
});

describe('MCP server: statuses that mean something, bodies in the original shape', () => {
  it('400 with a sentence naming the field and the limit', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['string_spectrum', { max_modes: 100_001 }, 'params.max_modes must be a whole number from 1 to 10000'],
      ['string_spectrum', { dimensions: 'ten' }, 'params.dimensions must be a whole number from 1 to 1024'],
      [
        'unified_inference',
        { quasimoto_coords: 'x' },
        'params.quasimoto_coords must be an array of at most 10000 finite numbers',
      ],
      [
        'unified_inference',
        { string_modes: [0] },
        'params.string_modes must be an array of at most 1024 whole numbers from 1 to 1000000',
      ],
      [
        'load_model',
        { model_type: 'quasimoto_ensemble', config: { n_waves: 100_000 } },
        'params.config.n_waves must be a whole number from 1 to 256',
      ],
      [
        'benchmark',
        { model_type: 'quasimoto_1d', config: { epochs: 0 } },
        'params.config.epochs must be a whole number from 1 to 100000',
      ],
      [
        'string_parameters',
        { coupling_constant: 0 },
        'params.coupling_constant must be a number greater than 0 and at most 1000000',
      ],
      [
        'get_parameters',
        { model_id: '../etc' },
        'params.model_id must be a model id such as quasimoto_1d_0 (at most 64 characters)',
      ],
    ];
    for (const [operation, params, error] of cases) {
      const response = await server.call(operation, params);
      expect(response, operation).toEqual({
        status: 400,
        body: { success: false, error, code: 'invalid_input' },
      });
    }
  });

  it('404 for an unknown model or operation', async () => {
    expect(await server.call('inference', { model_id: 'quasimoto_1d_999', inputs: {} })).toEqual({
      status: 404,
      body: { success: false, error: 'Model not found: quasimoto_1d_999', code: 'not_found' },
    });
    expect((await server.call('no_such_operation')).body).toEqual({
      success: false,
      error: 'Unknown operation: no_such_operation',
      code: 'not_found',
    });
    expect((await fetch(`${server.url}/nowhere`)).status).toBe(404);
  });

  it('400 for a body that is not JSON or not an object; 415 for another content type', async () => {
    expect(await post('this is not json')).toEqual({
      status: 400,
      body: { success: false, error: 'The request body is not valid JSON.', code: 'invalid_input' },
    });
    expect((await post('[1, 2]')).status).toBe(400);
    expect((await post('{"operation": "string_spectrum", "params": [1]}')).body.error).toBe(
      'params must be a JSON object.',
    );
    expect((await post('{"operation": 42}')).body.code).toBe('invalid_input');
    expect(await post('operation=x', 'application/x-www-form-urlencoded')).toMatchObject({
      status: 415,
      body: { code: 'unsupported_media_type' },
    });
    expect((await post('{"__proto__": {"x": 1}, "operation": "list_capabilities"}')).status).toBe(400);
  });

  it('503 when a dependency is missing, without leaking anything internal', async () => {
    expect(await server.call('get_dependabot_alerts', {})).toEqual({
      status: 503,
      body: { success: false, error: 'GITHUB_TOKEN not set', code: 'unavailable' },
    });
  });

  it('413 for a body over MAX_BODY_BYTES', async () => {
    const small = await startMcpServer({ MAX_BODY_BYTES: '2048' });
    try {
      const response = await fetch(`${small.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          operation: 'unified_inference',
          params: { dredge_insight: 'x'.repeat(5000) },
        }),
      });
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({
        success: false,
        error: 'The request body is larger than 2048 bytes (MAX_BODY_BYTES).',
        code: 'too_large',
      });
    } finally {
      await small.close();
    }
  });

  it('413 when the model registry is full, and room again after delete_model', async () => {
    const small = await startMcpServer({ MAX_MODELS: '2' });
    try {
      await small.call('load_model', { model_type: 'quasimoto_1d' });
      await small.call('load_model', { model_type: 'quasimoto_1d' });
      const full = await small.call('load_model', { model_type: 'quasimoto_1d' });
      expect(full.status).toBe(413);
      expect(full.body.error).toMatch(/model registry is full \(2 models, MAX_MODELS\)/);
      await small.call('delete_model', { model_id: 'quasimoto_1d_0' });
      expect((await small.call('load_model', { model_type: 'quasimoto_1d' })).body.model_id).toBe(
        'quasimoto_1d_2',
      );
    } finally {
      await small.close();
    }
  });

  it('413 for a training request beyond the work bound', async () => {
    const model = await server.call('load_model', {
      model_type: 'quasimoto_ensemble',
      config: { n_waves: 256 },
    });
    const response = await server.call('train', { model_id: model.body.model_id, epochs: 100_000 });
    expect(response.status).toBe(413);
    expect(response.body.error).toMatch(/^params\.epochs × rows × parameters must be at most 1e\+10/);
  });
});

describe('MCP server: telemetry of a request', () => {
  it('shows the span tree of a traced request through get_traces: request → operation → cache, compute', async () => {
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-1111111111111111-01` },
      body: JSON.stringify({ operation: 'unified_inference', params: { dredge_insight: 'traced' } }),
    });
    const { body } = await server.call('get_traces', { trace_id: traceId });
    const spans = body.spans as Array<{
      spanID: string;
      parentSpanID: string | null;
      operationName: string;
      tags: Array<{ key: string; value: unknown }>;
    }>;
    const byName = new Map(spans.map((span) => [span.operationName, span]));
    expect([...byName.keys()].sort()).toEqual([
      'POST /mcp',
      'cache',
      'compute',
      'operation unified_inference',
    ]);
    const request = byName.get('POST /mcp')!;
    const operation = byName.get('operation unified_inference')!;
    expect(request.parentSpanID).toBe('1111111111111111');
    expect(operation.parentSpanID).toBe(request.spanID);
    expect(byName.get('cache')!.parentSpanID).toBe(operation.spanID);
    expect(byName.get('compute')!.parentSpanID).toBe(operation.spanID);
    expect(byName.get('cache')!.tags).toContainEqual({ key: 'dredge.cache.hit', value: false });
    expect(operation.tags).toContainEqual({ key: 'dredge.operation', value: 'unified_inference' });
  });

  it('counts known traffic in /metrics', async () => {
    const before = await (await fetch(`${server.url}/metrics`)).text();
    const count = (text: string, series: string) =>
      Number(
        text
          .split('\n')
          .find((line) => line.startsWith(`${series} `))
          ?.split(' ')[1] ?? 0,
      );
    for (let i = 0; i < 3; i++) await server.call('string_spectrum', { max_modes: 4 });
    await server.call('string_spectrum', { max_modes: 0 });
    const after = await (await fetch(`${server.url}/metrics`)).text();
    const delta = (series: string) => count(after, series) - count(before, series);
    expect(delta('dredge_operation_calls_total{operation="string_spectrum"}')).toBe(4);
    expect(delta('dredge_operation_errors_total{operation="string_spectrum",code="invalid_input"}')).toBe(1);
    expect(delta('dredge_http_requests_total{route="/mcp",method="POST",status="200"}')).toBe(3);
    expect(delta('dredge_http_requests_total{route="/mcp",method="POST",status="400"}')).toBe(1);
    expect(delta('dredge_cache_hits_total{kind="string_spectrum"}')).toBeGreaterThanOrEqual(2);
    expect(delta('mcp_string_spectrum_total')).toBe(4);
    expect(delta('mcp_string_spectrum_duration_seconds_count')).toBe(4);
  });
});

describe('MCP server: logs of a traced request', () => {
  it("carry the request's trace_id and span_id", async () => {
    const logged = await startMcpServer({ LOG_LEVEL: 'warn' });
    try {
      const traceId = 'c0ffee00c0ffee00c0ffee00c0ffee00';
      const response = await fetch(`${logged.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-2222222222222222-01` },
        body: JSON.stringify({
          operation: 'load_model',
          params: { model_type: 'string_theory', config: { device: 'cuda' } },
        }),
      });
      expect(((await response.json()) as { device: string }).device).toBe('cpu');
      const warning = logged.logs
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((line) => String(line.msg).includes('CUDA requested'));
      expect(warning).toMatchObject({ trace_id: traceId, level: 40 });
      expect(warning?.span_id).toMatch(/^[0-9a-f]{16}$/);
    } finally {
      await logged.close();
    }
  });
});
