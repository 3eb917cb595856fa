import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';

const TOKEN = 'ghp_test_token_never_shown';

/** A local server answering like GitHub's Dependabot REST API, recording what it was sent. */
interface FakeGitHub {
  url: string;
  requests: Array<{ method: string; url: string; authorization: string | undefined; body: string }>;
  /** Bytes of the endless answer written before the client went away. */
  hugeAnswer: { written: number };
  close(): Promise<void>;
}

const ALERT = {
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
const MANY_ALERTS = Array.from({ length: 250 }, (_, i) => ({ ...ALERT, number: i + 1 }));

/** Bytes of the endless answer, which no client should read whole. */
const HUGE_ANSWER_BYTES = 100 * 1024 * 1024;

async function fakeGitHub(options: { elsewhere?: string } = {}): Promise<FakeGitHub> {
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

/** The smallest GITHUB_MAX_RESPONSE_BYTES, so that an answer over it is cheap to make. */
const MAX_RESPONSE_BYTES = 64 * 1024;

describe('Dependabot operations against a GitHub-like REST API', () => {
  let github: FakeGitHub;
  /** Another origin, where a hostile Link header would send the token. */
  let elsewhere: FakeGitHub;
  let server: RunningMcpServer;

  beforeAll(async () => {
    elsewhere = await fakeGitHub();
    github = await fakeGitHub({ elsewhere: elsewhere.url });
    server = await startMcpServer({
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: github.url,
      GITHUB_REPOSITORIES: 'acme/app,forbidden/x',
      GITHUB_MAX_RESPONSE_BYTES: String(MAX_RESPONSE_BYTES),
      REQUEST_TIMEOUT: '0.5',
      LOG_LEVEL: 'info',
    });
  });
  afterAll(async () => {
    await server.close();
    await github.close();
    await elsewhere.close();
  });

  it('follows the Link header through every page: 250 alerts in 3 requests of 100', async () => {
    const before = github.requests.length;
    const result = await server.call('get_dependabot_alerts', { repo_owner: 'many', repo_name: 'app' });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ success: true, count: 250, truncated: false });
    const numbers = (result.body.alerts as Array<{ number: number }>).map((alert) => alert.number);
    expect(numbers).toEqual(MANY_ALERTS.map((alert) => alert.number));
    const sent = github.requests.slice(before);
    expect(sent.map((request) => request.url)).toEqual([
      '/repos/many/app/dependabot/alerts?per_page=100',
      '/repos/many/app/dependabot/alerts?per_page=100&after=100',
      '/repos/many/app/dependabot/alerts?per_page=100&after=200',
    ]);
    for (const request of sent) expect(request.authorization).toBe(`token ${TOKEN}`);
  });

  it('refuses a next page on another origin with a 502, without sending it the token', async () => {
    const result = await server.call('get_dependabot_alerts', { repo_owner: 'elsewhere', repo_name: 'app' });
    expect(result).toMatchObject({
      status: 502,
      body: {
        success: false,
        code: 'upstream',
        error: `The GitHub API's next page (its Link header) is not on GITHUB_API_URL's origin, ${github.url}; it was not followed.`,
      },
    });
    expect(elsewhere.requests).toEqual([]);
  });

  it('stops reading an answer over GITHUB_MAX_RESPONSE_BYTES and answers 502 naming the bound', async () => {
    const sentence = `The GitHub API answered with more than ${MAX_RESPONSE_BYTES} bytes (GITHUB_MAX_RESPONSE_BYTES); the rest was not read.`;
    for (const owner of ['huge', 'declared-huge']) {
      const result = await server.call('get_dependabot_alerts', { repo_owner: owner, repo_name: 'app' });
      expect(result, owner).toMatchObject({
        status: 502,
        body: { success: false, code: 'upstream', error: sentence },
      });
    }
    // The endless answer's connection was closed long before its 100 MiB were written.
    await expect.poll(() => github.hugeAnswer.written).toBeGreaterThan(0);
    expect(github.hugeAnswer.written).toBeLessThan(HUGE_ANSWER_BYTES / 4);
    // The server is fine afterwards.
    expect(
      (await server.call('get_dependabot_alerts', { repo_owner: 'acme', repo_name: 'app' })).status,
    ).toBe(200);
  });

  it('stops at GITHUB_MAX_ALERTS, asking for no page beyond it, and says so with truncated: true', async () => {
    const bounded = await startMcpServer({
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: github.url,
      GITHUB_MAX_ALERTS: '150',
    });
    try {
      const before = github.requests.length;
      const result = await bounded.call('get_dependabot_alerts', { repo_owner: 'many', repo_name: 'app' });
      expect(result.body).toMatchObject({ success: true, count: 150, truncated: true });
      const numbers = (result.body.alerts as Array<{ number: number }>).map((alert) => alert.number);
      expect(numbers).toEqual(MANY_ALERTS.slice(0, 150).map((alert) => alert.number));
      expect(github.requests.length - before).toBe(2);
    } finally {
      await bounded.close();
    }
  });

  it('lists alerts, sending the token only in the Authorization header', async () => {
    const result = await server.call('get_dependabot_alerts', { repo_owner: 'acme', repo_name: 'app' });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({
      success: true,
      count: 2,
      repo_owner: 'acme',
      repo_name: 'app',
      truncated: false,
    });
    const sent = github.requests.at(-1)!;
    expect(sent).toMatchObject({
      method: 'GET',
      url: '/repos/acme/app/dependabot/alerts?per_page=100',
      authorization: `token ${TOKEN}`,
    });
  });

  it('explains an alert, recommending from the CVSS score when it says more than the severity', async () => {
    const result = await server.call('explain_dependabot_alert', {
      alert_id: 7,
      repo_owner: 'acme',
      repo_name: 'app',
    });
    expect(result.body).toMatchObject({
      success: true,
      alert_id: 7,
      recommendation: '⚠️ CRITICAL: Update immediately. This vulnerability poses a severe security risk.',
      details: {
        package: 'foo',
        severity: 'medium',
        cvss_score: 9.1,
        state: 'open',
        vulnerable_version: '< 1.2.3',
        patched_version: '1.2.3',
      },
    });
    expect(result.body.explanation).toContain('Alert #7: Prototype pollution in foo');
    expect(result.body.explanation).toContain('Severity: MEDIUM (CVSS Score: 9.1)');
  });

  it('changes no repository outside GITHUB_REPOSITORIES, whatever the token may reach', async () => {
    const before = github.requests.length;
    const refused = await server.call('update_dependabot_alert', {
      alert_id: 7,
      state: 'open',
      repo_owner: 'any-org',
      repo_name: 'any-repo',
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe(
      'update_dependabot_alert may change only the repositories in GITHUB_REPOSITORIES, and any-org/any-repo is not one of them.',
    );
    expect(github.requests.length).toBe(before);
  });

  it('dismisses an alert with a reason and a comment', async () => {
    const result = await server.call('update_dependabot_alert', {
      alert_id: 7,
      state: 'dismissed',
      dismissed_reason: 'tolerable_risk',
      dismissed_comment: 'mitigated by our proxy',
      repo_owner: 'acme',
      repo_name: 'app',
    });
    expect(result.body).toEqual({
      success: true,
      alert_id: 7,
      state: 'dismissed',
      dismissed_reason: 'tolerable_risk',
      dismissed_comment: 'mitigated by our proxy',
      dismissed_by: 'octocat',
      dismissed_at: '2026-02-03T04:05:06Z',
      message: 'Alert 7 successfully updated to dismissed',
    });
    expect(JSON.parse(github.requests.at(-1)!.body)).toEqual({
      state: 'dismissed',
      dismissed_reason: 'tolerable_risk',
      dismissed_comment: 'mitigated by our proxy',
    });
  });

  it("answers GitHub's 403, 404, 422, other errors and silence with their own statuses and sentences", async () => {
    const cases: Array<[string, Record<string, unknown>, number, string]> = [
      [
        'get_dependabot_alerts',
        { repo_owner: 'forbidden', repo_name: 'x' },
        403,
        'Access denied. Check token permissions.',
      ],
      [
        'get_dependabot_alerts',
        { repo_owner: 'missing', repo_name: 'x' },
        404,
        'Repository not found or Dependabot alerts not enabled',
      ],
      [
        'explain_dependabot_alert',
        { alert_id: 3, repo_owner: 'missing', repo_name: 'x' },
        404,
        'Alert 3 not found',
      ],
      [
        'update_dependabot_alert',
        { alert_id: 3, state: 'open', repo_owner: 'forbidden', repo_name: 'x' },
        403,
        "Access denied. Check token permissions (requires 'security_events' scope).",
      ],
      [
        'update_dependabot_alert',
        { alert_id: 422, state: 'open', repo_owner: 'acme', repo_name: 'app' },
        400,
        'Validation failed. Check parameters.',
      ],
      ['get_dependabot_alerts', { repo_owner: 'broken', repo_name: 'x' }, 503, 'API error: 500'],
      [
        'get_dependabot_alerts',
        { repo_owner: 'slow', repo_name: 'x' },
        503,
        'Request to the GitHub API failed: no answer within 500 ms.',
      ],
    ];
    for (const [operation, params, status, error] of cases) {
      const result = await server.call(operation, params);
      expect(result, `${operation} ${JSON.stringify(params)}`).toMatchObject({
        status,
        body: { success: false, error },
      });
    }
  });

  it('validates repository names and alert ids before calling GitHub', async () => {
    const before = github.requests.length;
    const result = await server.call('get_dependabot_alerts', { repo_owner: '../../etc', repo_name: 'x' });
    expect(result.status).toBe(400);
    expect(result.body.error).toBe(
      'params.repo_owner must be a GitHub user or organisation name (at most 39 characters)',
    );
    expect((await server.call('explain_dependabot_alert', { alert_id: -1 })).status).toBe(400);
    expect(github.requests.length).toBe(before);
  });

  it('never shows the token in a response, a log line, the metrics or the traces', async () => {
    const texts = await Promise.all([
      fetch(`${server.url}/metrics`).then((r) => r.text()),
      fetch(`${server.url}/traces`).then((r) => r.text()),
      server.call('get_metrics').then((r) => JSON.stringify(r.body)),
      server.call('list_capabilities').then((r) => JSON.stringify(r.body)),
    ]);
    for (const text of texts) expect(text).not.toContain(TOKEN);
    expect(server.logs.length).toBeGreaterThan(0);
    for (const line of server.logs) expect(line).not.toContain(TOKEN);
  });
});
