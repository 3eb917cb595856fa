import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_KINDS, stdioClient, type ProtocolClient } from '../../helpers/mcp-clients.js';

/** Arrays inside arrays, `depth` levels deep (built as values: the client serializes them). */
function arrays(depth: number): unknown[] {
  const outer: unknown[] = [];
  let inner = outer;
  for (let level = 1; level < depth; level++) {
    const next: unknown[] = [];
    inner.push(next);
    inner = next;
  }
  return outer;
}

// Over stdio the SDK parses each message before DREDGE sees it, so the check is on the parsed arguments: the
// arguments object is level 1, so `extra` may hold 63 levels.
describe.each(CLIENT_KINDS)(
  'nesting: the Model Context Protocol over stdio (dredge mcp --stdio, the %s SDK client)',
  (kind) => {
    let client: ProtocolClient;
    beforeAll(async () => {
      client = await stdioClient(kind);
    });
    afterAll(async () => {
      await client.close();
    });

    it('runs a tool whose arguments nest 64 levels', async () => {
      const result = await client.callTool('unified_inference', {
        dredge_insight: 'deep',
        extra: arrays(63),
      });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ success: true, dredge_insight: 'deep' });
    });

    it('refuses arguments nested 65 levels, and 2,000, as invalid params naming the limit', async () => {
      for (const depth of [64, 2_000]) {
        const call = client.callTool('submit_task', {
          operation: 'unified_inference',
          params: { extra: arrays(depth) },
        });
        await expect(call).rejects.toMatchObject({
          code: -32602,
          message: expect.stringContaining(
            'The tool’s input is nested deeper than 64 levels (the most JSON input may nest).',
          ) as string,
        });
      }
      // The server is still there.
      const listed = await client.listTools();
      expect(listed.tools.length).toBeGreaterThan(10);
    });
  },
);
