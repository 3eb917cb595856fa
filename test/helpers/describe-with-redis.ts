import { beforeAll, afterAll } from 'vitest';
import { describeWithBinary } from './binaries.js';
import { RedisTestServer } from './redis-server.js';

export interface RedisTestOptions {
  /** Keep an append-only file in this folder (made by the test), so data survives a SIGKILL and restart. */
  readonly persistDir?: () => string;
}

/**
 * A describe block with its own real `redis-server` on a free port, started before its tests and stopped after
 * them (skipped with a message when redis-server is missing, failing under CI=true). The body gets the running
 * server through a getter, since the server starts after the body has declared its tests.
 */
export function describeWithRedis(
  title: string,
  body: (redis: () => RedisTestServer) => void,
  options: RedisTestOptions = {},
): void {
  describeWithBinary('redis-server', title, () => {
    let server: RedisTestServer | undefined;
    beforeAll(async () => {
      const persistDir = options.persistDir?.();
      server = await RedisTestServer.start(persistDir === undefined ? {} : { persistDir });
    });
    afterAll(async () => {
      await server?.stop();
    });
    body(() => {
      if (!server) throw new Error(`${title}: redis-server has not started`);
      return server;
    });
  });
}
