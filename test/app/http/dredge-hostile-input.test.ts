import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDredgeServer, type RunningDredgeServer } from '../../helpers/dredge-server.js';

/** Values of the wrong type or shape, extremes and oddities. */
const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1e308,
  '',
  '   \n\t ',
  [],
  ['text'],
  {},
  { text: 'nested' },
  'x'.repeat(65_537),
  '€'.repeat(21_846), // 21,846 characters, 65,538 bytes of UTF-8
];

/** Raw bodies that are not a well-formed request. */
const HOSTILE_BODIES: Array<[string, string]> = [
  ['empty', ''],
  ['null', 'null'],
  ['a string', '"insight"'],
  ['an array', '[{"insight_text": "x"}]'],
  ['a number', '42'],
  ['truncated JSON', '{"insight_text": "x"'],
  ['deep nesting', '{"insight_text": ' + '['.repeat(5000) + ']'.repeat(5000) + '}'],
  ['prototype poisoning', '{"__proto__": {"polluted": true}, "insight_text": "x"}'],
  ['prototype poisoning in the field', '{"insight_text": {"__proto__": {"polluted": true}}}'],
  ['constructor poisoning', '{"constructor": {"prototype": {"polluted": true}}, "insight_text": "x"}'],
  ['a lone surrogate', '{"insight_text": "half \\ud800 a pair"}'],
  ['control bytes', '\u0000\u0001\u0002'],
];

let server: RunningDredgeServer;
beforeAll(async () => {
  server = await startDredgeServer({ MAX_BODY_BYTES: String(1024 * 1024) });
});
afterAll(async () => {
  await server.close();
});

/** Every refusal has the error body and a 4xx status; nothing a client sends is a 5xx. */
function expectRefusal(response: { status: number; body: Record<string, unknown> }, status?: number) {
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  if (status !== undefined) expect(response.status).toBe(status);
  expect(response.body).toEqual({ success: false, error: expect.any(String), code: expect.any(String) });
}

describe('hostile input to POST /lift', () => {
  it.each(HOSTILE_VALUES.map((value) => [JSON.stringify(value)?.slice(0, 40), value]))(
    'refuses insight_text %s with a sentence naming the field and the limit',
    async (_name, value) => {
      const response = await server.fetchJson('/lift', { method: 'POST', body: { insight_text: value } });
      expectRefusal(response, 400);
      expect(response.body.error).toMatch(/^insight_text must be/);
      if (typeof value !== 'string' || value.trim() !== '')
        expect(response.body.error).toMatch(/65536 bytes/);
    },
  );

  it('takes exactly 64 KiB of UTF-8, and no byte more', async () => {
    const ascii = await server.fetchJson('/lift', {
      method: 'POST',
      body: { insight_text: 'a'.repeat(65_536) },
    });
    expect(ascii.status).toBe(200);
    const multibyte = await server.fetchJson('/lift', {
      method: 'POST',
      body: { insight_text: '€'.repeat(21_845) + 'a' },
    });
    expect(multibyte.status).toBe(200); // 65,536 bytes
    const over = await server.fetchJson('/lift', {
      method: 'POST',
      body: { insight_text: 'a'.repeat(65_537) },
    });
    expect(over.body.error).toBe(
      'insight_text must be a non-empty string of at most 65536 bytes (64 KiB) of UTF-8 text; it has 65537 bytes.',
    );
  });

  it.each(HOSTILE_BODIES)('refuses a body that is %s', async (_name, rawBody) => {
    const response = await server.fetchJson('/lift', {
      method: 'POST',
      rawBody,
      headers: { 'content-type': 'application/json' },
    });
    expectRefusal(response, 400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a body that is not JSON (415) and one over MAX_BODY_BYTES (413)', async () => {
    const text = await server.fetchJson('/lift', {
      method: 'POST',
      rawBody: 'insight_text=hello',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectRefusal(text, 415);
    const plain = await server.fetchJson('/lift', {
      method: 'POST',
      rawBody: 'hello',
      headers: { 'content-type': 'text/plain' },
    });
    expectRefusal(plain, 415);
    const huge = await server.fetchJson('/lift', {
      method: 'POST',
      body: { insight_text: 'x'.repeat(2 * 1024 * 1024) },
    });
    expectRefusal(huge, 413);
    expect(huge.body.error).toMatch(/1048576 bytes \(MAX_BODY_BYTES\)/);
  });
});

describe('hostile input to the insight routes', () => {
  const badQueries: Array<[string, RegExp]> = [
    ['limit=0', /^limit must be a whole number from 1 to 100$/],
    ['limit=101', /^limit must be a whole number from 1 to 100$/],
    ['limit=-1', /^limit must be a whole number from 1 to 100$/],
    ['limit=1.5', /^limit must be a whole number from 1 to 100$/],
    ['limit=1e2', /^limit must be a whole number from 1 to 100$/],
    ['limit=0x10', /^limit must be a whole number from 1 to 100$/],
    ['limit=', /^limit must be a whole number from 1 to 100$/],
    ['limit=abc', /^limit must be a whole number from 1 to 100$/],
    ['limit=1&limit=2', /^limit must be a whole number from 1 to 100$/],
    ['limit=99999999999999999999', /^limit must be a whole number from 1 to 100$/],
    ['offset=-5', /^offset must be a whole number from 0 to 1000000$/],
    ['offset=1000001', /^offset must be a whole number from 0 to 1000000$/],
    ['offset=NaN', /^offset must be a whole number from 0 to 1000000$/],
    [`q=${'q'.repeat(257)}`, /^q must be text of at most 256 characters$/],
    ['q=a&q=b', /^q must be text of at most 256 characters$/],
  ];
  it.each(badQueries)(
    'GET /insights?%s is 400 with a sentence naming the field and the bound',
    async (query, sentence) => {
      const response = await server.fetchJson(`/insights?${query}`);
      expectRefusal(response, 400);
      expect(response.body.error).toMatch(sentence);
    },
  );

  it('takes search text with LIKE wildcards, quotes and SQL literally', async () => {
    for (const q of ['%', '_', "' OR 1=1 --", '"; DROP TABLE insights; --', '\\', '💥']) {
      const response = await server.fetchJson(`/insights?q=${encodeURIComponent(q)}`);
      expect(response.status, q).toBe(200);
      expect(response.body.total, q).toBe(0);
    }
  });

  const badIds = [
    'abc',
    'a'.repeat(63),
    'a'.repeat(65),
    'g'.repeat(64),
    '%00',
    '..%2F..%2Fpackage.json',
    ' '.repeat(3),
    '-1',
  ];
  it.each(badIds)('GET and DELETE /insights/%s are 400 with a sentence', async (id) => {
    for (const method of ['GET', 'DELETE']) {
      const response = await server.fetchJson(`/insights/${id}`, { method });
      expectRefusal(response, 400);
      expect(response.body.error).toBe('id must be 64 hexadecimal digits (the SHA-256 of the insight text)');
    }
  });

  it('refuses an id past any id length and a broken URL, and answers 404 for an id it does not have', async () => {
    const long = await server.fetchJson(`/insights/${'a'.repeat(5000)}`);
    expectRefusal(long, 400);
    expect(long.body.error).toBe('A path segment is longer than 200 characters; no id of this server is.');
    expect(long.text.length).toBeLessThan(200); // the path is not echoed back
    const broken = await server.fetchJson('/insights/%E0%A4%A');
    expectRefusal(broken, 400);
    expectRefusal(await server.fetchJson(`/insights/${'0'.repeat(64)}`), 404);
    expectRefusal(await server.fetchJson(`/insights/${'0'.repeat(64)}/extra`), 404);
  });
});

describe('hostile input to the dashboard routes', () => {
  it.each([
    ['/api/models/QUASIMOTO!/fit', 400, /^id must be a model id such as quasimoto_1d_0/],
    ['/api/models/quasimoto_1d_0/fit?points=0', 400, /^points must be a whole number from 10 to 2000$/],
    ['/api/models/quasimoto_1d_0/fit?points=9', 400, /^points must be a whole number from 10 to 2000$/],
    ['/api/models/quasimoto_1d_0/fit?points=2001', 400, /^points must be a whole number from 10 to 2000$/],
    ['/api/models/quasimoto_1d_0/fit?points=ten', 400, /^points must be a whole number from 10 to 2000$/],
    [`/api/models/${'a'.repeat(65)}/fit`, 400, /^id must be/],
    ['/api/models/quasimoto_1d_12345/fit', 404, /^Model not found: quasimoto_1d_12345$/],
  ])('GET %s is %i', async (path, status, sentence) => {
    const response = await server.fetchJson(path);
    expectRefusal(response, status);
    expect(response.body.error).toMatch(sentence);
  });

  it('refuses bad unified-inference input with the operation’s sentences', async () => {
    const cases: unknown[] = [
      { quasimoto_coords: 'abc' },
      { quasimoto_coords: [null] },
      { quasimoto_coords: Array.from({ length: 10_001 }, () => 0.5) },
      { string_modes: [0] },
      { string_modes: [1.5] },
      { string_modes: Array.from({ length: 1025 }, () => 1) },
      { dredge_insight: 42 },
      { dredge_insight: 'x'.repeat(65_537) },
    ];
    for (const body of cases) {
      const response = await server.fetchJson('/api/unified-inference', { method: 'POST', body });
      expectRefusal(response, 400);
      expect(response.body.error).toMatch(/^params\./);
    }
    for (const rawBody of ['[]', '"x"', '42', '{', 'null', '{"quasimoto_coords": [1e999]}']) {
      const response = await server.fetchJson('/api/unified-inference', {
        method: 'POST',
        rawBody,
        headers: { 'content-type': 'application/json' },
      });
      if (rawBody === 'null') expect(response.status).toBe(200);
      else expectRefusal(response, 400);
    }
  });

  it('serves only the files it has under /assets/', async () => {
    for (const path of [
      '/assets/index.html',
      '/assets/..%2Fpackage.json',
      '/assets/%2e%2e%2fpackage.json',
      '/assets/.hidden.js',
      '/assets/UPLOT.ESM.JS',
      '/assets/',
    ]) {
      const response = await server.fetchJson(path);
      expectRefusal(response, 404);
    }
    expectRefusal(await server.fetchJson(`/assets/${'a'.repeat(300)}.js`), 400);
    const traversal = await fetch(`${server.url}/assets/../package.json`);
    expect(traversal.status).toBe(404); // fetch normalises it to /package.json, which is no route either
  });

  it('answers the probes and the description whatever the query string or headers say', async () => {
    for (const path of ['/', '/health', '/ready', '/metrics']) {
      const response = await server.fetchJson(`${path}?limit=-1&x=${'y'.repeat(1000)}&__proto__=1`, {
        headers: { accept: 'text/html', 'x-forwarded-for': 'nonsense', traceparent: 'not-a-traceparent' },
      });
      expect(response.status, path).toBe(200);
    }
  });

  it('ignores unknown query parameters of the summary and page, and answers unknown routes and methods with 404 JSON', async () => {
    expect((await server.fetchJson('/api/dashboard?x=1&limit=-5')).status).toBe(200);
    expect((await server.fetchJson('/dashboard?<script>=1')).status).toBe(200);
    for (const [method, path] of [
      ['GET', '/nope'],
      ['GET', '/lift'],
      ['PUT', '/lift'],
      ['DELETE', '/lift'],
      ['POST', '/dashboard'],
      ['PATCH', '/insights'],
      ['POST', '/api/dashboard'],
      ['GET', '/api/unified-inference'],
      ['GET', `/${'x'.repeat(10_000)}`],
    ] as const) {
      const response = await server.fetchJson(path, { method });
      expectRefusal(response, 404);
      expect(response.body.code).toBe('not_found');
    }
  });
});
