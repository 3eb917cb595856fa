/**
 * ALLOWED_HOSTS: a request whose Host header, or whose Origin header, names a host outside the list gets 403
 * (DNS rebinding; the MCP specification's Origin check). An empty list lets every host through.
 */
import { connect, type AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { errorsPlugin } from '../../../src/app/http/plugins/errors.js';
import { hostGuardPlugin } from '../../../src/app/http/plugins/host-guard.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function start(allowedHosts: readonly string[]): Promise<FastifyInstance> {
  const app = Fastify();
  apps.push(app);
  await app.register(errorsPlugin, { bodyLimit: 1024 });
  await app.register(hostGuardPlugin, { allowedHosts });
  app.get('/hello', async () => ({ hello: 'world' }));
  app.post('/work', async () => ({ success: true }));
  await app.ready();
  return app;
}

const DEFAULT_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

async function get(app: FastifyInstance, headers: Record<string, string>) {
  const response = await app.inject({ method: 'GET', url: '/hello', headers });
  return { status: response.statusCode, body: response.json() as Record<string, unknown> };
}

describe('Host header', () => {
  it.each([
    'localhost',
    'localhost:8080',
    'LOCALHOST:8080',
    'LocalHost',
    '127.0.0.1:3000',
    '127.0.0.1',
    '[::1]',
    '[::1]:8080',
  ])('answers for Host %s', async (host) => {
    const app = await start(DEFAULT_HOSTS);
    const answer = await get(app, { host });
    expect(answer).toEqual({ status: 200, body: { hello: 'world' } });
  });

  it.each([
    'evil.example',
    'evil.example:8080',
    'localhost.evil.example',
    '127.0.0.2:8080',
    '[::2]:8080',
    '[::1',
    '[::1]evil',
    ':8080',
    '127.0.0.1:8080@evil.example',
    'localhost:80a',
    '[::1]:8080@evil.example',
  ])('refuses Host %s with 403 naming the header and ALLOWED_HOSTS', async (host) => {
    const app = await start(DEFAULT_HOSTS);
    const answer = await get(app, { host });
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({
      success: false,
      code: 'forbidden',
      error: `The Host header ("${host}") does not name a host in ALLOWED_HOSTS.`,
    });
  });

  it('refuses on every method, before the body is read', async () => {
    const app = await start(DEFAULT_HOSTS);
    const response = await app.inject({
      method: 'POST',
      url: '/work',
      headers: { host: 'evil.example', 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'forbidden' });
  });

  // HTTP/1.1 requires Host: Node.js would answer its absence with an empty 400 of its own.
  it.each(['1.0', '1.1'])(
    'refuses an HTTP/%s request that has no Host header (over a socket)',
    async (version) => {
      const app = await start(DEFAULT_HOSTS);
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      const raw = await new Promise<string>((resolve, reject) => {
        let received = '';
        const socket = connect(port, '127.0.0.1', () =>
          socket.end(`GET /hello HTTP/${version}\r\nConnection: close\r\n\r\n`),
        );
        socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
        socket.on('end', () => resolve(received));
        socket.on('error', reject);
      });
      expect(raw).toMatch(/^HTTP\/1\.[01] 403 /);
      expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toEqual({
        success: false,
        code: 'forbidden',
        error: 'The request has no Host header; it must name a host in ALLOWED_HOSTS.',
      });
    },
  );

  it('repeats at most 100 characters of the header', async () => {
    const app = await start(DEFAULT_HOSTS);
    const host = `${'a'.repeat(150)}.example:80`;
    const answer = await get(app, { host });
    expect(answer.status).toBe(403);
    const error = answer.body.error as string;
    expect(error).toContain(`"${'a'.repeat(100)}…"`);
    expect(error).not.toContain('a'.repeat(101));
    expect(error).not.toContain('.example');
  });

  it('answers to a configured name, in any case', async () => {
    const app = await start(['dredge.example.com']);
    expect((await get(app, { host: 'DREDGE.Example.COM:443' })).status).toBe(200);
    expect((await get(app, { host: 'localhost' })).status).toBe(403);
  });
});

describe('Origin header', () => {
  it.each([
    'http://localhost:8080',
    'http://LOCALHOST:8080',
    'https://localhost',
    'http://127.0.0.1:3000',
    'http://[::1]:8080',
    'http://[::1]',
  ])('answers for Origin %s', async (origin) => {
    const app = await start(DEFAULT_HOSTS);
    expect((await get(app, { host: 'localhost:8080', origin })).status).toBe(200);
  });

  it.each([
    'http://evil.example',
    'https://evil.example:8080',
    'http://localhost.evil.example',
    'http://[::2]:8080',
    'null',
    'localhost',
    'http://',
    'http://[::1',
    'http://127.0.0.1:8080@evil.example',
    'http://[::1]:x',
  ])('refuses Origin %s with 403 naming the header and ALLOWED_HOSTS', async (origin) => {
    const app = await start(DEFAULT_HOSTS);
    const answer = await get(app, { host: 'localhost:8080', origin });
    expect(answer).toEqual({
      status: 403,
      body: {
        success: false,
        code: 'forbidden',
        error: `The Origin header ("${origin}") does not name a host in ALLOWED_HOSTS.`,
      },
    });
  });

  it('refuses a listed Host with an unlisted Origin on a POST', async () => {
    const app = await start(DEFAULT_HOSTS);
    const response = await app.inject({
      method: 'POST',
      url: '/work',
      headers: { host: '127.0.0.1:8080', origin: 'http://rebound.example:8080' },
      payload: {},
    });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ success: false, code: 'forbidden' });
  });
});

describe('an empty list', () => {
  it('lets any Host and any Origin through', async () => {
    const app = await start([]);
    expect(await get(app, { host: 'evil.example:8080', origin: 'null' })).toEqual({
      status: 200,
      body: { hello: 'world' },
    });
    expect((await get(app, { host: 'anything', origin: 'http://elsewhere.example' })).status).toBe(200);
    expect(app.printPlugins()).toContain('dredge-host-guard');
  });
});
