/**
 * MAX_INFLIGHT_BODY_BYTES: bodies received and worked on at once share one budget per process. A request whose
 * body would go over it gets 503 with Retry-After before its body is read; the budget comes back when an answer
 * is sent or its client goes away.
 */
import { request, type ClientRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';

const BUDGET = 64 * 1024;

interface Answer {
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly body: string;
}

/** Starts a POST /mcp that declares `length` bytes and sends only `sent` of them for now. */
function startPost(
  url: string,
  length: number,
  sent: string,
): { req: ClientRequest; answer: Promise<Answer> } {
  const req = request(new URL('/mcp', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': String(length) },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body }),
      );
    });
    req.on('error', reject);
  });
  req.write(sent);
  return { req, answer };
}

function post(url: string, body: string): Promise<Answer> {
  const { req, answer } = startPost(url, Buffer.byteLength(body), body);
  req.end();
  return answer;
}

describe('request bodies in flight share MAX_INFLIGHT_BODY_BYTES', () => {
  let server: RunningMcpServer;
  beforeAll(async () => {
    server = await startMcpServer({
      MAX_INFLIGHT_BODY_BYTES: String(BUDGET),
      MAX_BODY_BYTES: String(BUDGET),
    });
  });
  afterAll(() => server?.close());

  const small = JSON.stringify({ operation: 'string_spectrum', params: { max_modes: 3 } });
  const padded = (bytes: number): string => {
    const head = '{"operation":"string_spectrum","params":{"max_modes":3},"pad":"';
    return head + 'x'.repeat(bytes - head.length - 2) + '"}';
  };

  it('refuses a body that would go over while another holds the budget, and takes it once that one is answered', async () => {
    const body = padded(BUDGET - 20);
    const slow = startPost(server.url, Buffer.byteLength(body), body.slice(0, 1000));
    await sleep(100);
    const refused = await post(server.url, small);
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).toBe('1');
    expect(refused.body).toContain('MAX_INFLIGHT_BODY_BYTES');
    slow.req.end(body.slice(1000));
    expect((await slow.answer).status).toBe(200);
    expect((await post(server.url, small)).status).toBe(200);
  });

  it('gives the budget back when a client goes away in the middle of its body', async () => {
    const body = padded(BUDGET - 20);
    const abandoned = startPost(server.url, Buffer.byteLength(body), body.slice(0, 1000));
    abandoned.answer.catch(() => undefined);
    await sleep(100);
    expect((await post(server.url, small)).status).toBe(503);
    abandoned.req.destroy();
    await sleep(200);
    expect((await post(server.url, small)).status).toBe(200);
  });

  it('requests without a body never touch it', async () => {
    const body = padded(BUDGET - 20);
    const slow = startPost(server.url, Buffer.byteLength(body), body.slice(0, 1000));
    await sleep(100);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    slow.req.destroy();
    slow.answer.catch(() => undefined);
  });
});
