import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANY_ALERTS, HUGE_ANSWER_BYTES, fakeGitHub, type FakeGitHub } from '../../helpers/fake-github.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';

const TOKEN = 'ghp_test_token_never_shown';

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
