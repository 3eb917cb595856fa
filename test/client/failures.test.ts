import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DredgeClientError, McpServerClient, type FetchLike } from '../../src/client/index.js';
import { freePort } from '../helpers/free-port.js';
import { startMcpServer, type RunningMcpServer } from '../helpers/mcp-server.js';
import { rejectionOf } from './client-test-kit.js';

/** A training of several seconds: what the timeouts and aborts below cut short. */
const LONG_BENCHMARK = { model_type: 'quasimoto_1d', config: { epochs: 100_000 } } as const;

describe('failures that no refusal carries, against a real MCP server', () => {
  let server: RunningMcpServer;
  let client: McpServerClient;

  beforeAll(async () => {
    server = await startMcpServer();
    client = new McpServerClient({ baseUrl: server.url });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('ends a call at its timeout with code timeout (and the server stops the work)', async () => {
    const started = performance.now();
    const failure = await rejectionOf(client.call('benchmark', LONG_BENCHMARK, { timeoutMs: 300 }));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(failure).toBeInstanceOf(DredgeClientError);
    expect(failure).toMatchObject({ code: 'timeout', status: 0, operation: 'benchmark' });
    expect((failure as Error).message).toBe(
      'POST /mcp (benchmark) did not finish within its timeout (timeoutMs)',
    );
    // The client's leaving stopped the training: the pool is free again at once.
    await expect.poll(() => server.services.compute.inFlight, { timeout: 3_000 }).toBe(0);
  });

  it('ends a call when its signal aborts, with code aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const failure = await rejectionOf(
      client.call('benchmark', LONG_BENCHMARK, { signal: controller.signal }),
    );
    expect(failure).toMatchObject({ code: 'aborted', status: 0 });
    const already = await rejectionOf(client.call('list_models', {}, { signal: AbortSignal.abort() }));
    expect(already).toMatchObject({ code: 'aborted' });
  });

  it('refuses an answer larger than maxResponseBytes', async () => {
    const small = new McpServerClient({ baseUrl: server.url, maxResponseBytes: 1_000 });
    const failure = await rejectionOf(small.call('string_spectrum', { max_modes: 1_000 }));
    expect(failure).toMatchObject({ code: 'response_too_large', status: 200 });
    expect((failure as Error).message).toMatch(/more than maxResponseBytes \(1000\)/);
    // A small answer still passes.
    expect((await small.call('string_parameters')).success).toBe(true);
  });

  it('reports a server that is not there as a network failure naming the reason', async () => {
    const port = await freePort();
    const away = new McpServerClient({ baseUrl: `http://127.0.0.1:${port}` });
    const failure = await rejectionOf(away.call('list_models'));
    expect(failure).toMatchObject({ code: 'network_error', status: 0, url: `http://127.0.0.1:${port}/mcp` });
    expect((failure as Error).message).toMatch(
      new RegExp(`^Cannot reach http://127.0.0.1:${port}: .*ECONNREFUSED`),
    );
  });
});

describe('answers a proxy or another server might give', () => {
  /** A fetch that answers every request with this response, as a proxy in front of a server would. */
  const answering = (make: () => Response): { fetch: FetchLike; calls: () => number } => {
    let calls = 0;
    return {
      fetch: () => {
        calls += 1;
        return Promise.resolve(make());
      },
      calls: () => calls,
    };
  };

  it('calls a 200 that is not a JSON object an invalid response', async () => {
    const proxy = answering(
      () => new Response('<html>Sign in</html>', { status: 200, headers: { 'content-type': 'text/html' } }),
    );
    const client = new McpServerClient({ baseUrl: 'http://dredge.test', fetch: proxy.fetch });
    const failure = await rejectionOf(client.call('list_models'));
    expect(failure).toMatchObject({ code: 'invalid_response', status: 200 });
    expect((failure as Error).message).toContain('text/html');
  });

  it('gives a refusal without DREDGE’s body the code of its status, and retries none but 429 and 503', async () => {
    const gateway = answering(
      () => new Response('<html>Gateway timeout</html>', { status: 504, statusText: 'Gateway Timeout' }),
    );
    const client = new McpServerClient({ baseUrl: 'http://dredge.test', fetch: gateway.fetch });
    expect(await rejectionOf(client.call('list_models'))).toMatchObject({
      status: 504,
      code: 'http_504',
      message: '504 Gateway Timeout',
    });
    expect(gateway.calls()).toBe(1);

    const closing = answering(
      () =>
        new Response(JSON.stringify({ error: 'Service Unavailable', message: 'Service Unavailable' }), {
          status: 503,
        }),
    );
    const safe = new McpServerClient({
      baseUrl: 'http://dredge.test',
      fetch: closing.fetch,
      retry: { maxRetries: 1, baseDelayMs: 1 },
    });
    expect(await rejectionOf(safe.call('list_models'))).toMatchObject({ status: 503, code: 'unavailable' });
    expect(closing.calls()).toBe(2);
  });

  it('honours a Retry-After given as an HTTP date', async () => {
    let calls = 0;
    const started = performance.now();
    const fetchOnce: FetchLike = () => {
      calls += 1;
      if (calls > 1) return Promise.resolve(Response.json({ success: true, models: [], count: 0 }));
      // HTTP dates have whole seconds: two seconds from now is one to two seconds of wait.
      const at = new Date(Date.now() + 2_000).toUTCString();
      return Promise.resolve(new Response('{}', { status: 429, headers: { 'retry-after': at } }));
    };
    const client = new McpServerClient({ baseUrl: 'http://dredge.test', fetch: fetchOnce });
    expect(await client.call('list_models')).toMatchObject({ count: 0 });
    expect(calls).toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('checks its options where the client is made', () => {
    expect(() => new McpServerClient({ baseUrl: 'localhost:3002' })).toThrow(
      /baseUrl must be an http or https URL/,
    );
    expect(() => new McpServerClient({ baseUrl: 'http://user:secret@localhost' })).toThrow(/credentials/);
    expect(() => new McpServerClient({ baseUrl: 'http://localhost', timeoutMs: 0 })).toThrow(RangeError);
    expect(() => new McpServerClient({ baseUrl: 'http://localhost', retry: { maxRetries: -1 } })).toThrow(
      'retry.maxRetries must be a whole number from 0 to 100',
    );
  });
});
