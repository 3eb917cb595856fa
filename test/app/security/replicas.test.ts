import { afterAll, beforeAll, expect, it } from 'vitest';
import { mintApiKey } from '../../../src/app/security/api-key.js';
import type { Scope } from '../../../src/app/security/principal.js';
import { describeWithRedis } from '../../helpers/describe-with-redis.js';
import { startDredgeWorker, type DredgeWorkerProcess } from '../../helpers/dredge-worker.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';
import { dredge } from '../../helpers/cli.js';
import { useTempDirs } from '../../helpers/temp-dir.js';

const tempDir = useTempDirs();

/**
 * Keys live in the store: two server replicas and a `dredge worker` sharing one Redis (a real redis-server) accept
 * the same keys, and a key revoked through one is refused by all. The worker's status server is behind the same
 * authentication as every server.
 */
describeWithRedis('API keys shared by replicas through Redis', (redis) => {
  let first: RunningMcpServer;
  let second: RunningMcpServer;
  let worker: DredgeWorkerProcess;

  const shared = () => ({
    AUTH_ENABLED: 'true',
    STORE_BACKEND: 'redis',
    QUEUE_BACKEND: 'bullmq',
    REDIS_URL: redis().url,
  });

  async function keyWith(...scopes: Scope[]) {
    const minted = mintApiKey({ tenant: 'default', name: 'replicas', scopes, now: new Date() });
    await first.services.store.apiKeys.add(minted.record);
    return minted;
  }

  const ask = (url: string, key?: string) =>
    fetch(url, key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } }).then(
      (response) => response.status,
    );

  beforeAll(async () => {
    first = await startMcpServer(shared());
    second = await startMcpServer(shared());
    worker = await startDredgeWorker(redis().url, shared());
  }, 30_000);

  afterAll(async () => {
    await worker?.stop();
    await first?.close();
    await second?.close();
  });

  it('accepts a key made on one replica on the other and on the worker, each within its scopes', async () => {
    const metrics = await keyWith('metrics');
    const reader = await keyWith('read');
    for (const base of [first.url, second.url, worker.statusUrl]) {
      expect(await ask(`${base}/metrics`), base).toBe(401);
      expect(await ask(`${base}/metrics`, metrics.key), base).toBe(200);
      expect(await ask(`${base}/metrics`, reader.key), base).toBe(403);
      expect(await ask(`${base}/traces`, reader.key), base).toBe(403);
      expect(await ask(`${base}/health`), base).toBe(200);
    }
  });

  it('refuses a key revoked on one replica everywhere within the cache time', async () => {
    const metrics = await keyWith('metrics');
    expect(await ask(`${second.url}/metrics`, metrics.key)).toBe(200);
    await first.services.store.apiKeys.revoke(metrics.record.id, new Date().toISOString());
    const deadline = Date.now() + 10_000;
    const refused = async () => {
      while (Date.now() < deadline) {
        const statuses = await Promise.all(
          [second.url, worker.statusUrl].map((base) => ask(`${base}/metrics`, metrics.key)),
        );
        if (statuses.every((status) => status === 401)) return true;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      return false;
    };
    expect(await refused()).toBe(true);
  });

  it('will not start a worker status server on every interface without authentication', async () => {
    const run = await dredge(['worker', '--host', '0.0.0.0', '--metrics-port', '0'], {
      cwd: tempDir(),
      homeDir: tempDir(),
      env: { QUEUE_BACKEND: 'bullmq', REDIS_URL: redis().url, LOG_LEVEL: 'silent' },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /Refusing to listen on 0\.0\.0\.0 \(set by --host 0\.0\.0\.0\) without authentication/,
    );
  });
});
