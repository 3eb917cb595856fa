import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_KINDS, httpClient } from '../../helpers/mcp-clients.js';
import { startDredgeServer, type RunningDredgeServer } from '../../helpers/dredge-server.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';

/** JSON text of arrays `depth` levels deep (built as text: JSON.stringify itself fails at a few thousand). */
const arrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

const TOO_DEEP = {
  success: false,
  code: 'invalid_input',
  error: 'The request body is nested deeper than 64 levels (the most JSON input may nest).',
};

/** POST `body` (text) to `url`: the status and the answer, parsed when it is JSON (MCP may answer an event stream). */
async function post(url: string, body: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body,
  });
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.startsWith('application/json') ?? false;
  return { status: response.status, body: isJson ? (JSON.parse(text) as unknown) : text };
}

describe('nesting: every body of the MCP server', () => {
  let server: RunningMcpServer;
  beforeAll(async () => {
    // Room for the million-level body, so that its depth, not its size, is what refuses it.
    server = await startMcpServer({ MAX_BODY_BYTES: String(4 * 1024 * 1024) });
  });
  afterAll(async () => {
    await server.close();
  });

  // The body is level 1 and its params level 2, so params hold 62 more levels at most.
  const operation = (name: string, nest: number) =>
    `{"operation": "${name}", "params": {"dredge_insight": "x", "extra": ${arrays(nest)}}}`;
  const task = (nest: number) =>
    `{"operation": "submit_task", "params": {"operation": "unified_inference", "params": {"extra": ${arrays(nest)}}}}`;

  it('answers a body nested 64 levels and refuses one nested 65 with a 400 naming the limit (POST /mcp)', async () => {
    expect(await post(`${server.url}/mcp`, operation('unified_inference', 62))).toMatchObject({
      status: 200,
      body: { success: true },
    });
    expect(await post(`${server.url}/mcp`, operation('unified_inference', 63))).toEqual({
      status: 400,
      body: TOO_DEEP,
    });
  });

  it('refuses submit_task with params nested 5,000 deep as a 400, never a 500 (POST /mcp and POST /tasks)', async () => {
    expect(await post(`${server.url}/mcp`, task(5_000))).toEqual({ status: 400, body: TOO_DEEP });
    const direct = `{"operation": "unified_inference", "params": {"extra": ${arrays(5_000)}}}`;
    expect(await post(`${server.url}/tasks`, direct)).toEqual({ status: 400, body: TOO_DEEP });
    // The shallow task is still queued.
    expect((await post(`${server.url}/tasks`, '{"operation": "get_metrics", "params": {}}')).status).toBe(
      202,
    );
  });

  it('refuses a body a million levels deep at once, before parsing it', async () => {
    const started = performance.now();
    expect(await post(`${server.url}/mcp`, arrays(1_000_000))).toEqual({ status: 400, body: TOO_DEEP });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('refuses a deep JSON-RPC body of the Model Context Protocol over HTTP with the same 400', async () => {
    const call = (nest: number) =>
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'unified_inference', arguments: { extra: '@' } },
      }).replace('"@"', arrays(nest));
    // tools/call's arguments sit at level 3 of the message; the protocol's alias is checked the same way.
    for (const path of ['/mcp', '/mcp/protocol']) {
      expect(await post(`${server.url}${path}`, call(5_000))).toEqual({ status: 400, body: TOO_DEEP });
      const shallow = await post(`${server.url}${path}`, call(10));
      expect(shallow.status).toBe(200);
      expect(JSON.stringify(shallow.body)).toContain('coupled_amplitude');
    }
  });

  it.each(CLIENT_KINDS)('refuses it to the %s SDK client too, naming the limit', async (kind) => {
    const client = await httpClient(`${server.url}/mcp`, kind);
    try {
      const deep: unknown[] = [];
      let inner = deep;
      for (let level = 0; level < 200; level++) inner.push((inner = []));
      await expect(client.callTool('unified_inference', { extra: deep })).rejects.toThrow(
        /nested deeper than 64 levels/,
      );
    } finally {
      await client.close();
    }
  });
});

describe('nesting: every body of the DREDGE server', () => {
  let server: RunningDredgeServer;
  beforeAll(async () => {
    server = await startDredgeServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses POST /lift and POST /api/unified-inference nested 5,000 deep with a 400 naming the limit', async () => {
    for (const path of ['/lift', '/api/unified-inference']) {
      const answer = await server.fetchJson(path, {
        method: 'POST',
        rawBody: `{"insight_text": "x", "dredge_insight": "x", "extra": ${arrays(5_000)}}`,
        headers: { 'content-type': 'application/json' },
      });
      expect({ status: answer.status, body: answer.body }, path).toEqual({ status: 400, body: TOO_DEEP });
    }
  });

  it('lifts an insight whose text is all brackets: brackets inside strings are text', async () => {
    const answer = await server.fetchJson('/lift', {
      method: 'POST',
      body: { insight_text: '[{'.repeat(1_000) },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.lifted).toBe(true);
  });
});
