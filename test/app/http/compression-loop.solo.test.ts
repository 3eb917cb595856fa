import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';
import { decoded, rawRequest } from '../../helpers/raw-http.js';

/**
 * Generous: compressing this answer's 55 MB on the event loop holds it for over a second even on a fast machine
 * (Brotli at quality 4 reads about 40 MB a second; here it held the loop for 7 s), while a loop that only hands
 * chunks to zlib's threads is late by tens of milliseconds on a busy machine (no later than an answer sent as it
 * is: the threads compete for the same cores).
 */
const LONGEST_LOOP_DELAY_MS = 250;

/** 2,627,073 parameters: get_parameters answers about 55 MB of JSON, written in chunks on a compute thread. */
const LARGE_NETWORK = {
  model_type: 'string_theory',
  config: { hidden_size: 512, num_layers: 10, dimensions: 512 },
} as const;

/**
 * A large answer compressed for a client does not hold the event loop: the server runs in this process, so the
 * loop watched is the one that sends the answer; the client only collects the compressed bytes while it is
 * watched, and decodes them after.
 */
describe('the event loop while a large answer is compressed', () => {
  let server: RunningMcpServer;
  let modelId: string;

  beforeAll(async () => {
    server = await startMcpServer({ NUM_WORKERS: '1', CACHE_ENABLED: 'false' });
    const loaded = await server.call('load_model', LARGE_NETWORK);
    expect(loaded.status).toBe(200);
    modelId = loaded.body.model_id as string;
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  it('stays free while 55 MB of get_parameters is compressed with Brotli, which decodes to the identity bytes', async () => {
    const request = { method: 'POST', body: { operation: 'get_parameters', params: { model_id: modelId } } };
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const compressed = await rawRequest(server.url, '/mcp', {
      ...request,
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    loop.disable();
    const longestDelayMs = loop.max / 1e6;

    expect(compressed.status).toBe(200);
    expect(compressed.headers['content-encoding']).toBe('br');
    const plain = await rawRequest(server.url, '/mcp', request);
    expect(plain.body.length).toBeGreaterThan(40_000_000);
    expect(compressed.body.length).toBeLessThan(plain.body.length * 0.6);
    expect(decoded(compressed).equals(plain.body)).toBe(true);
    expect(longestDelayMs).toBeLessThanOrEqual(LONGEST_LOOP_DELAY_MS);
  }, 120_000);
});
