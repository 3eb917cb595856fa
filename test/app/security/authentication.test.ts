import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintApiKey } from '../../../src/app/security/api-key.js';
import type { Scope } from '../../../src/app/security/principal.js';
import type { AppServices } from '../../../src/app/services.js';
import { startDredgeServer, type RunningDredgeServer } from '../../helpers/dredge-server.js';
import { httpClient } from '../../helpers/mcp-clients.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';

const LEGACY_KEY = 'the-original-single-api-key-0123456789';
const SECURE = { AUTH_ENABLED: 'true', API_KEY: LEGACY_KEY };

/** A key of `scopes` for the default tenant, stored in the server's store as `dredge keys create` would. */
async function keyWith(services: AppServices, ...scopes: Scope[]): Promise<string> {
  const minted = mintApiKey({ tenant: 'default', name: 'test', scopes, now: new Date() });
  await services.store.apiKeys.add(minted.record);
  return minted.key;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('authentication and scopes on the MCP server', () => {
  let server: RunningMcpServer;
  let reader: string;
  let writer: string;

  beforeAll(async () => {
    server = await startMcpServer(SECURE);
    [reader, writer] = await Promise.all([
      keyWith(server.services, 'read'),
      keyWith(server.services, 'write'),
    ]);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers 401 without a key or with a wrong one, and keeps the probes open', async () => {
    const load = { operation: 'load_model', params: { model_type: 'quasimoto_1d' } };
    const none = await post(`${server.url}/mcp`, load);
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ success: false, code: 'unauthorized' });
    expect(none.body.error).toMatch(/Authorization: Bearer/);
    // The same id with another secret: one character of the secret changed (never to itself).
    const flipped = `${writer.slice(0, -10)}${writer.at(-10) === 'B' ? 'C' : 'B'}${writer.slice(-9)}`;
    for (const wrong of ['nonsense', flipped, 'x'.repeat(5000)]) {
      expect((await post(`${server.url}/mcp`, load, { 'x-api-key': wrong })).status).toBe(401);
    }
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
  });

  it('lets each key do what its scopes allow, through the JSON API and tasks (403 otherwise)', async () => {
    const loaded = await post(
      `${server.url}/mcp`,
      { operation: 'load_model', params: { model_type: 'quasimoto_1d' } },
      bearer(writer),
    );
    expect(loaded.status).toBe(200);
    const modelId = loaded.body.model_id as string;
    const inference = { operation: 'inference', params: { model_id: modelId, inputs: { x: [0.5] } } };
    expect((await post(`${server.url}/mcp`, inference, bearer(reader))).status).toBe(200);
    const refused = await post(
      `${server.url}/mcp`,
      { operation: 'delete_model', params: { model_id: modelId } },
      { 'x-api-key': reader },
    );
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      code: 'forbidden',
      error: 'delete_model needs the write scope; this key has: read.',
    });
    // Queuing work needs the scope of the work queued.
    const queued = await post(
      `${server.url}/tasks`,
      { operation: 'train', params: { model_id: modelId, epochs: 1 } },
      bearer(reader),
    );
    expect(queued.status).toBe(403);
    // The original's API_KEY is an administrator: traces and metrics.
    expect((await fetch(`${server.url}/traces`, { headers: bearer(reader) })).status).toBe(403);
    expect((await fetch(`${server.url}/traces`, { headers: bearer(LEGACY_KEY) })).status).toBe(200);
    expect((await fetch(`${server.url}/metrics`, { headers: bearer(LEGACY_KEY) })).status).toBe(200);
  });

  it('checks the same scopes over the MCP protocol, per request', async () => {
    const connect = (key: string) => httpClient(`${server.url}/mcp`, 'v2', bearer(key));
    await expect(connect('dredge_0000000000000000_nope')).rejects.toThrow();
    const client = await connect(reader);
    try {
      const refused = await client.callTool('load_model', { model_type: 'quasimoto_1d' });
      expect(refused.isError).toBe(true);
      expect(JSON.stringify(refused.content)).toMatch(/load_model needs the write scope/);
      const allowed = await client.callTool('string_spectrum', { max_modes: 3 });
      expect(allowed.isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });

  it('sees a revoked key refused within the key cache time', async () => {
    const minted = mintApiKey({ tenant: 'default', name: 'soon revoked', scopes: ['read'], now: new Date() });
    await server.services.store.apiKeys.add(minted.record);
    const ask = () =>
      fetch(`${server.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(minted.key) },
        body: JSON.stringify({ operation: 'string_spectrum', params: { max_modes: 2 } }),
      });
    expect((await ask()).status).toBe(200);
    await server.services.store.apiKeys.revoke(minted.record.id, new Date().toISOString());
    const deadline = Date.now() + 10_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      status = (await ask()).status;
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(status).toBe(401);
  });
});

describe('authentication and scopes on the DREDGE server', () => {
  let server: RunningDredgeServer;
  let reader: string;
  let writer: string;

  beforeAll(async () => {
    server = await startDredgeServer(SECURE);
    [reader, writer] = await Promise.all([
      keyWith(server.services, 'read'),
      keyWith(server.services, 'write'),
    ]);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('guards lifting, reading and deleting insights by scope; the dashboard page stays open', async () => {
    expect((await post(`${server.url}/lift`, { insight_text: 'secret' })).status).toBe(401);
    expect((await post(`${server.url}/lift`, { insight_text: 'secret' }, bearer(reader))).status).toBe(403);
    const lifted = await post(`${server.url}/lift`, { insight_text: 'kept' }, bearer(writer));
    expect(lifted.status).toBe(200);
    const id = lifted.body.id as string;
    const read = await fetch(`${server.url}/insights/${id}`, { headers: bearer(reader) });
    expect(read.status).toBe(200);
    const deleteAs = (key: string) =>
      fetch(`${server.url}/insights/${id}`, { method: 'DELETE', headers: bearer(key) });
    expect((await deleteAs(reader)).status).toBe(403);
    expect((await deleteAs(writer)).status).toBe(200);
    expect((await fetch(`${server.url}/dashboard`)).status).toBe(200);
    expect((await fetch(`${server.url}/api/dashboard`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/dashboard`, { headers: bearer(reader) })).status).toBe(200);
  });
});

describe('client-requested tracing on a server with authentication', () => {
  let server: RunningMcpServer;
  let reader: string;

  beforeAll(async () => {
    // Nothing is sampled unless a caller's traceparent asks for it.
    server = await startMcpServer({ ...SECURE, TRACE_SAMPLE_RATIO: '0' });
    reader = await keyWith(server.services, 'read');
  });
  afterAll(async () => {
    await server?.close();
  });

  const traceIds = async (): Promise<string> =>
    JSON.stringify(await (await fetch(`${server.url}/traces`, { headers: bearer(LEGACY_KEY) })).json());

  it('is honoured for an administrator only, and spans never hold the URL', async () => {
    const spectrum = { operation: 'string_spectrum', params: { max_modes: 2 } };
    const asked = (traceId: string) => ({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    const readerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const adminTrace = '5bf92f3577b34da6a3ce929d0e0e4737';
    expect(
      (await post(`${server.url}/mcp?secret=query`, spectrum, { ...bearer(reader), ...asked(readerTrace) }))
        .status,
    ).toBe(200);
    expect(
      (await post(`${server.url}/mcp`, spectrum, { ...bearer(LEGACY_KEY), ...asked(adminTrace) })).status,
    ).toBe(200);
    const traces = await traceIds();
    expect(traces).toContain(adminTrace);
    expect(traces).not.toContain(readerTrace);
    expect(traces).not.toContain('secret=query');
    expect(traces).not.toContain('url.path');
  });
});
