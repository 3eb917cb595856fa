import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintApiKey, type MintedApiKey } from '../../../src/app/security/api-key.js';
import type { Scope } from '../../../src/app/security/principal.js';
import type { AppServices } from '../../../src/app/services.js';
import type { StoredAuditRecord } from '../../../src/services/store/index.js';
import { startDredgeServer, type RunningDredgeServer } from '../../helpers/dredge-server.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';

async function keyWith(services: AppServices, ...scopes: Scope[]): Promise<MintedApiKey> {
  const minted = mintApiKey({ tenant: 'default', name: 'audit', scopes, now: new Date() });
  await services.store.apiKeys.add(minted.record);
  return minted;
}

async function call(url: string, operation: string, params: unknown, key?: string) {
  const response = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
    },
    body: JSON.stringify({ operation, params }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** What the audit holds once the records buffered so far are written. */
async function recorded(services: AppServices): Promise<StoredAuditRecord[]> {
  await services.audit.flush();
  return services.store.audit.tail(1000);
}

describe('the audit trail of the MCP server', () => {
  let server: RunningMcpServer;
  let writer: MintedApiKey;
  let reader: MintedApiKey;

  beforeAll(async () => {
    server = await startMcpServer({ AUTH_ENABLED: 'true' });
    [writer, reader] = await Promise.all([
      keyWith(server.services, 'read', 'write'),
      keyWith(server.services, 'read'),
    ]);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('records each change with who, what, how it ended and its sizes, and no reads', async () => {
    const loaded = await call(server.url, 'load_model', { model_type: 'quasimoto_1d' }, writer.key);
    expect(loaded.status).toBe(200);
    expect((await call(server.url, 'list_models', {}, writer.key)).status).toBe(200);
    expect((await call(server.url, 'delete_model', { model_id: 'nowhere_9' }, writer.key)).status).toBe(404);
    const records = await recorded(server.services);
    const load = records.find((record) => record.action === 'load_model');
    expect(load).toMatchObject({
      tenant: 'default',
      keyId: writer.record.id,
      outcome: 'ok',
      client: '127.0.0.1',
      count: 1,
    });
    expect(load?.inputBytes).toBeGreaterThan(0);
    expect(load?.outputBytes).toBeGreaterThan(0);
    expect(load?.requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(records.find((record) => record.action === 'delete_model')?.outcome).toBe('not_found');
    expect(records.some((record) => record.action === 'list_models')).toBe(false);
  });

  it('records a refused change as forbidden, naming the key', async () => {
    expect((await call(server.url, 'load_model', { model_type: 'quasimoto_1d' }, reader.key)).status).toBe(
      403,
    );
    const records = await recorded(server.services);
    expect(
      records.find((record) => record.keyId === reader.record.id && record.action === 'load_model'),
    ).toMatchObject({ outcome: 'forbidden' });
  });

  it('counts failed authentications per key and outcome into one record, never keeping the secret', async () => {
    const stranger = mintApiKey({
      tenant: 'default',
      name: 'never stored',
      scopes: ['read'],
      now: new Date(),
    });
    for (let attempt = 0; attempt < 7; attempt += 1) {
      expect((await call(server.url, 'list_models', {}, stranger.key)).status).toBe(401);
    }
    expect((await call(server.url, 'list_models', {}, 'not a key at all')).status).toBe(401);
    // Flushing the failure counts: they are written when their minute ends, or when the log closes.
    await server.services.audit.close();
    const records = await server.services.store.audit.tail(1000);
    const failures = records.filter((record) => record.outcome === 'unauthorized');
    expect(failures.find((record) => record.keyId === stranger.record.id)).toMatchObject({
      count: 7,
      client: '127.0.0.1',
    });
    expect(failures.find((record) => record.keyId === null)?.count).toBe(1);
    const secret = stranger.key.slice(-12);
    expect(JSON.stringify(records)).not.toContain(secret);
  });
});

describe('the audit trail of the DREDGE server routes', () => {
  let server: RunningDredgeServer;

  beforeAll(async () => {
    server = await startDredgeServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('records lifts and deletions of insights with their outcome, and no reads', async () => {
    const lifted = await server.fetchJson('/lift', { method: 'POST', body: { insight_text: 'kept' } });
    expect(lifted.status).toBe(200);
    const id = String(lifted.body.id);
    expect((await server.fetchJson(`/insights/${id}`)).status).toBe(200);
    expect((await server.fetchJson(`/insights/${id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await server.fetchJson(`/insights/${id}`, { method: 'DELETE' })).status).toBe(404);
    const records = await recorded(server.services);
    expect(records.map((record) => [record.action, record.outcome])).toEqual([
      ['POST /lift', 'ok'],
      ['DELETE /insights/:id', 'ok'],
      ['DELETE /insights/:id', 'not_found'],
    ]);
    expect(records[0]?.client).toBe('127.0.0.1');
    expect(records[0]?.requestId).toMatch(/^[0-9a-f]{32}$/);
  });
});
