import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODERN_REVISION, protocolRequest } from '../../helpers/mcp-clients.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';

/**
 * POST a hand-written request; the status and the parsed answer: a JSON body, or an event stream's last message
 * (the 2025 revisions' stateless answers come as a stream of one).
 */
async function post(
  url: string,
  request: { headers: Record<string, string>; body: string },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
  const text = await response.text();
  const json = response.headers.get('content-type')?.includes('text/event-stream')
    ? text
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .at(-1)!
        .slice(5)
    : text;
  return { status: response.status, body: JSON.parse(json) as Record<string, unknown> };
}

/** The original's API_KEY: an administrator with AUTH_ENABLED. */
const KEY = 'one-endpoint-test-administrator-key';

const JSON_API = (body: unknown) => ({
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('one endpoint, POST /mcp: the JSON API and the Model Context Protocol, told apart by the body', () => {
  let server: RunningMcpServer;
  beforeAll(async () => {
    server = await startMcpServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers {operation, params} with the JSON API and a JSON-RPC message with the protocol', async () => {
    const api = await post(
      `${server.url}/mcp`,
      JSON_API({ operation: 'string_spectrum', params: { max_modes: 2 } }),
    );
    expect(api).toEqual({
      status: 200,
      body: { success: true, dimensions: 10, max_modes: 2, energy_spectrum: [0.5, 1], cached: false },
    });
    for (const path of ['/mcp', '/mcp/protocol']) {
      const discovered = await post(`${server.url}${path}`, protocolRequest(1, 'server/discover'));
      expect(discovered.status).toBe(200);
      expect(discovered.body).toMatchObject({
        jsonrpc: '2.0',
        id: 1,
        result: {
          supportedVersions: [MODERN_REVISION],
          capabilities: { tools: {}, resources: {}, extensions: { 'io.modelcontextprotocol/tasks': {} } },
        },
      });
    }
  });

  it('lets clients keep the tool list: cacheable, the same for everyone', async () => {
    const listed = await post(`${server.url}/mcp`, protocolRequest(2, 'tools/list'));
    expect(listed.body.result).toMatchObject({
      ttlMs: 600_000,
      cacheScope: 'public',
      resultType: 'complete',
    });
    const resources = await post(`${server.url}/mcp`, protocolRequest(3, 'resources/list'));
    expect(resources.body.result).toMatchObject({ ttlMs: 600_000, cacheScope: 'public' });
  });

  it('refuses a 2026-07-28 request whose standard headers disagree with its body', async () => {
    const call = protocolRequest(4, 'tools/call', { name: 'string_spectrum', arguments: { max_modes: 1 } });
    const refused = await post(`${server.url}/mcp`, {
      ...call,
      headers: { ...call.headers, 'mcp-name': 'string_parameters' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ jsonrpc: '2.0', error: { code: expect.any(Number) as number } });
    expect(JSON.stringify(refused.body)).toContain('Mcp-Name');
  });

  it('takes a 2025 message without a handshake (stateless), and refuses a batch holding a 2026-07-28 one', async () => {
    const legacy = await post(`${server.url}/mcp`, protocolRequest(5, 'tools/list', {}, '2025-11-25'));
    expect(legacy.status).toBe(200);
    expect((legacy.body.result as { tools: unknown[] }).tools.length).toBeGreaterThan(10);
    const modern = JSON.parse(protocolRequest(6, 'tools/list').body) as unknown;
    const batch = await post(`${server.url}/mcp`, {
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify([modern]),
    });
    expect(batch.status).toBe(400);
    expect(batch.body).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 } });
  });

  it('answers GET and DELETE with 405: the server keeps no session to stream or end', async () => {
    for (const path of ['/mcp', '/mcp/protocol']) {
      for (const method of ['GET', 'DELETE']) {
        const response = await fetch(`${server.url}${path}`, { method });
        expect(response.status, `${method} ${path}`).toBe(405);
        expect(response.headers.get('allow')).toBe('POST');
        expect(await response.json()).toMatchObject({
          jsonrpc: '2.0',
          error: { code: -32000, message: 'Method not allowed: this server is stateless; send POST /mcp.' },
          id: null,
        });
      }
    }
  });
});

describe('one endpoint: authentication and body limits apply to both halves alike', () => {
  let server: RunningMcpServer;
  beforeAll(async () => {
    server = await startMcpServer({ AUTH_ENABLED: 'true', API_KEY: KEY, MAX_BODY_BYTES: '4096' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses either without a key (401), and either over MAX_BODY_BYTES (413), with the same body', async () => {
    const api = await post(`${server.url}/mcp`, JSON_API({ operation: 'list_models' }));
    const protocol = await post(`${server.url}/mcp`, protocolRequest(1, 'tools/list'));
    expect(api.status).toBe(401);
    expect(protocol).toEqual(api);
    const withKey = (request: { headers: Record<string, string>; body: string }) => ({
      ...request,
      headers: { ...request.headers, authorization: `Bearer ${KEY}` },
    });
    const padding = 'p'.repeat(5000);
    const bigApi = await post(
      `${server.url}/mcp`,
      withKey(JSON_API({ operation: 'list_models', params: { padding } })),
    );
    const bigCall = protocolRequest(2, 'tools/call', { name: 'list_models', arguments: { padding } });
    expect(bigApi.status).toBe(413);
    expect(await post(`${server.url}/mcp`, withKey(bigCall))).toEqual(bigApi);
    // With the key and within the bound, both halves answer.
    expect((await post(`${server.url}/mcp`, withKey(JSON_API({ operation: 'list_models' })))).status).toBe(
      200,
    );
    expect((await post(`${server.url}/mcp`, withKey(protocolRequest(3, 'tools/list')))).status).toBe(200);
  });
});
