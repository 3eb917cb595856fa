import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { createBackend, type CacheBackend } from '../../../src/services/cache/index.js';
import { backendContract } from './backend-contract.js';
import { cacheConfig, silentLogger, tempDir } from './helpers.js';
import { describeWithRedis } from '../../helpers/describe-with-redis.js';

/** One behavioural suite, three backends, each built the way the server builds it (`createBackend`). */

const seconds = (ms: number): number => ms / 1000;

backendContract('memory', (defaultTtlMs) =>
  createBackend(cacheConfig({ backend: 'memory', ttlSeconds: seconds(defaultTtlMs) }), silentLogger),
);

const dirs: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const remove of dirs.splice(0)) await remove();
});

backendContract('file', async (defaultTtlMs) => {
  const dir = await tempDir();
  dirs.push(dir.remove);
  return createBackend(
    cacheConfig({ backend: 'file', ttlSeconds: seconds(defaultTtlMs), fileDir: dir.path }),
    silentLogger,
  );
});

describeWithRedis('redis cache backend', (redis) => {
  // Each backend gets its own key prefix, so `clear` in one test cannot touch another's keys.
  backendContract('redis', (defaultTtlMs): Promise<CacheBackend> =>
    createBackend(
      cacheConfig(
        {
          backend: 'redis',
          ttlSeconds: seconds(defaultTtlMs),
          redisKeyPrefix: `test:${randomBytes(4).toString('hex')}:`,
        },
        { redisUrl: redis().url },
      ),
      silentLogger,
    ),
  );
});
