/**
 * What Node.js's parser refuses before any route runs — bytes that are not HTTP, headers over the size limit, an
 * `Expect` it cannot meet, a client past HEADERS_TIMEOUT — is answered like every other refusal: JSON naming its
 * error code, with the security headers, and the connection closed.
 */
import { connect, type AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { errorsPlugin } from '../../../src/app/http/plugins/errors.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function start(options: { headersTimeoutMs?: number } = {}): Promise<number> {
  const timeout = options.headersTimeoutMs;
  const app = Fastify(
    timeout
      ? { http: { headersTimeout: timeout, requestTimeout: timeout, connectionsCheckingInterval: 50 } }
      : {},
  );
  apps.push(app);
  await app.register(errorsPlugin, { bodyLimit: 1024 });
  app.post('/work', async () => ({ success: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as AddressInfo).port;
}

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

/** Writes `bytes` (or nothing) and reads until the server closes the connection. */
function exchange(port: number, bytes: string | undefined): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = connect(port, '127.0.0.1', () => {
      if (bytes !== undefined) socket.write(bytes);
    });
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = received.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [
          line.slice(0, line.indexOf(':')).toLowerCase(),
          line.slice(line.indexOf(':') + 2),
        ]),
      );
      resolve({
        status: Number(statusLine.split(' ')[1]),
        headers,
        body: body ? (JSON.parse(body) as unknown) : '',
      });
    });
  });
}

describe('client errors', () => {
  it.each([
    ['a lower-case method', 'get /work HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a header line without a colon', 'GET /work HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n'],
    [
      'two Content-Lengths',
      'POST /work HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
    ],
    [
      'a bad chunk size',
      'POST /work HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    ],
  ])('answers %s with 400 invalid_input as JSON', async (_what, bytes) => {
    const answer = await exchange(await start(), bytes);
    expect(answer).toMatchObject({
      status: 400,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
        connection: 'close',
      },
      body: { success: false, code: 'invalid_input', error: 'The request is not valid HTTP/1.1.' },
    });
  });

  it('answers headers over the size limit with 431 too_large', async () => {
    const bytes = `GET /work HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`;
    const answer = await exchange(await start(), bytes);
    expect(answer.status).toBe(431);
    expect(answer.body).toMatchObject({ success: false, code: 'too_large' });
  });

  it('answers an expectation other than 100-continue with 417 invalid_input, without running the route', async () => {
    const bytes = 'POST /work HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\n{}';
    const answer = await exchange(await start(), bytes);
    expect(answer).toMatchObject({
      status: 417,
      headers: { 'x-frame-options': 'DENY' },
      body: { success: false, code: 'invalid_input' },
    });
  });

  it('answers a client past the headers deadline with 408 invalid_input', async () => {
    const answer = await exchange(
      await start({ headersTimeoutMs: 200 }),
      'GET /work HTTP/1.1\r\nHost: x\r\n',
    );
    expect(answer.status).toBe(408);
    expect(answer.body).toMatchObject({ success: false, code: 'invalid_input' });
  });
});
