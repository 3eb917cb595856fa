import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { describeWithBinary } from './binaries.js';
import { PostgresTestServer, postgresBinDir } from './postgres-server.js';

/**
 * A describe block with its own PostgreSQL cluster (see PostgresTestServer), started before its tests and
 * stopped after them; skipped with a message when PostgreSQL is not installed, failing under CI=true.
 */
export function describeWithPostgres(
  title: string,
  body: (postgres: () => PostgresTestServer) => void,
): void {
  const bin = postgresBinDir();
  // describeWithBinary looks on PATH; Debian's initdb is not there, so name the binary by its full path.
  describeWithBinary(bin ? join(bin, 'initdb') : 'initdb', title, () => {
    let server: PostgresTestServer | undefined;
    beforeAll(async () => {
      server = await PostgresTestServer.start();
    }, 60_000);
    afterAll(async () => {
      await server?.stop();
    });
    body(() => {
      if (!server) throw new Error(`${title}: postgres has not started`);
      return server;
    });
  });
}
