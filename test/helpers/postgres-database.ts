import type { DatabaseSettings } from '../../src/config/index.js';
import { migrate } from '../../src/services/store/postgres/migrations.js';
import { PostgresModelStore } from '../../src/services/store/postgres/postgres-model-store.js';
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
): Promise<PostgresTestDatabase> {
  const url = await server.createDatabase(`dredge_test_${process.pid}_${databases++}`);
  const pool = createPostgresPool(databaseSettings(url, overrides));
  await migrate(pool);
  const stores: PostgresModelStore[] = [];
  return {
    pool,
    url,
    modelStore: (on = pool) => {
      const store = new PostgresModelStore(on, databaseSettings(url, overrides));
      stores.push(store);
      return store;
    },
    close: async () => {
      await Promise.all(stores.map((store) => store.close()));
      await pool.end();
    },
  };
}

export interface PostgresTestDatabase {
  /** The event loop's pool, as DREDGE makes it. */
  readonly pool: PostgresPool;
  readonly url: string;
  /** A model store on `on` (the database's pool by default) with a thread of its own; closed by `close`. */
  modelStore(on?: PostgresPool): PostgresModelStore;
  /** Closes the model stores made, then the pool. */
  close(): Promise<void>;
}
