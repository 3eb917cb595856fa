import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCT } from '../../../src/app/product.js';
import { startDredgeServer, type RunningDredgeServer } from '../../helpers/dredge-server.js';
import { describeWithRedis } from '../../helpers/describe-with-redis.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

let server: RunningDredgeServer;
beforeAll(async () => {
  server = await startDredgeServer();
});
afterAll(async () => {
  await server.close();
});

const lift = (body: unknown) => server.fetchJson('/lift', { method: 'POST', body });

describe("the original's contract (REFERENCE.md: DREDGE server, port 3001)", () => {
  // The recorded transcripts (golden/http_transcripts.json) hold only the MCP server's exchanges; these pin the
  // DREDGE server's documented ones field by field.
  it('GET / answers name, version, description and endpoints', async () => {
    const { status, body } = await server.fetchJson('/');
    expect(status).toBe(200);
    expect(body).toEqual({
      name: 'DREDGE x Dolly',
      version: PRODUCT.version,
      description: expect.any(String),
      endpoints: expect.objectContaining({
        'POST /lift': expect.any(String),
        'GET /health': expect.any(String),
      }),
    });
  });

  it('GET /health answers {status: "healthy", version}', async () => {
    expect((await server.fetchJson('/health')).body).toEqual({ status: 'healthy', version: PRODUCT.version });
  });

  it('POST /lift answers {id: sha256 hex of the text, text, lifted: true, message}', async () => {
    const text = 'Digital memory must be human-reachable';
    const { status, body } = await lift({ insight_text: text });
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: sha256(text), text, lifted: true, message: expect.any(String) });
  });

  it('POST /lift without insight_text is 400 {error: "Missing required field: insight_text"}', async () => {
    for (const response of [
      await lift({}),
      await lift({ other: 'field' }),
      await server.fetchJson('/lift', { method: 'POST' }),
    ]) {
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        success: false,
        error: 'Missing required field: insight_text',
        code: 'invalid_input',
      });
    }
  });

  it('GET /quasimoto-gpu answers an HTML page', async () => {
    const page = await server.fetchJson('/quasimoto-gpu');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toMatch(/<title>DREDGE dashboard<\/title>/);
  });
});

describe('insights', () => {
  it('keeps one record when the same text is lifted twice, and ids hash the UTF-8 text', async () => {
    const text = `Ünïcödé ✓ 💥 ${Date.now()}`;
    const first = await lift({ insight_text: text });
    const second = await lift({ insight_text: text, extra: 'ignored' });
    expect(first.body).toMatchObject({ id: sha256(text), new: true });
    expect(second.body).toMatchObject({ id: sha256(text), new: false, created_at: first.body.created_at });
    const found = await server.fetchJson(`/insights?q=${encodeURIComponent(text)}`);
    expect(found.body).toMatchObject({ total: 1, insights: [{ id: sha256(text), text }] });
  });

  it('lists newest first, a page at a time, and searches text case-insensitively', async () => {
    const own = await startDredgeServer();
    try {
      for (let i = 0; i < 25; i++) {
        await own.fetchJson('/lift', {
          method: 'POST',
          body: { insight_text: `Insight number ${i}${i % 5 === 0 ? ' RESONANCE' : ''}` },
        });
        await new Promise((wake) => setTimeout(wake, 2)); // distinct creation times, so the order is defined
      }
      const first = await own.fetchJson('/insights?limit=10');
      expect(first.body).toMatchObject({ success: true, total: 25, offset: 0, limit: 10 });
      const texts = (first.body.insights as Array<{ text: string }>).map((insight) => insight.text);
      expect(texts[0]).toBe('Insight number 24');
      expect(texts).toHaveLength(10);
      const last = await own.fetchJson('/insights?offset=20&limit=10');
      expect((last.body.insights as unknown[]).length).toBe(5);
      expect((await own.fetchJson('/insights?offset=1000000')).body).toMatchObject({
        insights: [],
        total: 25,
      });
      const search = await own.fetchJson('/insights?q=resonance&limit=100');
      expect(search.body).toMatchObject({ total: 5, q: 'resonance' });
      expect((await own.fetchJson('/insights')).body.limit).toBe(20);
    } finally {
      await own.close();
    }
  });

  it('reads and deletes one by id (any case of hex), and answers 404 for an id it does not have', async () => {
    const text = `to delete ${Date.now()}`;
    const id = sha256(text);
    await lift({ insight_text: text });
    const read = await server.fetchJson(`/insights/${id.toUpperCase()}`);
    expect(read.body).toEqual({ success: true, id, text, created_at: expect.any(String) });
    expect((await server.fetchJson(`/insights/${id}`, { method: 'DELETE' })).body).toEqual({
      success: true,
      id,
      deleted: true,
    });
    for (const method of ['GET', 'DELETE']) {
      const gone = await server.fetchJson(`/insights/${id}`, { method });
      expect(gone.status).toBe(404);
      expect(gone.body).toEqual({ success: false, error: `No insight has id ${id}.`, code: 'not_found' });
    }
  });

  it('answers 413 naming MAX_INSIGHTS when the store is full, still answers a kept text, and has room after a delete', async () => {
    const own = await startDredgeServer({ MAX_INSIGHTS: '2' });
    try {
      const lift = (text: string) => own.fetchJson('/lift', { method: 'POST', body: { insight_text: text } });
      expect((await lift('one')).status).toBe(200);
      expect((await lift('two')).status).toBe(200);
      expect(await lift('three')).toMatchObject({
        status: 413,
        body: {
          success: false,
          code: 'too_large',
          error: 'The insight store is full (2 insights, MAX_INSIGHTS): delete an insight first.',
        },
      });
      expect(await lift('two')).toMatchObject({ status: 200, body: { new: false } });
      expect((await own.fetchJson(`/insights/${sha256('one')}`, { method: 'DELETE' })).status).toBe(200);
      expect(await lift('three')).toMatchObject({ status: 200, body: { new: true } });
    } finally {
      await own.close();
    }
  });

  it('survives a restart: the insight is in the store, not the process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dredge-insights-'));
    const before = await startDredgeServer({}, {}, dir);
    await before.fetchJson('/lift', { method: 'POST', body: { insight_text: 'kept across restarts' } });
    await before.close();
    const after = await startDredgeServer({}, {}, dir);
    try {
      const read = await after.fetchJson(`/insights/${sha256('kept across restarts')}`);
      expect(read.body.text).toBe('kept across restarts');
    } finally {
      await after.close();
    }
  });
});

describe('health, readiness and metrics', () => {
  it('is ready when its store and cache answer', async () => {
    const { status, body } = await server.fetchJson('/ready');
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ready', checks: { store: { ok: true }, cache: { ok: true } } });
  });

  it('serves Prometheus metrics with its own routes as templates', async () => {
    await lift({ insight_text: 'measured' });
    await server.fetchJson(`/insights/${sha256('measured')}`);
    const metrics = await server.fetchJson('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(
      /dredge_http_requests_total\{route="\/lift",method="POST",status="200"\} \d+/,
    );
    expect(metrics.text).toContain('route="/insights/:id"');
    expect(metrics.text).not.toContain(sha256('measured'));
  });
});

describeWithRedis('insights in Redis (STORE_BACKEND=redis)', (redis) => {
  let shared: RunningDredgeServer;
  beforeAll(async () => {
    shared = await startDredgeServer({
      STORE_BACKEND: 'redis',
      REDIS_URL: redis().url,
      CACHE_BACKEND: 'memory',
    });
  });
  afterAll(async () => {
    await shared?.close();
  });

  it('lifts, lists, reads and deletes as on SQLite, and a second replica sees the same insights', async () => {
    const replica = await startDredgeServer({ STORE_BACKEND: 'redis', REDIS_URL: redis().url });
    try {
      const text = 'shared between replicas';
      const lifted = await shared.fetchJson('/lift', { method: 'POST', body: { insight_text: text } });
      expect(lifted.body).toMatchObject({ id: sha256(text), lifted: true, new: true });
      const again = await replica.fetchJson('/lift', { method: 'POST', body: { insight_text: text } });
      expect(again.body).toMatchObject({ new: false });
      expect((await replica.fetchJson('/insights')).body).toMatchObject({ total: 1 });
      expect((await replica.fetchJson(`/insights/${sha256(text)}`, { method: 'DELETE' })).status).toBe(200);
      expect((await shared.fetchJson(`/insights/${sha256(text)}`)).status).toBe(404);
    } finally {
      await replica.close();
    }
  });

  it('answers 503 with a sentence while Redis is away, and works again when it is back', async () => {
    await redis().kill();
    try {
      const away = await shared.fetchJson('/lift', { method: 'POST', body: { insight_text: 'while away' } });
      expect(away.status).toBe(503);
      expect(away.body).toEqual({
        success: false,
        error: 'The insight store is unavailable; try again shortly.',
        code: 'unavailable',
      });
      expect((await shared.fetchJson('/insights')).status).toBe(503);
    } finally {
      await redis().start();
    }
    await expect
      .poll(
        async () =>
          (await shared.fetchJson('/lift', { method: 'POST', body: { insight_text: 'back' } })).status,
        {
          timeout: 10_000,
        },
      )
      .toBe(200);
  });
});
