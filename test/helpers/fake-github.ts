import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local server answering like GitHub's Dependabot REST API, recording what it was sent. */
export interface FakeGitHub {
  url: string;
  requests: Array<{ method: string; url: string; authorization: string | undefined; body: string }>;
  /** Bytes of the endless answer written before the client went away. */
  hugeAnswer: { written: number };
  close(): Promise<void>;
}

/** GitHub's answer for one alert, as its REST API sends it (abridged). */
export const DEFAULT_ALERT = {
  number: 7,
  state: 'open',
  created_at: '2026-01-02T03:04:05Z',
  security_advisory: {
    summary: 'Prototype pollution in foo',
    description: 'foo lets attackers …',
    severity: 'medium',
    cvss: { score: 9.1 },
  },
  security_vulnerability: {
    package: { name: 'foo' },
    vulnerable_version_range: '< 1.2.3',
    first_patched_version: { identifier: '1.2.3' },
  },
};

/** 250 alerts: three pages of GitHub's 100. */
export const MANY_ALERTS = Array.from({ length: 250 }, (_, i) => ({ ...DEFAULT_ALERT, number: i + 1 }));

/** Bytes of the endless answer, which no client should read whole. */
export const HUGE_ANSWER_BYTES = 100 * 1024 * 1024;

/**
 * A local server answering like GitHub's Dependabot REST API: acme/app's alerts (`alert` as alert 7, and an alert
 * 8), 250 alerts over pages of `per_page` (many/app; elsewhere/app links its pages to `elsewhere`), endless and
 * over-declared answers (huge/, declared-huge/), one that never answers (slow/), and GitHub's 403, 404, 422 and 500.
 */
export async function fakeGitHub(
  options: { elsewhere?: string; alert?: Record<string, unknown> } = {},
): Promise<FakeGitHub> {
  const ALERT = options.alert ?? DEFAULT_ALERT;
  const requests: FakeGitHub['requests'] = [];
  const hugeAnswer = { written: 0 };
  const answer = (request: IncomingMessage, response: ServerResponse, body: string) => {
    requests.push({
      method: request.method ?? '',
      url: request.url ?? '',
      authorization: request.headers.authorization,
      body,
    });
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) =>
      response
        .writeHead(status, { 'content-type': 'application/json', ...headers })
        .end(JSON.stringify(payload));
    const own = `http://${request.headers.host ?? ''}`;
    const url = new URL(request.url ?? '/', own);
    const path = url.pathname;
    if (path === '/repos/many/app/dependabot/alerts' || path === '/repos/elsewhere/app/dependabot/alerts') {
      // GitHub's cursor pagination: `after` in the next page's link, absolute, on its own origin.
      const after = Number(url.searchParams.get('after') ?? 0);
      const size = Number(url.searchParams.get('per_page') ?? 30);
      const page = MANY_ALERTS.slice(after, after + size);
      const origin = path.startsWith('/repos/elsewhere/') ? (options.elsewhere ?? own) : own;
      const next =
        after + size < MANY_ALERTS.length
          ? `<${origin}${path}?per_page=${size}&after=${after + size}>; rel="next", <${origin}${path}?per_page=${size}&before=0>; rel="first"`
          : `<${origin}${path}?per_page=${size}&before=0>; rel="first"`;
      return send(200, page, { link: next });
    }
    if (path.startsWith('/repos/huge/')) {
      // An answer with no end in sight (100 MiB, chunked): the client must stop reading and close.
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, ' ');
      let written = 0;
      response.write('[');
      const pour = () => {
        while (written < HUGE_ANSWER_BYTES && !response.destroyed) {
          written += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pour);
        }
        hugeAnswer.written = written;
        if (!response.destroyed) response.end(']');
      };
      response.once('close', () => (hugeAnswer.written = written));
      return pour();
    }
    if (path.startsWith('/repos/declared-huge/')) {
      // Declared too long: refused by its Content-Length before any of it is read.
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': HUGE_ANSWER_BYTES });
      return response.write('[');
    }
    if (path.startsWith('/repos/slow/')) return; // never answers: the client's timeout must end it
    if (path.startsWith('/repos/forbidden/'))
      return send(403, { message: 'Resource not accessible by integration' });
    if (path.startsWith('/repos/missing/')) return send(404, { message: 'Not Found' });
    if (path.startsWith('/repos/broken/')) return send(500, { message: 'boom' });
    if (request.method === 'PATCH' && JSON.parse(body).state === 'open' && path.endsWith('/alerts/422')) {
      return send(422, { message: 'Validation Failed' });
    }
    if (path === '/repos/acme/app/dependabot/alerts') return send(200, [ALERT, { ...ALERT, number: 8 }]);
    if (path === '/repos/acme/app/dependabot/alerts/7' && request.method === 'GET') return send(200, ALERT);
    if (path === '/repos/acme/app/dependabot/alerts/7' && request.method === 'PATCH') {
      const update = JSON.parse(body) as Record<string, string>;
      return send(200, {
        ...ALERT,
        state: update.state,
        dismissed_reason: update.dismissed_reason ?? null,
        dismissed_comment: update.dismissed_comment ?? null,
        dismissed_by: { login: 'octocat' },
        dismissed_at: '2026-02-03T04:05:06Z',
      });
    }
    return send(404, { message: 'Not Found' });
  };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => answer(request, response, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    hugeAnswer,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
