import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputFromRows } from '../../../src/core/index.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';

describe('large inference on the worker-thread pool', () => {
  let server: RunningMcpServer;

  beforeAll(async () => {
    server = await startMcpServer({ NUM_WORKERS: '1' });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('computes a batch above the bound on a pool thread, with the same numbers as on the event loop', async () => {
    const loaded = await server.call('load_model', {
      model_type: 'string_theory',
      config: { dimensions: 10 },
    });
    const modelId = loaded.body.model_id as string;
    const { model } = (await server.services.store.models.get(modelId))!;
    const rows = Math.ceil((server.services.config.compute.inlineWork * 1.5) / model.parameterCount);
    // (Each row's work is its parameters and its answer's writing: this many rows is over the bound either way.)
    const x = Array.from({ length: rows }, (_, r) =>
      Array.from({ length: 10 }, (_, d) => Math.sin(r * 10 + d)),
    );
    const before = server.services.compute.completed;
    const answer = await server.call('inference', { model_id: modelId, inputs: { x } });
    expect(answer.status).toBe(200);
    expect(server.services.compute.completed).toBe(before + 1);
    const expected = model.forward(inputFromRows('x', x, 10));
    expect((answer.body.output as number[][]).flat()).toEqual(Array.from(expected));

    // A small batch stays on the event loop.
    await server.call('inference', { model_id: modelId, inputs: { x: x.slice(0, 2) } });
    expect(server.services.compute.completed).toBe(before + 1);
  });
});
