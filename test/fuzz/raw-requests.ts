/** Malformed HTTP/1.1 for a raw socket: what node:http would refuse to write. */
import type { DoorContext, FuzzRequest, ServerName, Who } from './request.js';
import type { Rng } from './rng.js';

/** Malformed HTTP, written byte by byte over a raw socket. */
export function raw(rng: Rng, ctx: DoorContext, who: Who, auth: string): FuzzRequest {
  const server: ServerName = rng.chance(0.5) ? 'mcp' : 'dredge';
  const host = ctx.hosts[server];
  const body = '{"operation":"list_models","params":{}}';
  const path = server === 'mcp' ? '/mcp' : '/insights';
  const method = server === 'mcp' ? 'POST' : 'GET';
  const variants: [string, string][] = [
    ['garbage line', 'GARBAGE\r\n\r\n'],
    ['http 9.9', `GET /health HTTP/9.9\r\nHost: ${host}\r\n\r\n`],
    [
      'absolute form',
      `GET http://evil.example/health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    ],
    ['no host 1.1', 'GET /health HTTP/1.1\r\nConnection: close\r\n\r\n'],
    ['http 1.0', 'GET /health HTTP/1.0\r\n\r\n'],
    ['two hosts', `GET /health HTTP/1.1\r\nHost: ${host}\r\nHost: evil.example\r\nConnection: close\r\n\r\n`],
    ['lowercase method', `get /health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`],
    ['connect', `CONNECT ${host} HTTP/1.1\r\nHost: ${host}\r\n\r\n`],
    [
      'duplicate content-length',
      `POST /mcp HTTP/1.1\r\nHost: ${host}\r\n${auth}Content-Type: application/json\r\nContent-Length: ${body.length}\r\nContent-Length: 5\r\nConnection: close\r\n\r\n${body}`,
    ],
    [
      'te and cl',
      `POST /mcp HTTP/1.1\r\nHost: ${host}\r\n${auth}Content-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
    ],
    [
      'bad chunk size',
      `POST /mcp HTTP/1.1\r\nHost: ${host}\r\n${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n${body}\r\n0\r\n\r\n`,
    ],
    [
      'chunked',
      `POST /mcp HTTP/1.1\r\nHost: ${host}\r\n${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\n${body.slice(0, 5)}\r\n${(body.length - 5).toString(16)}\r\n${body.slice(5)}\r\n0\r\n\r\n`,
    ],
    [
      'short body',
      `POST /mcp HTTP/1.1\r\nHost: ${host}\r\n${auth}Content-Type: application/json\r\nContent-Length: 500\r\nConnection: close\r\n\r\n${body}`,
    ],
    [
      'negative length',
      `POST /mcp HTTP/1.1\r\nHost: ${host}\r\n${auth}Content-Type: application/json\r\nContent-Length: -1\r\nConnection: close\r\n\r\n${body}`,
    ],
    [
      'huge length',
      `POST /mcp HTTP/1.1\r\nHost: ${host}\r\n${auth}Content-Type: application/json\r\nContent-Length: 99999999999999999999\r\nConnection: close\r\n\r\n${body}`,
    ],
    ['no colon header', `GET /health HTTP/1.1\r\nHost: ${host}\r\nNoColonHere\r\nConnection: close\r\n\r\n`],
    [
      'obs-fold',
      `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${auth}X-Folded: a\r\n b\r\nConnection: close\r\n\r\n`,
    ],
    [
      'nul in header',
      `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer \u0000x\r\nConnection: close\r\n\r\n`,
    ],
    [
      'utf8 in auth',
      `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer 😀${'é'.repeat(50)}\r\nConnection: close\r\n\r\n`,
    ],
    [
      'long url',
      `GET /${'u'.repeat(rng.pick([9_000, 20_000, 70_000]))} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    ],
    [
      'many headers',
      `GET /health HTTP/1.1\r\nHost: ${host}\r\n${Array.from({ length: rng.pick([150, 2_500]) }, (_, i) => `X-H${i}: ${i}\r\n`).join('')}Connection: close\r\n\r\n`,
    ],
    [
      'pipelined',
      `GET /health HTTP/1.1\r\nHost: ${host}\r\n\r\n${method} ${path} HTTP/1.1\r\nHost: ${host}\r\n${auth}Content-Type: application/json\r\nContent-Length: ${method === 'POST' ? body.length : 0}\r\n\r\n${method === 'POST' ? body : ''}GET /ready HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    ],
    [
      'expect continue',
      `POST /mcp HTTP/1.1\r\nHost: ${host}\r\n${auth}Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    ],
    [
      'bad expect',
      `POST /mcp HTTP/1.1\r\nHost: ${host}\r\n${auth}Expect: teapot\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
    ],
    ['space before colon', `GET ${path} HTTP/1.1\r\nHost : ${host}\r\nConnection: close\r\n\r\n`],
    ['bare lf', `GET /health HTTP/1.1\nHost: ${host}\nConnection: close\n\n`],
  ];
  const [name, text] = rng.pick(variants);
  return {
    door: `raw ${name}`,
    server,
    who,
    method: 'RAW',
    path: name,
    headers: {},
    raw: Buffer.from(text, 'utf8'),
  };
}
