import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintApiKey } from '../../../src/app/security/api-key.js';
import type { Scope } from '../../../src/app/security/principal.js';
import type { AppServices } from '../../../src/app/services.js';
import { httpClient } from '../../helpers/mcp-clients.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';

async function keyFor(services: AppServices, tenant: string, ...scopes: Scope[]): Promise<string> {
  const minted = mintApiKey({ tenant, name: 'metrics', scopes, now: new Date() });
  await services.store.apiKeys.add(minted.record);
  return minted.key;
}

async function call(url: string, key: string, operation: string, params: unknown = {}) {
  const response = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ operation, params }),
  });
  return { status: response.status, text: await response.text() };
}

/**
 * Metrics are the process's, and a key of any tenant may hold the `metrics` scope: with tenants on, no series may
 * name another tenant's model (the original labelled inference counters by model id).
 */
describe('metrics with tenants', () => {
  let server: RunningMcpServer;
  let owner: string;
  let watcher: string;

  beforeAll(async () => {
    server = await startMcpServer({ AUTH_ENABLED: 'true', MULTI_TENANT_ENABLED: 'true' });
    owner = await keyFor(server.services, 'alpha', 'read', 'write');
    watcher = await keyFor(server.services, 'beta', 'read', 'metrics');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('keep each resource behind its operation: dredge://metrics needs the metrics scope', async () => {
    const reader = await keyFor(server.services, 'beta', 'read');
    const client = await httpClient(`${server.url}/mcp`, 'v2', { authorization: `Bearer ${reader}` });
    try {
      await expect(client.readResource('dredge://metrics')).rejects.toThrow(
        /get_metrics needs the metrics scope/,
      );
      const models = await client.readResource('dredge://models');
      expect(JSON.parse((models.contents[0] as { text: string }).text)).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('name no model of another tenant in /metrics or get_metrics', async () => {
    const loaded = await call(server.url, owner, 'load_model', { model_type: 'quasimoto_1d' });
    expect(loaded.status).toBe(200);
    const modelId = String((JSON.parse(loaded.text) as { model_id: string }).model_id);
    expect(
      (await call(server.url, owner, 'inference', { model_id: modelId, inputs: { x: [0.5], t: [0] } }))
        .status,
    ).toBe(200);
    const scraped = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${watcher}` } });
    expect(scraped.status).toBe(200);
    const metrics = await call(server.url, watcher, 'get_metrics');
    expect(metrics.status).toBe(200);
    // The counters are there, only without the model's id.
    expect(metrics.text).toContain('mcp_inference');
    expect(await scraped.text()).not.toContain(modelId);
    expect(metrics.text).not.toContain(modelId);
  });
});
