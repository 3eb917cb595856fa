import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  CLIENT_KINDS,
  MODERN_REVISION,
  protocolRequest,
  stdioClient,
  type ProtocolClient,
} from '../../helpers/mcp-clients.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';

describe.each(CLIENT_KINDS)('cancelling a long tool call over stdio, with the %s SDK client', (kind) => {
  let client: ProtocolClient;
  beforeAll(async () => {
    client = await stdioClient(kind);
  });
  afterAll(async () => {
    await client.close();
  });

  it('the client cancels, the training stops, and the model keeps its parameters', async () => {
    const loaded = await client.callTool('load_model', {
      model_type: 'quasimoto_ensemble',
      config: { n_waves: 16, seed: 2 },
    });
    const id = loaded.structuredContent?.model_id as string;
    const controller = new AbortController();
    let updates = 0;
    const started = performance.now();
    const call = client.callTool(
      'train',
      { model_id: id, epochs: 50_000 },
      {
        signal: controller.signal,
        onprogress: () => {
          updates += 1;
          if (updates === 2) controller.abort(new Error('the user changed their mind'));
        },
      },
    );
    await expect(call).rejects.toThrow(/the user changed their mind|aborted/i);
    // The training notices at its next step (it yields every 20 ms): poll for the failed call to be counted.
    let failures: number | undefined;
    for (let i = 0; i < 40 && failures === undefined; i++) {
      const metrics = await client.callTool('get_metrics', {});
      failures = (metrics.structuredContent?.metrics as { counters: Record<string, number> }).counters
        .mcp_train_error;
      if (failures === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(failures).toBe(1);
    // 50,000 epochs would take about a minute: stopped long before.
    expect(performance.now() - started).toBeLessThan(15_000);
    const parameters = await client.callTool('get_parameters', { model_id: id });
    expect(parameters.structuredContent?.version).toBe(0);
  }, 30_000);
});

describe.each([MODERN_REVISION, '2025-11-25'])(
  'cancelling over stateless Streamable HTTP (%s)',
  (revision) => {
    let server: RunningMcpServer;
    beforeAll(async () => {
      server = await startMcpServer();
    });
    afterAll(async () => {
      await server.close();
    });

    it('stops the training when the client drops the connection of its request', async () => {
      const loaded = await server.call('load_model', {
        model_type: 'quasimoto_ensemble',
        config: { n_waves: 16, seed: 2 },
      });
      const id = loaded.body.model_id as string;
      const controller = new AbortController();
      const { headers, body } = protocolRequest(
        1,
        'tools/call',
        { name: 'train', arguments: { model_id: id, epochs: 50_000 }, _meta: { progressToken: 'p' } },
        revision,
      );
      const response = await fetch(`${server.url}/mcp`, {
        method: 'POST',
        headers,
        body,
        signal: controller.signal,
      });
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      const reader = response.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      expect(first).toContain('notifications/progress');
      controller.abort();
      await vi.waitFor(
        async () => {
          const metrics = await server.call('get_metrics');
          const counters = (metrics.body.metrics as { counters: Record<string, number> }).counters;
          expect(counters.mcp_train_error).toBe(1);
        },
        { timeout: 3000 },
      );
      expect((await server.call('get_parameters', { model_id: id })).body.version).toBe(0);
    }, 30_000);

    it('ends the pool work of a large inference when the client drops the connection of its request', async () => {
      // 3.2 M parameters × 3,000 rows (within MAX_REQUEST_WORK): seconds of a pool thread, were it not stopped.
      const loaded = await server.call('load_model', {
        model_type: 'string_theory',
        config: { dimensions: 8, hidden_size: 1024, num_layers: 4, seed: 3 },
      });
      const x = new Array(3000).fill(new Array(8).fill(0.25));
      const controller = new AbortController();
      const { headers, body } = protocolRequest(
        2,
        'tools/call',
        { name: 'inference', arguments: { model_id: loaded.body.model_id, inputs: { x } } },
        revision,
      );
      const call = fetch(`${server.url}/mcp`, {
        method: 'POST',
        headers,
        body,
        signal: controller.signal,
      }).catch((error: unknown) => error);
      await vi.waitFor(() => expect(server.services.compute.inFlight).toBe(1), { timeout: 5000 });
      controller.abort();
      await call;
      await vi.waitFor(() => expect(server.services.compute.inFlight).toBe(0), { timeout: 3000 });
    }, 30_000);
  },
);
