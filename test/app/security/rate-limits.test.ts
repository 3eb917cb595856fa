import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mintApiKey } from '../../../src/app/security/api-key.js';
import type { AppServices } from '../../../src/app/services.js';
import { describeWithRedis } from '../../helpers/describe-with-redis.js';
import { startDredgeServer, type RunningDredgeServer } from '../../helpers/dredge-server.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';

/** A key for `tenant` with every scope, stored as `dredge keys create` would. */
async function keyFor(services: AppServices, tenant = 'default'): Promise<string> {
  const minted = mintApiKey({
    tenant,
    name: 'limits',
    scopes: ['read', 'write', 'admin', 'metrics'],
    now: new Date(),
  });
  await services.store.apiKeys.add(minted.record);
  return minted.key;
}

interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: Record<string, unknown>;
}

async function operation(
  url: string,
  name: string,
  params: unknown = {},
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ operation: name, params }),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** The statuses of `count` string_spectrum calls (cheap, inline), one after the other. */
async function statuses(url: string, count: number, headers: Record<string, string> = {}) {
  const seen: number[] = [];
  for (let index = 0; index < count; index += 1) {
    seen.push((await operation(url, 'string_spectrum', { max_modes: 3 }, headers)).status);
  }
  return seen;
}

describe('rate limits per API key, in memory', () => {
  let server: RunningMcpServer;
  let first: string;
  let second: string;

  beforeAll(async () => {
    server = await startMcpServer({
      AUTH_ENABLED: 'true',
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_REQUESTS: '5',
      RATE_LIMIT_WINDOW: '60',
    });
    [first, second] = await Promise.all([keyFor(server.services), keyFor(server.services)]);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers 429 with Retry-After past RATE_LIMIT_REQUESTS, counting each key on its own', async () => {
    expect(await statuses(server.url, 5, bearer(first))).toEqual([200, 200, 200, 200, 200]);
    const refused = await operation(server.url, 'string_spectrum', { max_modes: 3 }, bearer(first));
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('rate_limited');
    expect(String(refused.body.error)).toMatch(
      /5 operations per 60 s for this API key \(RATE_LIMIT_REQUESTS\)/,
    );
    const seconds = Number(refused.retryAfter);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(60);
    // Invalid params count too (they are refused after the count), and the other key is untouched.
    expect((await operation(server.url, 'string_spectrum', { max_modes: -1 }, bearer(first))).status).toBe(
      429,
    );
    expect(await statuses(server.url, 5, bearer(second))).toEqual([200, 200, 200, 200, 200]);
    // The probes are never counted.
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});

describe('rate limits per client address without authentication, behind a trusted proxy', () => {
  let server: RunningMcpServer;

  beforeAll(async () => {
    server = await startMcpServer({
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_REQUESTS: '3',
      TRUST_PROXY: '127.0.0.1',
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('counts each forwarded client address apart, as the balancer names it', async () => {
    const alice = { 'x-forwarded-for': '203.0.113.7' };
    const bob = { 'x-forwarded-for': '198.51.100.9' };
    expect(await statuses(server.url, 4, alice)).toEqual([200, 200, 200, 429]);
    expect(await statuses(server.url, 3, bob)).toEqual([200, 200, 200]);
    const refused = await operation(server.url, 'string_spectrum', {}, bob);
    expect(String(refused.body.error)).toMatch(/for this client address/);
  });
});

describe('a JSON-RPC batch counts each call', () => {
  let server: RunningMcpServer;

  beforeAll(async () => {
    server = await startMcpServer({ RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_REQUESTS: '3' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('refuses the calls of one batch past the limit, as tool errors naming it', async () => {
    const calls = [1, 2, 3, 4, 5].map((id) => ({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'string_spectrum', arguments: { max_modes: id } },
    }));
    const response = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-06-18',
      },
      body: JSON.stringify(calls),
    });
    expect(response.status).toBe(200);
    const results = (await response.text())
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map(
        (line) =>
          JSON.parse(line.slice(6)) as {
            result: { isError?: boolean; content: Array<{ text: string }> };
          },
      );
    expect(results).toHaveLength(5);
    const refused = results.filter(({ result }) => result.isError);
    expect(refused).toHaveLength(2);
    // A 2025 client gets a failed tool's error body as its text (see the MCP tests).
    for (const { result } of refused) {
      expect(JSON.parse(result.content[0]!.text)).toMatchObject({ code: 'rate_limited' });
    }
  });
});

describe('a queued task counts once, when it is submitted', () => {
  let server: RunningMcpServer;

  beforeAll(async () => {
    server = await startMcpServer({ RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_REQUESTS: '3' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('does not count the operation the task runs', async () => {
    const submitted = await operation(server.url, 'submit_task', {
      operation: 'string_spectrum',
      params: { max_modes: 4 },
    });
    expect(submitted.status).toBe(200);
    const taskId = String(submitted.body.task_id);
    // Followed in-process: an HTTP poll would count against the limit under test.
    expect((await server.services.tasks.wait(taskId, 10_000))?.status).toBe('completed');
    expect(await statuses(server.url, 3)).toEqual([200, 200, 429]);
  });
});

describe('the heavy-work budget per tenant', () => {
  let server: RunningMcpServer;
  let tenantA: string;
  let tenantB: string;

  beforeAll(async () => {
    server = await startMcpServer({
      AUTH_ENABLED: 'true',
      MULTI_TENANT_ENABLED: 'true',
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_REQUESTS: '1000',
      RATE_LIMIT_WORK: '1000000',
      // Every computation is heavy work here, so the budget counts string_spectrum's max_modes.
      COMPUTE_INLINE_WORK: '0',
    });
    [tenantA, tenantB] = await Promise.all([
      keyFor(server.services, 'alpha'),
      keyFor(server.services, 'beta'),
    ]);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('refuses work past RATE_LIMIT_WORK, serves cached answers free, and keeps tenants apart', async () => {
    // 10,000 multiply-adds per computation: the 101st distinct one is over a budget of a million.
    let accepted = 0;
    let refused: Answer | undefined;
    for (let modes = 10_000; modes > 9_800 && !refused; modes -= 1) {
      const answer = await operation(server.url, 'string_spectrum', { max_modes: modes }, bearer(tenantA));
      if (answer.status === 200) accepted += 1;
      else refused = answer;
    }
    expect(accepted).toBe(100);
    expect(refused?.status).toBe(429);
    expect(String(refused?.body.error)).toMatch(/heavy work .* for this tenant \(RATE_LIMIT_WORK\)/);
    expect(Number(refused?.retryAfter)).toBeGreaterThanOrEqual(1);
    const cached = await operation(server.url, 'string_spectrum', { max_modes: 10_000 }, bearer(tenantA));
    expect(cached.status).toBe(200);
    expect(cached.body.cached).toBe(true);
    const other = await operation(server.url, 'string_spectrum', { max_modes: 9_000 }, bearer(tenantB));
    expect(other.status).toBe(200);
  });
});

describe('the routes that answer by themselves count like operations', () => {
  let server: RunningDredgeServer;

  beforeAll(async () => {
    server = await startDredgeServer({ RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_REQUESTS: '2' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers 429 on /lift and /insights past the limit', async () => {
    const lift = () => server.fetchJson('/lift', { method: 'POST', body: { insight_text: 'counted' } });
    expect((await lift()).status).toBe(200);
    expect((await server.fetchJson('/insights')).status).toBe(200);
    const refused = await lift();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    expect(refused.body.code).toBe('rate_limited');
  });
});

describeWithRedis('rate limits shared by replicas through Redis', (redis) => {
  const replicas: RunningMcpServer[] = [];
  let key: string;

  beforeAll(async () => {
    const env = {
      AUTH_ENABLED: 'true',
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_REQUESTS: '4',
      STORE_BACKEND: 'redis',
      REDIS_URL: redis().url,
      // Long enough for a busy machine: a count that times out fails open (200), which the first test would
      // read as a limit not shared. The Redis-away test kills Redis, refused at once, so it waits for none of it.
      REDIS_COMMAND_TIMEOUT: '2',
      LOG_LEVEL: 'warn',
    };
    replicas.push(await startMcpServer(env), await startMcpServer(env));
    key = await keyFor(replicas[0]!.services);
  }, 30_000);
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
  });
  afterEach(async () => {
    await redis().start();
  });

  it('counts a key across both replicas', async () => {
    const [first, second] = replicas as [RunningMcpServer, RunningMcpServer];
    expect(await statuses(first.url, 2, bearer(key))).toEqual([200, 200]);
    expect(await statuses(second.url, 2, bearer(key))).toEqual([200, 200]);
    const logs = () => replicas.flatMap((replica) => replica.logs).join('\n');
    expect((await statuses(first.url, 1, bearer(key)))[0], logs()).toBe(429);
    expect((await statuses(second.url, 1, bearer(key)))[0], logs()).toBe(429);
  });

  it('lets requests through, with a warning, while Redis does not answer', async () => {
    const [first] = replicas as [RunningMcpServer];
    const counterKey = await keyFor(first.services);
    // Authenticated once, so its key is cached: the request needs nothing but the counter from Redis.
    expect((await statuses(first.url, 1, bearer(counterKey)))[0]).toBe(200);
    await redis().kill();
    const answer = await operation(first.url, 'list_capabilities', {}, bearer(counterKey));
    expect(answer.status).toBe(200);
    expect(first.logs.some((line) => line.includes('rate limits could not be counted'))).toBe(true);
  });
});
