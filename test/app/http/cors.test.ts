/**
 * CORS_ORIGINS: pages on a listed origin may call the server from a browser (preflight answered, their origin
 * allowed); any other origin gets no CORS at all. With no origins, nothing is registered.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { corsPlugin } from '../../../src/app/http/plugins/cors.js';
import { errorsPlugin } from '../../../src/app/http/plugins/errors.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function start(origins: readonly string[]): Promise<FastifyInstance> {
  const app = Fastify();
  apps.push(app);
  await app.register(errorsPlugin, { bodyLimit: 1024 });
  await app.register(corsPlugin, { origins });
  app.get('/hello', async () => ({ hello: 'world' }));
  app.post('/mcp', async () => ({ success: true }));
  await app.ready();
  return app;
}

const APP_ORIGIN = 'https://app.example.com';

function preflight(app: FastifyInstance, origin: string) {
  return app.inject({
    method: 'OPTIONS',
    url: '/mcp',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, authorization, mcp-protocol-version',
    },
  });
}

describe('CORS with origins configured', () => {
  it('answers a preflight from a listed origin', async () => {
    const app = await start([APP_ORIGIN, 'http://localhost:5173']);
    const response = await preflight(app, APP_ORIGIN);
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    expect(response.headers['access-control-allow-methods']).toBe('GET, POST, DELETE');
    expect(response.headers['access-control-allow-headers']).toBe(
      'authorization, x-api-key, content-type, mcp-session-id, mcp-protocol-version, traceparent',
    );
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    expect(response.headers.vary).toContain('Origin');
    expect((await preflight(app, 'http://localhost:5173')).statusCode).toBe(204);
  });

  it('lets a listed origin read answers', async () => {
    const app = await start([APP_ORIGIN]);
    const response = await app.inject({ method: 'GET', url: '/hello', headers: { origin: APP_ORIGIN } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('matches a configured origin written in capitals or with a trailing slash', async () => {
    const app = await start(['HTTPS://App.Example.com/']);
    expect((await preflight(app, APP_ORIGIN)).statusCode).toBe(204);
  });

  it.each(['https://evil.example', 'http://app.example.com', 'https://app.example.com:8443', 'null'])(
    'does not answer a preflight from %s',
    async (origin) => {
      const app = await start([APP_ORIGIN]);
      const response = await preflight(app, origin);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ success: false, code: 'not_found' });
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
      expect(response.headers['access-control-allow-methods']).toBeUndefined();
    },
  );

  it('gives an unlisted origin no Access-Control-Allow-Origin', async () => {
    const app = await start([APP_ORIGIN]);
    const response = await app.inject({
      method: 'GET',
      url: '/hello',
      headers: { origin: 'https://evil.example' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS with no origins', () => {
  it('registers nothing: no CORS headers, no OPTIONS route', async () => {
    const app = await start([]);
    const response = await preflight(app, APP_ORIGIN);
    expect(response.statusCode).toBe(404);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    const get = await app.inject({ method: 'GET', url: '/hello', headers: { origin: APP_ORIGIN } });
    expect(get.statusCode).toBe(200);
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
    expect(get.headers.vary).toBeUndefined();
    expect(app.printPlugins()).not.toContain('@fastify/cors');
    expect(app.printRoutes()).not.toContain('OPTIONS');
  });
});
