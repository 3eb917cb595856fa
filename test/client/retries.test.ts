/**
 * Retries against real refusals: a rate limit's 429 with Retry-After, the body budget's 503 with Retry-After, and
 * a stopped Redis's 503 without one. Each answer the server really gave is recorded by the fetch the client is
 * handed, so the tests count tries rather than trust the client.
 */
import { request, type ClientRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDredgeServer } from '../../src/app/http/dredge-server.js';
import { createMcpServer } from '../../src/app/http/mcp-server.js';
import type { OpenApp } from '../../src/app/open-app.js';
import { DredgeClientError, DredgeServerClient, McpServerClient } from '../../src/client/index.js';
import { describeWithRedis } from '../helpers/describe-with-redis.js';
import { startMcpServer, type RunningMcpServer } from '../helpers/mcp-server.js';
import { createTestServices } from '../helpers/test-services.js';
import { keyWith, recordingFetch, rejectionOf } from './client-test-kit.js';

const WINDOW_S = 4;

describe('429 with Retry-After from RATE_LIMIT_REQUESTS', () => {
  let server: RunningMcpServer;
  let key: string;

  beforeAll(async () => {
    server = await startMcpServer({
      AUTH_ENABLED: 'true',
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_REQUESTS: '3',
      RATE_LIMIT_WINDOW: String(WINDOW_S),
    });
    key = await keyWith(server.services, 'read', 'write');
  });
  afterAll(async () => {
    await server?.close();
  });

  /**
   * Uses up the key's window, calling until a refusal says at least WINDOW_S − 1 seconds are left of it (a window
   * just begun): the calls of the test that follows are then certainly refused too, however slow the machine.
   */
  async function exhaustWindow(): Promise<DredgeClientError> {
    const once = new McpServerClient({ baseUrl: server.url, apiKey: key, retry: { maxRetries: 0 } });
    const deadline = performance.now() + 3 * WINDOW_S * 1000;
    while (performance.now() < deadline) {
      const failure = await once.call('string_spectrum', { max_modes: 2 }).then(
        () => undefined,
        (error: unknown) => error,
      );
      if (failure === undefined) continue;
      if (!(failure instanceof DredgeClientError)) throw failure;
      if (failure.retryAfter !== undefined && failure.retryAfter >= WINDOW_S - 1) return failure;
      await sleep(50);
    }
    throw new Error('the rate limit never refused a call at the start of a window');
  }

  it('throws the 429 with its retryAfter when retries are off, after one try', async () => {
    const refusal = await exhaustWindow();
    expect(refusal).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(refusal.retryAfter).toBeLessThanOrEqual(WINDOW_S);
    expect(refusal.message).toMatch(/RATE_LIMIT_REQUESTS/);
  });

  it('waits out Retry-After and retries a write, which the server then runs once', async () => {
    await exhaustWindow();
    const recorded = recordingFetch();
    const client = new McpServerClient({ baseUrl: server.url, apiKey: key, fetch: recorded.fetch });
    const started = performance.now();
    const loaded = await client.call('load_model', { model_type: 'quasimoto_1d' });
    const elapsed = performance.now() - started;
    expect(loaded.success).toBe(true);
    expect(recorded.seen.map((answer) => answer.status)).toEqual([429, 200]);
    const waited = Number(recorded.seen[0]!.retryAfter);
    expect(waited).toBeGreaterThanOrEqual(WINDOW_S - 2);
    expect(elapsed).toBeGreaterThanOrEqual(waited * 1000 - 50);
    // The refused try did nothing: there is exactly one model.
    const models = await server.services.store.models.list('default');
    expect(models.map((model) => model.id)).toEqual([loaded.model_id]);
  });

  it('does not wait a Retry-After longer than maxDelayMs: the refusal is thrown at once', async () => {
    await exhaustWindow();
    const recorded = recordingFetch();
    const client = new McpServerClient({
      baseUrl: server.url,
      apiKey: key,
      fetch: recorded.fetch,
      retry: { maxDelayMs: 1_000 },
    });
    const started = performance.now();
    const refusal = await rejectionOf(client.call('string_spectrum'));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(refusal).toMatchObject({ status: 429, code: 'rate_limited' });
    expect((refusal as DredgeClientError).retryAfter).toBeGreaterThanOrEqual(2);
    expect(recorded.seen).toHaveLength(1);
  });

  it('does not wait past the call’s own timeout', async () => {
    await exhaustWindow();
    const recorded = recordingFetch();
    const client = new McpServerClient({ baseUrl: server.url, apiKey: key, fetch: recorded.fetch });
    // The refusal asks for at least 2 s more, the call has 1.5 s: it is thrown without waiting.
    const refusal = await rejectionOf(client.call('string_spectrum', {}, { timeoutMs: 1_500 }));
    expect(refusal).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(recorded.seen).toHaveLength(1);
  });
});

/** Starts a POST that declares `length` bytes of body and sends only the first `sent` for now. */
function holdBody(url: string, body: string, sent: number): ClientRequest {
  const held = request(new URL('/mcp', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
  });
  held.on('error', () => undefined);
  held.on('response', (response) => response.resume());
  held.write(body.slice(0, sent));
  return held;
}

describe('503 with Retry-After from MAX_INFLIGHT_BODY_BYTES', () => {
  const budget = 64 * 1024;
  let server: RunningMcpServer;

  beforeAll(async () => {
    server = await startMcpServer({
      MAX_INFLIGHT_BODY_BYTES: String(budget),
      MAX_BODY_BYTES: String(budget),
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  const padded = () => {
    const head = '{"operation":"string_spectrum","params":{"max_modes":3},"pad":"';
    return `${head}${'x'.repeat(budget - 20 - head.length - 2)}"}`;
  };

  it('retries a write refused before its body was read, once the budget is free', async () => {
    const body = padded();
    const held = holdBody(server.url, body, 1_000);
    await sleep(100);
    // The budget comes back when the held request is answered, well within the refusal's Retry-After (1 s).
    setTimeout(() => held.end(body.slice(1_000)), 300);
    const recorded = recordingFetch();
    const client = new McpServerClient({ baseUrl: server.url, fetch: recorded.fetch });
    const loaded = await client.call('load_model', { model_type: 'quasimoto_4d' });
    expect(recorded.seen.map((answer) => [answer.status, answer.retryAfter])).toEqual([
      [503, '1'],
      [200, null],
    ]);
    const models = await server.services.store.models.list('default');
    expect(models.map((model) => model.id)).toEqual([loaded.model_id]);
  });

  it('throws the 503 with retryAfter when retries are off', async () => {
    const body = padded();
    const held = holdBody(server.url, body, 1_000);
    try {
      await sleep(100);
      const client = new McpServerClient({ baseUrl: server.url, retry: { maxRetries: 0 } });
      const refusal = await rejectionOf(client.call('list_models'));
      expect(refusal).toMatchObject({ status: 503, code: 'unavailable', retryAfter: 1 });
      expect((refusal as Error).message).toMatch(/MAX_INFLIGHT_BODY_BYTES/);
    } finally {
      held.destroy();
    }
  });
});

describeWithRedis('503 without Retry-After from a stopped Redis', (redis) => {
  let opened: OpenApp;
  let mcp: FastifyInstance;
  let dredge: FastifyInstance;
  let mcpUrl: string;
  let dredgeUrl: string;
  /** Quick retries, so that three tries take a fraction of a second. */
  const retry = { maxRetries: 2, baseDelayMs: 20 };

  beforeAll(async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'dredge-client-redis-'));
    opened = await createTestServices(
      { REDIS_URL: redis().url, STORE_BACKEND: 'redis', REDIS_STORE_TIMEOUT: '0.5' },
      cwd,
      'dredge-client-retry-test',
    );
    mcp = await createMcpServer(opened.services, opened.catalogue);
    dredge = await createDredgeServer(opened.services, opened.catalogue);
    mcpUrl = await mcp.listen({ host: '127.0.0.1', port: 0 });
    dredgeUrl = await dredge.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await mcp?.close();
    await dredge?.close();
    await opened?.services.close();
  });

  it('retries what changes nothing, and never repeats a write that may have landed', async () => {
    await redis().kill();
    try {
      const recorded = recordingFetch();
      const client = new McpServerClient({ baseUrl: mcpUrl, fetch: recorded.fetch, retry });
      const read = await rejectionOf(client.call('list_models'));
      expect(read).toMatchObject({ status: 503, code: 'unavailable', retryAfter: undefined });
      expect(recorded.seen.map((answer) => answer.status)).toEqual([503, 503, 503]);

      recorded.seen.length = 0;
      const write = await rejectionOf(client.call('load_model', { model_type: 'quasimoto_1d' }));
      expect(write).toMatchObject({ status: 503, code: 'unavailable' });
      expect(recorded.seen.map((answer) => answer.status)).toEqual([503]);

      recorded.seen.length = 0;
      const insights = new DredgeServerClient({ baseUrl: dredgeUrl, fetch: recorded.fetch, retry });
      expect(await rejectionOf(insights.listInsights())).toMatchObject({ status: 503 });
      expect(recorded.seen.map((answer) => answer.status)).toEqual([503, 503, 503]);
      recorded.seen.length = 0;
      expect(await rejectionOf(insights.lift('while Redis is away'))).toMatchObject({
        status: 503,
        message: 'The insight store is unavailable; try again shortly.',
      });
      expect(recorded.seen.map((answer) => answer.status)).toEqual([503]);
    } finally {
      await redis().start();
    }
  });

  it('gets through once Redis is back, within the retries of one call', async () => {
    await redis().kill();
    // Back after two REDIS_STORE_TIMEOUTs: the store waits through a shorter outage without refusing.
    setTimeout(() => void redis().start(), 1_200);
    const recorded = recordingFetch();
    const client = new McpServerClient({
      baseUrl: mcpUrl,
      fetch: recorded.fetch,
      retry: { maxRetries: 8, baseDelayMs: 250, maxDelayMs: 2_000 },
    });
    const listed = await client.call('list_models');
    expect(listed.success).toBe(true);
    const statuses = recorded.seen.map((answer) => answer.status);
    expect(statuses[0]).toBe(503);
    expect(statuses.at(-1)).toBe(200);
  });
});
