/**
 * Every door of the two DREDGE servers as a request generator: the JSON API (`POST /mcp`), the Model Context
 * Protocol (`POST /mcp` and its alias `/mcp/protocol`, single and batch JSON-RPC bodies), `/tasks`, the DREDGE server's `/lift`,
 * `/insights`, dashboard page, files and API, the shared endpoints (`/`, `/health`, `/ready`, `/metrics`,
 * `/traces`), unknown routes and methods, and malformed HTTP sent over a raw socket. Each request also draws its
 * identity (tenant A's key, tenant B's key, no key, a broken key), its content type, its Host and Origin.
 */
import { contentType, envelope, hostHeaders, identity, JSON_TYPE } from './dressing.js';
import { deepNesting, POLLUTING_KEYS, weirdValue } from './generators.js';
import { someId, type IdPool } from './ids.js';
import { paramsText } from './params.js';
import { raw } from './raw-requests.js';
import type { DoorContext, FuzzRequest } from './request.js';
import type { Rng } from './rng.js';

/** The operation named: mostly real, sometimes one that is not. */
function operationName(rng: Rng, ctx: DoorContext): unknown {
  if (rng.chance(0.92)) return rng.pick(ctx.operations);
  return rng.pick<unknown>([
    '',
    'LIST_MODELS',
    'list_models ',
    '__proto__',
    'constructor',
    'x'.repeat(500),
    42,
    null,
    ['list_models'],
    { name: 'x' },
  ]);
}

type Draft = Omit<FuzzRequest, 'who' | 'headers'> & {
  headers?: Record<string, string | string[]>;
  json?: boolean;
};

/** `POST /mcp {operation, params}`: every operation, valid, at its bounds, mutated, nested. */
function jsonApi(rng: Rng, ctx: DoorContext, ids: IdPool): Draft {
  const name = operationName(rng, ctx);
  const params = typeof name === 'string' ? paramsText(rng, name, ids) : '{}';
  const shape = rng.int(0, 9);
  const body =
    shape === 0
      ? `{"operation":${JSON.stringify(name)}}`
      : shape === 1
        ? `{"operation":${JSON.stringify(name)},"params":${JSON.stringify(weirdValue(rng))}}`
        : shape === 2
          ? `{"operation":${JSON.stringify(name)},"params":${params},"${rng.pick(POLLUTING_KEYS)}":{"x":1}}`
          : `{"operation":${JSON.stringify(name)},"params":${params}}`;
  return {
    door: `POST /mcp ${typeof name === 'string' ? name.slice(0, 30) : 'bad name'}`,
    server: 'mcp',
    method: 'POST',
    path: '/mcp',
    body,
    json: true,
  };
}

/** One JSON-RPC message of the MCP protocol, as text. */
function rpcMessage(rng: Rng, ctx: DoorContext, ids: IdPool, id: number): string {
  const idText = rng.chance(0.9)
    ? String(id)
    : JSON.stringify(rng.pick<unknown>(['x', null, { a: 1 }, 1e300, -1, [1]]));
  const method = rng.weighted<string>([
    [2, 'initialize'],
    [2, 'tools/list'],
    [6, 'tools/call'],
    [1, 'resources/list'],
    [2, 'resources/read'],
    [1, 'ping'],
    [1, 'prompts/list'],
    [1, 'notifications/initialized'],
    [1, 'bogus/method'],
    [1, 'broken'],
  ]);
  switch (method) {
    case 'initialize': {
      const version = rng.pick(['2025-06-18', '2025-03-26', '2024-11-05', '1999-01-01', '', 'x'.repeat(300)]);
      return `{"jsonrpc":"2.0","id":${idText},"method":"initialize","params":{"protocolVersion":${JSON.stringify(version)},"capabilities":${rng.chance(0.8) ? '{}' : JSON.stringify(weirdValue(rng))},"clientInfo":{"name":"fuzz","version":"1"}}}`;
    }
    case 'tools/call': {
      const name = operationName(rng, ctx);
      const args = typeof name === 'string' ? paramsText(rng, name, ids) : '{}';
      return `{"jsonrpc":"2.0","id":${idText},"method":"tools/call","params":{"name":${JSON.stringify(name)},"arguments":${args}${rng.chance(0.1) ? ',"_meta":{"progressToken":"p1"}' : ''}}}`;
    }
    case 'resources/read': {
      const uri = rng.pick<unknown>([
        'dredge://models',
        'dredge://metrics',
        'dredge://cache-stats',
        'dredge://nope',
        'file:///etc/passwd',
        '',
        42,
        'dredge://' + 'm'.repeat(1000),
      ]);
      return `{"jsonrpc":"2.0","id":${idText},"method":"resources/read","params":{"uri":${JSON.stringify(uri)}}}`;
    }
    case 'notifications/initialized':
      return '{"jsonrpc":"2.0","method":"notifications/initialized"}';
    case 'broken':
      return rng.pick([
        '{"jsonrpc":"1.0","id":1,"method":"ping"}',
        '{"id":1,"method":"ping"}',
        '{"jsonrpc":"2.0","id":1}',
        '{"jsonrpc":"2.0","id":1,"method":42}',
        '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":"nope"}',
        '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"inference","arguments":[1,2]}}',
        `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"unified_inference","arguments":{"dredge_insight":${deepNesting(rng)}}}}`,
        '{"jsonrpc":"2.0","result":{},"id":1}',
        '42',
        '[]',
      ]);
    default:
      return `{"jsonrpc":"2.0","id":${idText},"method":${JSON.stringify(method)}${rng.chance(0.5) ? ',"params":{}' : ''}}`;
  }
}

/** `POST /mcp` (or its alias): one message or a batch, with the Accept header the transport wants (mostly). */
function protocol(rng: Rng, ctx: DoorContext, ids: IdPool): Draft {
  const path = rng.chance(0.8) ? '/mcp' : '/mcp/protocol';
  const batch = rng.chance(0.3);
  let body = batch
    ? `[${Array.from({ length: rng.pick([0, 1, 2, 3, 5, 40]) }, (_, i) => rpcMessage(rng, ctx, ids, i + 1)).join(',')}]`
    : rpcMessage(rng, ctx, ids, 1);
  const accept = rng.chance(0.85)
    ? 'application/json, text/event-stream'
    : rng.pick(['application/json', 'text/event-stream', '*/*', 'text/html', '']);
  const headers: Record<string, string> = { accept };
  if (rng.chance(0.2)) headers['mcp-protocol-version'] = rng.pick(['2025-06-18', '2025-03-26', 'bogus', '']);
  const modern = !batch && rng.chance(0.4) ? asModern(rng, body) : undefined;
  if (modern) {
    body = modern.body;
    Object.assign(headers, modern.headers);
  }
  if (rng.chance(0.05)) headers['mcp-session-id'] = rng.pick(['abc', 'x'.repeat(500)]);
  if (rng.chance(0.05)) {
    const method = rng.pick(['GET', 'DELETE', 'PUT']);
    return { door: `${method} ${path}`, server: 'mcp', method, path, headers };
  }
  return {
    door: `POST ${path} ${batch ? 'batch' : 'single'}`,
    server: 'mcp',
    method: 'POST',
    path,
    body,
    headers,
    json: true,
  };
}

/**
 * A message as a 2026-07-28 client sends it: the protocol version, client and capabilities (now and then the Tasks
 * extension) in its `_meta`, and the standard headers mirroring it (now and then wrongly). Undefined for a text
 * that is no JSON-RPC request to reframe.
 */
function asModern(rng: Rng, text: string): { body: string; headers: Record<string, string> } | undefined {
  try {
    const message = JSON.parse(text) as unknown;
    if (!isObject(message) || typeof message.method !== 'string') return undefined;
    const params = isObject(message.params) ? message.params : {};
    const version = rng.pick(['2026-07-28', '2026-07-28', '2025-11-25', 'bogus']);
    const meta = {
      'io.modelcontextprotocol/protocolVersion': version,
      'io.modelcontextprotocol/clientInfo': { name: 'fuzz', version: '1' },
      'io.modelcontextprotocol/clientCapabilities': rng.chance(0.3)
        ? { extensions: { 'io.modelcontextprotocol/tasks': {} } }
        : {},
    };
    const headers: Record<string, string> = {
      'mcp-protocol-version': rng.chance(0.9) ? version : '2026-07-28',
      'mcp-method': rng.chance(0.9) ? message.method : 'tools/list',
    };
    const name = params.name ?? params.uri;
    // Header values are what fetch can send: printable ASCII.
    if (typeof name === 'string' && /^[\x20-\x7e]{0,200}$/.test(name) && rng.chance(0.9))
      headers['mcp-name'] = name;
    return { body: JSON.stringify({ ...message, params: { ...params, _meta: meta } }), headers };
  } catch {
    // Nested too deep for JSON.parse or JSON.stringify: sent as it was.
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const encodeSegment = (rng: Rng, id: string): string =>
  rng.chance(0.8) ? encodeURIComponent(id) : id.replace(/[\s?#]/g, '_');

/** `/tasks`: queue (with nesting inside the task's params), read, cancel, statistics. */
function tasks(rng: Rng, ctx: DoorContext, ids: IdPool): Draft {
  const kind = rng.int(0, 5);
  if (kind <= 1) {
    return {
      door: 'POST /tasks',
      server: 'mcp',
      method: 'POST',
      path: '/tasks',
      body: paramsText(rng, 'submit_task', ids),
      json: true,
    };
  }
  if (kind === 2) return { door: 'GET /tasks', server: 'mcp', method: 'GET', path: '/tasks' };
  const method = kind === 5 ? 'DELETE' : 'GET';
  const id = encodeSegment(rng, someId(rng, ids, 'tasks', method === 'DELETE'));
  return { door: `${method} /tasks/:id`, server: 'mcp', method, path: `/tasks/${id}` };
}

/** The MCP server's own GET routes, wrong methods and unknown paths. */
function mcpMisc(rng: Rng): Draft {
  const [method, path] = rng.pick<[string, string]>([
    ['GET', '/'],
    ['GET', '/health'],
    ['GET', '/ready'],
    ['GET', '/metrics'],
    ['GET', '/traces'],
    ['GET', '/traces?limit=5'],
    ['GET', `/traces?limit=${rng.pick(['0', '-1', 'NaN', '1e9', '10001', '1.5', ''])}`],
    ['GET', `/traces?trace_id=${rng.pick(['0'.repeat(32), 'Z'.repeat(32), '%00', 'x'.repeat(500)])}`],
    ['GET', '/traces?limit=1&limit=2'],
    ['GET', '/mcp'],
    ['PUT', '/mcp'],
    ['PATCH', '/tasks'],
    ['OPTIONS', '/mcp'],
    ['HEAD', '/health'],
    ['GET', '/nope'],
    ['GET', `/${'a'.repeat(rng.pick([10, 5_000]))}`],
    ['GET', '/%'],
    ['GET', '/..%2f..%2fetc%2fpasswd'],
    ['GET', '/health?__proto__[x]=1'],
    ['POST', '/health'],
  ]);
  return { door: `${method} ${path.split('?')[0]!.slice(0, 40)} (mcp)`, server: 'mcp', method, path };
}

/** `POST /lift`: insight text valid, at the 64 KiB bound, odd, nested. */
function lift(rng: Rng): Draft {
  const text = rng.weighted<() => string>([
    [5, () => JSON.stringify({ insight_text: `fuzz insight ${rng.text(12)}` })],
    [1, () => JSON.stringify({ insight_text: 'é'.repeat(rng.pick([32_767, 32_768, 32_769])) })],
    [1, () => JSON.stringify({ insight_text: weirdValue(rng) })],
    [1, () => JSON.stringify({ insight_text: rng.pick(['\ud800', ' ', '', '\u0000x']) })],
    [1, () => `{"insight_text":${deepNesting(rng)}}`],
    [1, () => JSON.stringify(weirdValue(rng)) ?? 'null'],
  ])();
  return { door: 'POST /lift', server: 'dredge', method: 'POST', path: '/lift', body: text, json: true };
}

/** `/insights`: list (pages, search), one, delete: by the caller's ids, another tenant's, strangers. */
function insights(rng: Rng, ids: IdPool): Draft {
  const kind = rng.int(0, 4);
  if (kind <= 1) {
    const query = rng.pick([
      '',
      `?limit=${rng.pick(['1', '100', '101', '0', '-1', 'NaN', '1e3', ''])}`,
      `?offset=${rng.pick(['0', '1000000', '1000001', '-5', 'x'])}`,
      `?q=${encodeURIComponent(rng.pick(['fuzz', 'FZMARK', '%', '_', "'", '"', '\\', 'é', 'x'.repeat(257), '*']))}`,
      '?q=a&q=b',
      '?limit[]=1',
      '?__proto__=1&constructor=2',
    ]);
    return { door: 'GET /insights', server: 'dredge', method: 'GET', path: `/insights${query}` };
  }
  const method = kind === 4 ? 'DELETE' : 'GET';
  const id = encodeSegment(rng, someId(rng, ids, 'insights', method === 'DELETE'));
  return { door: `${method} /insights/:id`, server: 'dredge', method, path: `/insights/${id}` };
}

/** The dashboard's page and its files, including names that are not files. */
function dashboard(rng: Rng, ctx: DoorContext): Draft {
  const path = rng.pick([
    '/dashboard',
    '/quasimoto-gpu',
    `/assets/${rng.pick(ctx.assets)}`,
    `/assets/${rng.pick(ctx.assets)}`,
    '/assets/..%2f..%2fpackage.json',
    '/assets/%2e%2e',
    '/assets/uPlot.min.js',
    `/assets/${'x'.repeat(rng.pick([150, 250]))}`,
    '/assets/',
    '/dashboard/',
    '/dashboard?x=<script>',
  ]);
  const headers: Record<string, string> = rng.chance(0.2)
    ? { 'if-none-match': rng.pick(['"x"', '*', 'W/"1"', '"'.repeat(100)]) }
    : {};
  return {
    door: `GET ${path.startsWith('/assets/') ? '/assets/:name' : path.split('?')[0]}`,
    server: 'dredge',
    method: 'GET',
    path,
    headers,
  };
}

/** The dashboard's API: live figures, a model's fit, the unified-field form. */
function dashboardApi(rng: Rng, ids: IdPool): Draft {
  const kind = rng.int(0, 3);
  if (kind === 0)
    return { door: 'GET /api/dashboard', server: 'dredge', method: 'GET', path: '/api/dashboard' };
  if (kind === 1) {
    const id = encodeSegment(rng, someId(rng, ids, 'models'));
    const points = rng.pick([
      '',
      '?points=10',
      '?points=200',
      '?points=2000',
      '?points=2001',
      '?points=9',
      '?points=NaN',
      '?points=1e3',
      '?points=-1',
      '?points=50&points=60',
    ]);
    return {
      door: 'GET /api/models/:id/fit',
      server: 'dredge',
      method: 'GET',
      path: `/api/models/${id}/fit${points}`,
    };
  }
  return {
    door: 'POST /api/unified-inference',
    server: 'dredge',
    method: 'POST',
    path: '/api/unified-inference',
    body: paramsText(rng, 'unified_inference', ids),
    json: true,
  };
}

/** The DREDGE server's shared endpoints, wrong methods and unknown paths. */
function dredgeMisc(rng: Rng): Draft {
  const [method, path] = rng.pick<[string, string]>([
    ['GET', '/'],
    ['GET', '/health'],
    ['GET', '/ready'],
    ['GET', '/metrics'],
    ['GET', '/traces?limit=3'],
    ['GET', '/lift'],
    ['PUT', '/insights'],
    ['POST', '/insights'],
    ['GET', '/mcp'],
    ['GET', '/api'],
    ['GET', '/api/models//fit'],
    ['DELETE', '/'],
    ['GET', '/%c0%af'],
  ]);
  return { door: `${method} ${path.split('?')[0]} (dredge)`, server: 'dredge', method, path };
}

/** The doors and how often each is tried. */
const DOORS: readonly (readonly [number, (rng: Rng, ctx: DoorContext, ids: IdPool) => Draft | 'raw'])[] = [
  [26, jsonApi],
  [16, protocol],
  [10, tasks],
  [5, mcpMisc],
  [8, lift],
  [9, (rng, _ctx, ids) => insights(rng, ids)],
  [4, dashboard],
  [8, (rng, _ctx, ids) => dashboardApi(rng, ids)],
  [4, dredgeMisc],
  [6, () => 'raw'],
];

/** Request `index` of the run: a pure function of its random source and the context. */
export function generateRequest(rng: Rng, ctx: DoorContext): FuzzRequest {
  const { who, headers: authHeaders } = identity(rng, ctx.keys);
  const ids = who === 'A' ? ctx.idsA : ctx.idsB;
  const door = rng.weighted(DOORS)(rng, ctx, ids);
  if (door === 'raw') {
    const key = who === 'A' ? ctx.keys.A : who === 'B' ? ctx.keys.B : undefined;
    return raw(
      rng,
      ctx,
      who === 'A' || who === 'B' ? who : 'none',
      key ? `Authorization: Bearer ${key}\r\n` : '',
    );
  }
  const headers: Record<string, string | string[]> = {
    ...hostHeaders(rng, ctx.hosts[door.server]),
    ...authHeaders,
    ...door.headers,
  };
  let body = door.body;
  if (body !== undefined && door.json) {
    const type = contentType(rng);
    if (type !== undefined) headers['content-type'] = type;
    body = envelope(rng, typeof body === 'string' ? body : body.toString());
  } else if (body === undefined && rng.chance(0.03)) {
    // A body where none is expected, framed by its length: node:http sends a GET's or DELETE's body unframed,
    // which the server would read as the start of the next request.
    body = '{"unexpected":true}';
    headers['content-type'] = JSON_TYPE;
    headers['content-length'] = String(body.length);
  }
  const { json: _json, ...rest } = door;
  return { ...rest, who, headers, ...(body === undefined ? {} : { body }) };
}
