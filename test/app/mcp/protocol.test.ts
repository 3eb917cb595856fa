import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogue } from '../../../src/app/operations/index.js';
import {
  CLIENT_KINDS,
  MODERN_REVISION,
  httpClient,
  stdioClient,
  type ClientKind,
  type ProtocolClient,
  type ToolResult,
} from '../../helpers/mcp-clients.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';

const OPERATIONS = createCatalogue().names;

/** The revision each SDK's client ends up speaking with DREDGE: the v2 one 2026-07-28, the v1 one 2025-11-25. */
const REVISION: Record<ClientKind, string> = { v2: MODERN_REVISION, v1: '2025-11-25' };

/**
 * A failed tool's result as each client gets it: the JSON API's error body as text, and as structured content for a
 * 2026-07-28 client only (a 2025 client checks structured content against the tool's output schema even in an
 * error result, which an error body would fail).
 */
function expectToolError(
  kind: ClientKind,
  result: ToolResult,
  body: Record<string, unknown>,
  name = '',
): void {
  expect(result.isError, name).toBe(true);
  expect(JSON.parse((result.content[0] as { text: string }).text), name).toMatchObject(body);
  if (kind === 'v2') expect(result.structuredContent, name).toMatchObject(body);
  else expect(result.structuredContent, name).toBeUndefined();
}

/** Exercises every tool through a connected client, as a model acting on the tool list would. */
function describeTools(
  transport: string,
  kind: ClientKind,
  connect: () => Promise<{ client: ProtocolClient; close: () => Promise<void> }>,
) {
  describe(`the Model Context Protocol over ${transport}, with the ${kind} SDK's client`, () => {
    let client: ProtocolClient;
    let close: () => Promise<void>;
    const call = (name: string, args: Record<string, unknown> = {}) => client.callTool(name, args);

    beforeAll(async () => {
      ({ client, close } = await connect());
    });
    afterAll(async () => {
      await close();
    });

    it(`speaks ${REVISION[kind]}`, () => {
      expect(client.revision).toBe(REVISION[kind]);
    });

    it('lists one tool per operation, each with a description and a JSON Schema of its input', async () => {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual([...OPERATIONS].sort());
      for (const tool of tools) {
        expect(tool.description?.length, tool.name).toBeGreaterThan(20);
        expect(tool.inputSchema.type).toBe('object');
      }
      const spectrum = tools.find((tool) => tool.name === 'string_spectrum')!;
      expect(spectrum.inputSchema.properties).toMatchObject({
        max_modes: { type: 'integer', minimum: 1, maximum: 10000 },
      });
    });

    it('calls every tool, with structured content in the result', async () => {
      const loaded = await call('load_model', { model_type: 'quasimoto_1d', config: { seed: 3 } });
      const id = loaded.structuredContent?.model_id as string;
      expect(id).toMatch(/^quasimoto_1d_\d+$/);
      const ensembleLoaded = await call('load_model', {
        model_type: 'quasimoto_ensemble',
        config: { n_waves: 2 },
      });
      const ensemble = ensembleLoaded.structuredContent?.model_id as string;
      const exported = await call('export_model', { model_id: id });
      const bundle = exported.structuredContent?.bundle as string;
      const results: Record<string, Awaited<ReturnType<typeof call>>> = {
        list_capabilities: await call('list_capabilities'),
        inference: await call('inference', { model_id: id, inputs: { x: [0.5, 1], t: [0] } }),
        get_parameters: await call('get_parameters', { model_id: id }),
        benchmark: await call('benchmark', { model_type: 'quasimoto_1d', config: { epochs: 3 } }),
        string_spectrum: await call('string_spectrum', { max_modes: 3 }),
        string_parameters: await call('string_parameters', {}),
        unified_inference: await call('unified_inference', { dredge_insight: 'over MCP' }),
        get_metrics: await call('get_metrics'),
        get_cache_stats: await call('get_cache_stats'),
        list_models: await call('list_models'),
        train: await call('train', { model_id: id, epochs: 5 }),
        model_fit: await call('model_fit', { model_id: id, points: 10 }),
        list_model_versions: await call('list_model_versions', { model_id: id }),
        rollback_model: await call('rollback_model', { model_id: id, version: 0 }),
        quantize_model: await call('quantize_model', { model_id: ensemble }),
        prune_model: await call('prune_model', { model_id: ensemble, sparsity: 0.5 }),
        get_traces: await call('get_traces', { limit: 5 }),
        get_dependabot_alerts: await call('get_dependabot_alerts', {}),
        explain_dependabot_alert: await call('explain_dependabot_alert', { alert_id: 1 }),
        update_dependabot_alert: await call('update_dependabot_alert', { alert_id: 1, state: 'open' }),
        export_model: exported,
        import_model: await call('import_model', { bundle }),
        delete_model: await call('delete_model', { model_id: id }),
        get_queue_stats: await call('get_queue_stats'),
      };
      const submitted = await call('submit_task', { operation: 'string_spectrum', params: { max_modes: 4 } });
      const taskId = submitted.structuredContent?.task_id as string;
      results.submit_task = submitted;
      results.get_task = await call('get_task', { task_id: taskId });
      results.cancel_task = await call('cancel_task', { task_id: taskId });
      expect(Object.keys(results).length + 1).toBe(OPERATIONS.length);
      for (const [name, result] of Object.entries(results)) {
        if (name.includes('dependabot')) {
          // No GITHUB_TOKEN here: a tool error, with the JSON API's error body.
          const body = { success: false, error: 'GITHUB_TOKEN not set', code: 'unavailable' };
          expectToolError(kind, result, body, name);
          continue;
        }
        expect(result.isError, name).toBeFalsy();
        expect(result.structuredContent?.success, name).toBe(true);
        expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual(result.structuredContent);
      }
      expect(results.string_spectrum!.structuredContent).toMatchObject({
        energy_spectrum: [0.5, 1, 1.5],
        cached: false,
      });
      expect(results.train!.structuredContent).toMatchObject({ model_id: id, epochs: 5, version: 5 });
      expect(results.delete_model!.structuredContent).toMatchObject({ deleted: true });
    });

    it('answers bad arguments with a JSON-RPC invalid-params error naming the field and the limit', async () => {
      const error = await client.callTool('string_spectrum', { max_modes: 0 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({ code: -32602 });
      expect((error as Error).message).toContain('params.max_modes must be a whole number from 1 to 10000');
      const unknown = await client.callTool('no_such_tool', {}).catch((e: unknown) => e);
      expect(unknown).toMatchObject({ code: -32602 });
    });

    it('reports an unknown model as a tool error, as the JSON API reports 404', async () => {
      expectToolError(kind, await call('inference', { model_id: 'quasimoto_1d_999', inputs: {} }), {
        success: false,
        error: 'Model not found: quasimoto_1d_999',
        code: 'not_found',
      });
    });

    it('sends progress notifications while training', async () => {
      const loaded = await call('load_model', {
        model_type: 'quasimoto_ensemble',
        config: { n_waves: 4, seed: 1 },
      });
      const updates: Array<{ progress: number; total?: number; message?: string }> = [];
      const result = await client.callTool(
        'train',
        { model_id: loaded.structuredContent?.model_id, epochs: 200 },
        { onprogress: (update) => updates.push(update) },
      );
      expect(result.structuredContent).toMatchObject({ epochs: 200 });
      expect(updates.length).toBeGreaterThanOrEqual(10);
      // The last notifications may still be in flight when the result arrives (the client then stops listening).
      expect(updates.at(-1)).toMatchObject({ total: 200 });
      expect(updates.at(-1)!.progress).toBeGreaterThanOrEqual(150);
      expect(updates[0]!.message).toMatch(/^epoch \d+\/200: loss /);
      for (let i = 1; i < updates.length; i++)
        expect(updates[i]!.progress).toBeGreaterThan(updates[i - 1]!.progress);
    });

    it('reads the loaded models, the metrics and the cache statistics as resources', async () => {
      const { resources } = await client.listResources();
      expect(resources.map((resource) => resource.uri).sort()).toEqual([
        'dredge://cache-stats',
        'dredge://metrics',
        'dredge://models',
      ]);
      const models = await client.readResource('dredge://models');
      const listed = JSON.parse((models.contents[0] as { text: string }).text) as Array<{
        model_type: string;
      }>;
      expect(listed.some((model) => model.model_type === 'quasimoto_ensemble')).toBe(true);
      const stats = await client.readResource('dredge://cache-stats');
      expect(JSON.parse((stats.contents[0] as { text: string }).text)).toMatchObject({
        backend_type: 'memory',
      });
      const metrics = await client.readResource('dredge://metrics');
      expect(JSON.parse((metrics.contents[0] as { text: string }).text)).toHaveProperty('counters');
    });
  });
}

for (const kind of CLIENT_KINDS) {
  let server: RunningMcpServer | undefined;
  describeTools('Streamable HTTP (POST /mcp)', kind, async () => {
    server = await startMcpServer();
    const client = await httpClient(`${server.url}/mcp`, kind);
    return {
      client,
      close: async () => {
        await client.close();
        await server?.close();
      },
    };
  });

  describeTools('stdio', kind, async () => {
    const client = await stdioClient(kind);
    return { client, close: () => client.close() };
  });
}
