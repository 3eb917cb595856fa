import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDredgeServer, type RunningDredgeServer } from '../../helpers/dredge-server.js';
import { protocolRequest } from '../../helpers/mcp-clients.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';
import { decoded, rawRequest, type RawAnswer } from '../../helpers/raw-http.js';

/** About 100 KB of get_parameters JSON: 6,337 parameters, written on a compute thread (COMPUTE_INLINE_WORK 0). */
const MID_NETWORK = { model_type: 'string_theory', config: { dimensions: 10, hidden_size: 64 } } as const;

/** A call of the JSON API as raw bytes, with exactly the headers given. */
function postRaw(url: string, operation: string, params: unknown, headers: Record<string, string> = {}) {
  return rawRequest(url, '/mcp', { method: 'POST', body: { operation, params }, headers });
}

function varyNames(answer: RawAnswer): string[] {
  return String(answer.headers.vary ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase());
}

describe('compressed answers', () => {
  let server: RunningMcpServer;
  let modelId: string;

  beforeAll(async () => {
    // Every operation leaves the loop (so get_parameters answers in chunks); no cache, so every call does.
    server = await startMcpServer({ NUM_WORKERS: '1', CACHE_ENABLED: 'false', COMPUTE_INLINE_WORK: '0' });
    const loaded = await server.call('load_model', MID_NETWORK);
    modelId = loaded.body.model_id as string;
  });

  afterAll(async () => {
    await server?.close();
  });

  it('sends a large answer written in chunks as it is, with its length, to a client that accepts no coding', async () => {
    const before = server.services.compute.completed;
    const plain = await postRaw(server.url, 'get_parameters', { model_id: modelId });
    expect(server.services.compute.completed).toBe(before + 1);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(Number(plain.headers['content-length'])).toBe(plain.body.length);
    expect(plain.body.length).toBeGreaterThan(50_000);
    expect(varyNames(plain)).toContain('accept-encoding');
    expect(JSON.parse(plain.body.toString()).success).toBe(true);

    const identity = await postRaw(
      server.url,
      'get_parameters',
      { model_id: modelId },
      { 'accept-encoding': 'identity' },
    );
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.body.equals(plain.body)).toBe(true);
  });

  it.each(['br', 'gzip', 'deflate'])(
    'compresses the same chunks with %s, decoding to exactly the identity bytes',
    async (coding) => {
      const plain = await postRaw(server.url, 'get_parameters', { model_id: modelId });
      const before = server.services.compute.completed;
      const compressed = await postRaw(
        server.url,
        'get_parameters',
        { model_id: modelId },
        { 'accept-encoding': coding },
      );
      expect(server.services.compute.completed).toBe(before + 1);
      expect(compressed.status).toBe(200);
      expect(compressed.headers['content-encoding']).toBe(coding);
      // Its length is known only once the stream ends: chunked, never the identity length.
      expect(compressed.headers['content-length']).toBeUndefined();
      expect(varyNames(compressed)).toContain('accept-encoding');
      expect(compressed.body.length).toBeLessThan(plain.body.length * 0.6);
      expect(decoded(compressed).equals(plain.body)).toBe(true);
    },
  );

  it('compresses a large answer sent as text (unified_inference) to the same bytes decoded', async () => {
    const params = { dredge_insight: 'compression', string_modes: [1, 2, 3, 5, 8] };
    const plain = await postRaw(server.url, 'unified_inference', params);
    const gzip = await postRaw(server.url, 'unified_inference', params, { 'accept-encoding': 'gzip' });
    expect(plain.body.length).toBeGreaterThan(1024);
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(decoded(gzip).equals(plain.body)).toBe(true);
  });

  it('compresses a model bundle (bytes) to the same bytes decoded, its checksum ETag weak, and revalidates it', async () => {
    const path = `/models/${modelId}/bundle`;
    const plain = await rawRequest(server.url, path);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('application/octet-stream');
    expect(Number(plain.headers['content-length'])).toBe(plain.body.length);
    const checksumEtag = String(plain.headers.etag);

    const compressed = await rawRequest(server.url, path, { headers: { 'accept-encoding': 'br' } });
    expect(compressed.headers['content-encoding']).toBe('br');
    expect(decoded(compressed).equals(plain.body)).toBe(true);
    expect(compressed.headers.etag).toBe(`W/${checksumEtag}`);

    const revalidated = await rawRequest(server.url, path, {
      headers: { 'accept-encoding': 'br', 'if-none-match': `W/${checksumEtag}` },
    });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body.length).toBe(0);
  });

  it('never compresses an MCP event stream; compresses a large protocol JSON answer, not a small one', async () => {
    const protocol = async (request: { headers: Record<string, string>; body: string }) =>
      rawRequest(server.url, '/mcp', {
        method: 'POST',
        headers: { ...request.headers, 'accept-encoding': 'gzip, br' },
        body: JSON.parse(request.body) as unknown,
      });

    // The 2025-11-25 revision answers in an event stream: each event must reach the client when written.
    const streamed = await protocol(protocolRequest(1, 'tools/list', {}, '2025-11-25'));
    expect(streamed.status).toBe(200);
    expect(streamed.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(streamed.headers['content-encoding']).toBeUndefined();
    expect(streamed.body.toString()).toMatch(/^event: message\ndata: \{/);

    const listed = await protocol(protocolRequest(2, 'tools/list'));
    expect(listed.headers['content-type']).toMatch(/^application\/json/);
    expect(listed.headers['content-encoding']).toBe('br');
    const tools = (JSON.parse(decoded(listed).toString()) as { result: { tools: unknown[] } }).result.tools;
    expect(tools.length).toBeGreaterThan(10);

    const called = await protocol(
      protocolRequest(3, 'tools/call', { name: 'string_spectrum', arguments: { max_modes: 2 } }),
    );
    expect(called.status).toBe(200);
    expect(called.body.length).toBeLessThan(1024);
    expect(called.headers['content-encoding']).toBeUndefined();
    expect(Number(called.headers['content-length'])).toBe(called.body.length);
    expect(JSON.parse(called.body.toString())).toMatchObject({ jsonrpc: '2.0', id: 3 });
  });

  it('picks the coding the client prefers, and none it refuses or does not know', async () => {
    const coding = async (acceptEncoding: string) =>
      (
        await postRaw(
          server.url,
          'get_parameters',
          { model_id: modelId },
          { 'accept-encoding': acceptEncoding },
        )
      ).headers['content-encoding'];
    expect(await coding('gzip, deflate, br')).toBe('br');
    expect(await coding('br;q=0.5, gzip')).toBe('gzip');
    expect(await coding('br;q=0, gzip;q=0, deflate')).toBe('deflate');
    expect(await coding('compress')).toBeUndefined();
    expect(await coding('*;q=0')).toBeUndefined();
  });

  it('leaves answers under COMPRESSION_MIN_BYTES as they are, with their length', async () => {
    const health = await rawRequest(server.url, '/health', { headers: { 'accept-encoding': 'gzip, br' } });
    expect(health.headers['content-encoding']).toBeUndefined();
    expect(Number(health.headers['content-length'])).toBe(health.body.length);
    expect(health.body.length).toBeLessThan(1024);

    // A small answer written on a compute thread, in chunks, is no exception.
    const before = server.services.compute.completed;
    const inferred = await postRaw(
      server.url,
      'inference',
      { model_id: modelId, inputs: { x: [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]] } },
      { 'accept-encoding': 'gzip' },
    );
    expect(server.services.compute.completed).toBe(before + 1);
    expect(inferred.status).toBe(200);
    expect(inferred.headers['content-encoding']).toBeUndefined();
    expect(Number(inferred.headers['content-length'])).toBe(inferred.body.length);
  });

  it('leaves every answer as it is under a higher COMPRESSION_MIN_BYTES, chunked ones included', async () => {
    const high = await startMcpServer({
      NUM_WORKERS: '1',
      CACHE_ENABLED: 'false',
      COMPUTE_INLINE_WORK: '0',
      COMPRESSION_MIN_BYTES: '1048576',
    });
    try {
      const loaded = await high.call('load_model', MID_NETWORK);
      const before = high.services.compute.completed;
      const answer = await postRaw(
        high.url,
        'get_parameters',
        { model_id: loaded.body.model_id },
        { 'accept-encoding': 'gzip' },
      );
      expect(high.services.compute.completed).toBe(before + 1);
      expect(answer.headers['content-encoding']).toBeUndefined();
      expect(Number(answer.headers['content-length'])).toBe(answer.body.length);
      expect(answer.body.length).toBeGreaterThan(50_000);
    } finally {
      await high.close();
    }
  });

  it('compresses nothing with COMPRESSION_ENABLED off', async () => {
    const off = await startMcpServer({ COMPRESSION_ENABLED: 'false' });
    try {
      const document = await rawRequest(off.url, '/openapi.json', {
        headers: { 'accept-encoding': 'gzip, br' },
      });
      expect(document.status).toBe(200);
      expect(document.body.length).toBeGreaterThan(10_000);
      expect(document.headers['content-encoding']).toBeUndefined();
      expect(Number(document.headers['content-length'])).toBe(document.body.length);
    } finally {
      await off.close();
    }
  });
});

describe('ETags and conditional GETs', () => {
  let mcp: RunningMcpServer;
  let dredge: RunningDredgeServer;

  beforeAll(async () => {
    [mcp, dredge] = await Promise.all([startMcpServer(), startDredgeServer()]);
  });

  afterAll(async () => {
    await Promise.all([mcp?.close(), dredge?.close()]);
  });

  it('answers 304 with no body to a GET whose If-None-Match names the answer’s ETag', async () => {
    const first = await rawRequest(mcp.url, '/');
    expect(first.status).toBe(200);
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[\w-]{27}"$/);

    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await rawRequest(mcp.url, '/', { headers: { 'if-none-match': ifNoneMatch } });
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);
      expect(again.headers.etag).toBe(etag);
    }
    const stale = await rawRequest(mcp.url, '/', { headers: { 'if-none-match': '"other"' } });
    expect(stale.status).toBe(200);
    expect(stale.body.equals(first.body)).toBe(true);
  });

  it('makes a compressed answer’s ETag weak, and answers 304 to it', async () => {
    const plain = await rawRequest(mcp.url, '/openapi.json');
    const compressed = await rawRequest(mcp.url, '/openapi.json', { headers: { 'accept-encoding': 'br' } });
    expect(compressed.headers['content-encoding']).toBe('br');
    expect(compressed.headers.etag).toBe(`W/${String(plain.headers.etag)}`);

    const revalidated = await rawRequest(mcp.url, '/openapi.json', {
      headers: { 'accept-encoding': 'br', 'if-none-match': String(compressed.headers.etag) },
    });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body.length).toBe(0);
    expect(revalidated.headers['content-encoding']).toBeUndefined();
  });

  it('keeps a route’s own ETag (the dashboard’s files), weak when compressed, and revalidates it', async () => {
    const plain = await rawRequest(dredge.url, '/assets/dashboard.js');
    const routeEtag = String(plain.headers.etag);
    const compressed = await rawRequest(dredge.url, '/assets/dashboard.js', {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(compressed.headers['content-encoding']).toBe('gzip');
    expect(decoded(compressed).equals(plain.body)).toBe(true);
    expect(compressed.headers.etag).toBe(`W/${routeEtag}`);

    const revalidated = await rawRequest(dredge.url, '/assets/dashboard.js', {
      headers: { 'accept-encoding': 'gzip', 'if-none-match': `W/${routeEtag}` },
    });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body.length).toBe(0);
  });

  it('changes a listing’s ETag when what it lists changes', async () => {
    const before = await rawRequest(dredge.url, '/insights');
    const etag = String(before.headers.etag);
    expect((await rawRequest(dredge.url, '/insights', { headers: { 'if-none-match': etag } })).status).toBe(
      304,
    );

    const lifted = await dredge.fetchJson('/lift', {
      method: 'POST',
      body: { insight_text: 'etags change' },
    });
    expect(lifted.status).toBe(200);
    const after = await rawRequest(dredge.url, '/insights', { headers: { 'if-none-match': etag } });
    expect(after.status).toBe(200);
    expect(after.headers.etag).not.toBe(etag);
    expect(after.body.toString()).toContain('etags change');
  });

  it('gives no ETag to the probes, to answers of other methods, or to refusals', async () => {
    const health = await rawRequest(mcp.url, '/health');
    expect(health.status).toBe(200);
    expect(health.headers.etag).toBeUndefined();

    const posted = await postRaw(mcp.url, 'list_capabilities', {});
    expect(posted.status).toBe(200);
    expect(posted.headers.etag).toBeUndefined();

    const missing = await rawRequest(mcp.url, '/tasks/no-such-task');
    expect(missing.status).toBe(404);
    expect(missing.headers.etag).toBeUndefined();
  });
});
