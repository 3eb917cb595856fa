import pg from 'pg';
import type { DatabaseSettings } from '../../../config/index.js';

export type PostgresPool = pg.Pool;
export type PostgresClient = pg.PoolClient;
/** Where a single statement may run: the pool (any free connection) or one connection in a transaction. */
export type Queryable = pg.ClientBase | pg.Pool;

/** What a process calls itself to PostgreSQL (`pg_stat_activity.application_name`), so an operator can tell. */
const APPLICATION_NAME = 'dredge';

/** An idle connection is closed after this long, so a quiet replica holds few of the database's connections. */
const IDLE_TIMEOUT_MS = 30_000;

/**
 * The pool of one process: at most DATABASE_POOL_SIZE connections. Three deadlines keep a failing database from
 * holding a request: DATABASE_CONNECT_TIMEOUT for a connection (a new one, or a free one of a full pool), and
 * DATABASE_STATEMENT_TIMEOUT twice: the server cancels a statement running longer (`statement_timeout`), and the
 * client gives up on an answer that does not come (`query_timeout`: a database that hangs, or a network that drops
 * packets, never sends the cancellation's error). A connection that failed is discarded, not reused.
 */
export function createPostgresPool(settings: DatabaseSettings & { readonly url: string }): PostgresPool {
  const pool = new pg.Pool({
    connectionString: settings.url,
    max: settings.poolSize,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    idleTimeoutMillis: IDLE_TIMEOUT_MS,
    statement_timeout: settings.statementTimeoutMs,
    // A little later than the server's own, so a statement it cancels answers with its sentence first.
    query_timeout: settings.statementTimeoutMs + 1_000,
    application_name: APPLICATION_NAME,
    keepAlive: true,
  });
  // An idle connection that breaks (the database restarted) is reported here; it is removed from the pool, and
  // the next query opens a new one. Without a listener the error would end the process.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Runs `work` in one transaction on one connection of the pool: committed when it resolves, rolled back when it
 * rejects.
 */
export async function inTransaction<T>(
  pool: PostgresPool,
  work: (client: PostgresClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error) {
    // A connection that cannot even roll back (a timeout cut a statement short, the database went away) is in
    // doubt: it is discarded. One that rolled back (a refusal such as a full store) goes back to the pool.
    const rolledBack = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    client.release(!rolledBack);
    throw error;
  }
}

/**
 * DATABASE_POOL_SIZE shared between the event loop's pool (lookups, insights, tasks, keys, audit) and the store's
 * thread (model values): half each, the loop's the larger, so one process opens at most DATABASE_POOL_SIZE
 * connections.
 */
export function splitPoolSize<Settings extends DatabaseSettings>(
  settings: Settings,
): { readonly loop: Settings; readonly thread: Settings } {
  const thread = Math.max(1, Math.floor(settings.poolSize / 2));
  return {
    loop: { ...settings, poolSize: Math.max(1, settings.poolSize - thread) },
    thread: { ...settings, poolSize: thread },
  };
}
