import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClient, type ProtocolClient } from '../../helpers/mcp-clients.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';
import { TENANTS_ON, keyOf, unknownModelId } from './tenant-keys.js';

/** The SDK's own client (v2, protocol 2026-07-28) at POST /mcp, sending `key` with every request. */
function clientWith(url: string, key: string): Promise<ProtocolClient> {
  return httpClient(`${url}/mcp`, 'v2', { authorization: `Bearer ${key}` });
}

/**
 * The Model Context Protocol with two tenants' keys: tools see only the caller's tenant's models (another
 * tenant's id is a tool error with exactly the body of an unknown id), and the models resource lists its own.
 */
describe('tenants through the MCP protocol', () => {
  let server: RunningMcpServer;
  let alpha: ProtocolClient;
  let beta: ProtocolClient;
  const tool = (client: ProtocolClient, name: string, args: Record<string, unknown>) =>
    client.callTool(name, args);

  beforeAll(async () => {
    server = await startMcpServer({ ...TENANTS_ON });
    alpha = await clientWith(server.url, await keyOf(server.services, 'alpha'));
    beta = await clientWith(server.url, await keyOf(server.services, 'beta'));
  });
  afterAll(async () => {
    await alpha?.close();
    await beta?.close();
    await server?.close();
  });

  it("answers a tool on another tenant's model exactly as on an unknown id", async () => {
    const loaded = await tool(alpha, 'load_model', { model_type: 'quasimoto_1d' });
    expect(loaded.isError).toBeFalsy();
    const id = String(loaded.structuredContent?.model_id);
    const unknown = unknownModelId();
    for (const [name, extra] of [
      ['get_parameters', {}],
      ['inference', { inputs: { x: [0.5], t: [0] } }],
      ['delete_model', {}],
    ] as const) {
      const others = await tool(beta, name, { model_id: id, ...extra });
      const nobodys = await tool(beta, name, { model_id: unknown, ...extra });
      expect(others.isError, name).toBe(true);
      expect(others.structuredContent).toEqual({
        success: false,
        error: `Model not found: ${id}`,
        code: 'not_found',
      });
      expect(JSON.stringify(others).replaceAll(id, '<id>')).toBe(
        JSON.stringify(nobodys).replaceAll(unknown, '<id>'),
      );
    }
    expect((await tool(alpha, 'get_parameters', { model_id: id })).isError).toBeFalsy();
  });

  it("lists each tenant's models only, as a tool and as the models resource", async () => {
    const betas = await tool(beta, 'load_model', { model_type: 'quasimoto_4d' });
    const betaId = String(betas.structuredContent?.model_id);
    const listed = async (client: ProtocolClient) => {
      const models = (await tool(client, 'list_models', {})).structuredContent?.models as Array<{
        model_id: string;
      }>;
      return models.map((model) => model.model_id);
    };
    const resource = async (client: ProtocolClient) => {
      const read = await client.readResource('dredge://models');
      const first = read.contents[0] as { text: string };
      return (JSON.parse(first.text) as Array<{ model_id: string }>).map((model) => model.model_id);
    };
    expect(await listed(beta)).toEqual([betaId]);
    expect(await resource(beta)).toEqual([betaId]);
    const alphas = await listed(alpha);
    expect(alphas.length).toBeGreaterThan(0);
    expect(alphas).not.toContain(betaId);
    expect(await resource(alpha)).toEqual(alphas);
  });
});
