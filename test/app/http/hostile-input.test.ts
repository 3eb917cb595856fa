import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogue } from '../../../src/app/operations/index.js';
import { SeededRandom } from '../../../src/core/index.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';

/** Values that have broken servers before: wrong types, extremes, deep nesting, huge and odd strings. */
const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  -1,
  0,
  1e308,
  -1e308,
  2 ** 53 + 1,
  1.5,
  '',
  'abc',
  '1e309',
  'NaN',
  '💥'.repeat(1000),
  'x'.repeat(70_000),
  [],
  [null],
  ['a'],
  [[[[[[[[[[1]]]]]]]]]],
  [1e308, -1e308],
  Array.from({ length: 2000 }, (_, i) => i),
  {},
  { __proto__: { polluted: true } },
  { constructor: { prototype: { polluted: true } } },
  { x: [[1, 2], [3]] },
  { x: 'abc', t: [0] },
  { x: [0.5], t: [1, 2, 3] },
];

/** Raw bodies that are not a well-formed request at all. */
const HOSTILE_BODIES = [
  '',
  'null',
  '"operation"',
  '[]',
  '[{"operation": "list_capabilities"}]',
  '{"operation": null}',
  '{"operation": ["inference"]}',
  '{"operation": "inference", "params": "x"}',
  '{"operation": "inference", "params": [1, 2]}',
  '{"operation": "' + 'a'.repeat(10_000) + '"}',
  '{"operation": "load_model", "params": {"model_type": "string_theory", "config": {"hidden_size": 1e9}}}',
  '{',
  '{"a": ' + '['.repeat(5000) + ']'.repeat(5000) + '}',
  '{"operation": "unified_inference", "params": {"quasimoto_coords": [1e999]}}',
  '\u0000\u0001\u0002',
  '{"__proto__": {"polluted": true}, "operation": "list_capabilities"}',
  '{"constructor": {"prototype": {"polluted": true}}, "operation": "list_capabilities"}',
];

describe('hostile input to POST /mcp', () => {
  let server: RunningMcpServer;
  let github: Server;
  beforeAll(async () => {
    // The Dependabot operations need a GitHub to talk to (without one they answer 503, rightly): a local one
    // that knows no repository.
    github = createServer((_request, response) => response.writeHead(404).end('{"message": "Not Found"}'));
    await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
    const githubUrl = `http://127.0.0.1:${(github.address() as AddressInfo).port}`;
    server = await startMcpServer({
      MAX_BODY_BYTES: '1048576',
      GITHUB_TOKEN: 'test-token',
      GITHUB_API_URL: githubUrl,
    });
    await server.call('load_model', { model_type: 'quasimoto_1d', config: { seed: 1 } });
    await server.call('load_model', {
      model_type: 'string_theory',
      config: { dimensions: 2, hidden_size: 2, seed: 1 },
    });
  });
  afterAll(async () => {
    await server.close();
    github.closeAllConnections();
    await new Promise((resolve) => github.close(resolve));
  });

  it('answers at least 1,000 malformed requests without a single 5xx, each with a JSON error body', async () => {
    const random = new SeededRandom(2026);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random.uniform() * items.length)] as T;
    const operations = createCatalogue().names;
    const fieldNames = [
      'model_id',
      'model_type',
      'inputs',
      'config',
      'max_modes',
      'dimensions',
      'energy_scale',
      'coupling_constant',
      'dredge_insight',
      'quasimoto_coords',
      'string_modes',
      'alert_id',
      'state',
      'dismissed_reason',
      'repo_owner',
      'repo_name',
      'epochs',
      'lr',
      'clip',
      'seed',
      'dataset',
      'data',
      'trace_id',
      'limit',
    ];
    const bodies: string[] = [...HOSTILE_BODIES];
    while (bodies.length < 1200) {
      const params: Record<string, unknown> = {};
      const fields = 1 + Math.floor(random.uniform() * 4);
      for (let i = 0; i < fields; i++) params[pick(fieldNames)] = pick(HOSTILE_VALUES);
      if (random.uniform() < 0.3) params.model_id = pick(['quasimoto_1d_0', 'string_theory_0']);
      const operation = random.uniform() < 0.95 ? pick(operations) : pick(HOSTILE_VALUES);
      bodies.push(JSON.stringify({ operation, params }));
    }
    const statuses = new Map<number, number>();
    for (const body of bodies) {
      const response = await fetch(`${server.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const text = await response.text();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      expect(response.status, `${body.slice(0, 200)} → ${text.slice(0, 200)}`).toBeLessThan(500);
      const parsed = JSON.parse(text) as {
        success?: boolean;
        jsonrpc?: string;
        error?: string | { code: number; message: string };
      };
      if (body.trimStart().startsWith('[')) {
        // An array is a JSON-RPC batch for the one endpoint: MCP answers it with a JSON-RPC error.
        expect(parsed.jsonrpc, text.slice(0, 200)).toBe('2.0');
        expect(typeof (parsed.error as { message?: unknown }).message).toBe('string');
      } else if (!parsed.success) {
        expect(typeof parsed.error).toBe('string');
        expect(parsed.error).not.toMatch(/at \w+ \(|TypeError|ReferenceError|node_modules/);
      }
    }
    expect(bodies.length).toBeGreaterThanOrEqual(1000);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(500);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Still healthy, and still right.
    expect((await server.call('string_spectrum', { max_modes: 3 })).body.energy_spectrum).toEqual([
      0.5, 1, 1.5,
    ]);
  }, 120_000);
});
