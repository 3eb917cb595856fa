/**
 * The fuzzer's judge can fail: a 500, an error that names no code, and a byte of tenant A's in an answer to anyone
 * else are each found; an echo of the client's own request, and a model id tenant B holds itself, are not leaks.
 */
import { describe, expect, it } from 'vitest';
import type { FuzzRequest, Who } from './request.js';
import { Judge } from './judge.js';
import type { Planted } from './plant.js';
import { parseRawResponses } from './raw-responses.js';
import type { Answer } from './send.js';

const planted: Planted = {
  strong: ['FZMARKinsight0', 'a'.repeat(64)],
  weak: ['quasimoto_1d_7'],
  kept: [],
  idsA: { models: ['quasimoto_1d_7'], tasks: [], insights: [], disposable: new Set() },
  idsB: { models: ['quasimoto_1d_3', 'quasimoto_1d_7'], tasks: [], insights: [], disposable: new Set() },
};

const request = (who: Who, body = '{}', door = 'POST /mcp list_models'): FuzzRequest => ({
  door,
  server: 'mcp',
  who,
  method: 'POST',
  path: '/mcp',
  headers: {},
  body,
});

const answer = (status: number, body: string, contentType = 'application/json; charset=utf-8'): Answer => ({
  status,
  parts: [{ status, contentType, body }],
  body,
  ms: 1,
  timedOut: false,
});

const refusal = (status: number, code: string) =>
  answer(status, JSON.stringify({ success: false, error: 'No.', code }));

describe('the every-door judge', () => {
  it('finds a 500, and lets a 503 pass', () => {
    const judge = new Judge(planted);
    judge.judge(1, request('B'), refusal(500, 'internal'));
    judge.judge(2, request('B'), refusal(503, 'unavailable'));
    expect(judge.serverErrors.map((finding) => finding.index)).toEqual([1]);
  });

  it.each([
    ['no code', answer(400, '{"error":"Bad Request","message":"Client Error","statusCode":400}')],
    ['a code of another status', refusal(400, 'not_found')],
    ['an empty body', answer(417, '', '')],
    ['text', answer(404, 'Not found', 'text/plain')],
  ])('finds an error answer with %s', (_what, given) => {
    const judge = new Judge(planted);
    judge.judge(1, request('none'), given);
    expect(judge.malformedErrors).toHaveLength(1);
  });

  it('takes a JSON-RPC error from the MCP protocol route, and a 431 too_large', () => {
    const judge = new Judge(planted);
    const rpc = answer(406, '{"jsonrpc":"2.0","error":{"code":-32000,"message":"Not Acceptable"},"id":null}');
    judge.judge(1, { ...request('B'), path: '/mcp/protocol' }, rpc);
    judge.judge(2, request('B'), refusal(431, 'too_large'));
    expect(judge.malformedErrors).toEqual([]);
  });

  it("finds tenant A's marker in an answer to B, to no key and to a broken key, but not to A", () => {
    const judge = new Judge(planted);
    const body = '{"insights":[{"text":"FZMARKinsight0 the secret"}]}';
    for (const [index, who] of (['A', 'B', 'none', 'bad'] as const).entries()) {
      judge.judge(index, request(who), answer(200, body));
    }
    expect(judge.leaks().map((finding) => finding.request.who)).toEqual(['B', 'none', 'bad']);
  });

  it("does not count the client's own echo, nor a model id B holds itself", () => {
    const judge = new Judge(planted);
    const echo = `{"model_id":"${'a'.repeat(64)}"}`;
    judge.judge(1, request('B', echo), refusal(404, 'not_found'));
    judge.judge(2, request('B', '{}', 'POST /mcp load_model'), answer(200, '{"model_id":"quasimoto_1d_7"}'));
    judge.judge(3, request('B'), answer(200, '{"models":["quasimoto_1d_7"]}'));
    expect(judge.leaks()).toEqual([]);
  });

  it("finds A's model id as a whole word only", () => {
    const judge = new Judge({ ...planted, idsB: { ...planted.idsB, models: ['quasimoto_1d_3'] } });
    judge.judge(1, request('B'), answer(200, '{"models":["quasimoto_1d_70"]}'));
    judge.judge(2, request('B'), answer(200, '{"models":["quasimoto_1d_7"]}'));
    expect(judge.leaks().map((finding) => finding.index)).toEqual([2]);
  });
});

describe('raw answers', () => {
  it('splits pipelined answers by Content-Length and chunked framing', () => {
    const bytes = Buffer.from(
      'HTTP/1.1 100 Continue\r\n\r\n' +
        'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}' +
        'HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '3\r\n{"a\r\n4\r\n":1}\r\n0\r\n\r\n' +
        'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\ntail',
    );
    expect(parseRawResponses(bytes)).toEqual([
      { status: 100, contentType: undefined, body: '' },
      { status: 200, contentType: 'application/json', body: '{}' },
      { status: 400, contentType: 'application/json', body: '{"a":1}' },
      { status: 408, contentType: undefined, body: 'tail' },
    ]);
  });
});
