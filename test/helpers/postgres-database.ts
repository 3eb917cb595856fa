import type { DatabaseSettings } from '../../src/config/index.js';
import { migrate } from '../../src/services/store/postgres/migrations.js';
import { createPostgresPool, type PostgresPool } from '../../src/services/store/postgres/pool.js';
import type { PostgresTestServer } from './postgres-server.js';

/** A value, or a promise of it: what a store test's `open` may answer, whichever backend it opens. */
export type Awaitable<T> = T | Promise<T>;

let databases = 0;

/** The settings DREDGE uses by default (DATABASE_*), for the URL given. */
export function databaseSettings(
  url: string,
  overrides: Partial<DatabaseSettings> = {},
): DatabaseSettings & { url: string } {
  return { url, poolSize: 10, statementTimeoutMs: 10_000, connectTimeoutMs: 5_000, ...overrides };
}

/**
 * A fresh database of the test's PostgreSQL, at the latest schema, with a pool as DREDGE makes it: each test gets
 * its own, so no test sees another's rows.
 */
export async function openPostgresDatabase(
  server: PostgresTestServer,
  overrides: Partial<DatabaseSettings> = {},
): Promise<{ pool: PostgresPool; url: string; close(): Promise<void> }> {
  const url = await server.createDatabase(`dredge_test_${process.pid}_${databases++}`);
  const pool = createPostgresPool(databaseSettings(url, overrides));
  await migrate(pool);
  return { pool, url, close: () => pool.end() };
}
