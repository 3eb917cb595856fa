/** Every answer — a route's, an error, a 404 — carries the five security headers; a route's own caching is kept. */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { errorsPlugin } from '../../../src/app/http/plugins/errors.js';
import { securityHeadersPlugin } from '../../../src/app/http/plugins/security-headers.js';
import { DredgeError } from '../../../src/services/errors.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function start(): Promise<FastifyInstance> {
  const app = Fastify();
  apps.push(app);
  await app.register(errorsPlugin, { bodyLimit: 1024 });
  await app.register(securityHeadersPlugin);
  app.get('/hello', async () => ({ hello: 'world' }));
  app.get('/asset', async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=3600').type('text/css').send('body{}'),
  );
  app.get('/raw-cached', async (_request, reply) => {
    reply.raw.setHeader('Cache-Control', 'no-cache');
    return 'ok';
  });
  app.get('/refused', async () => {
    throw new DredgeError('forbidden', 'No.');
  });
  await app.ready();
  return app;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

describe('security headers', () => {
  it('are on a route answer, with cache-control: no-store', async () => {
    const app = await start();
    const response = await app.inject({ method: 'GET', url: '/hello' });
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ ...SECURITY_HEADERS, 'cache-control': 'no-store' });
  });

  it.each([
    ['/refused', 403],
    ['/nowhere', 404],
  ])('are on error answers too (%s)', async (url, status) => {
    const app = await start();
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(status);
    expect(response.json()).toMatchObject({ success: false });
    expect(response.headers).toMatchObject({ ...SECURITY_HEADERS, 'cache-control': 'no-store' });
  });

  it("keep a route's own cache-control", async () => {
    const app = await start();
    const response = await app.inject({ method: 'GET', url: '/asset' });
    expect(response.headers).toMatchObject({ ...SECURITY_HEADERS, 'cache-control': 'public, max-age=3600' });
  });

  it('keep a cache-control set on the raw response', async () => {
    const app = await start();
    const response = await app.inject({ method: 'GET', url: '/raw-cached' });
    expect(response.headers).toMatchObject({ ...SECURITY_HEADERS, 'cache-control': 'no-cache' });
  });
});
