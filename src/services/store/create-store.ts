import type { DatabaseSettings, DredgeConfig } from '../../config/index.js';
import { DredgeError } from '../errors.js';
import type { RedisConfig } from '../redis/index.js';
import type { ApiKeyStore } from './api-keys.js';
import type { AuditStore } from './audit.js';
import type { InsightLimits } from './insight-limits.js';
import { ModelRegistry } from './model-registry.js';
import type { PendingTaskStore } from './pending-tasks.js';
import type { InsightStore, TaskResultStore } from './records.js';
import type { RegistryLimits } from './registry-limits.js';
import type { TenantQuotas } from './tenancy.js';

/** How often what the event loop wrote to SQLite is checkpointed (on the store's thread), when it wrote anything. */
const WAL_CHECKPOINT_INTERVAL_MS = 1_000;

/** What the store reads of the configuration; the app builds it once (`serviceSettings`). */
export interface StoreConfig {
  /** STORE_BACKEND. */
  readonly backend: DredgeConfig['storage']['storeBackend'];
  /** DATA_DIR, where the SQLite store lives. */
  readonly dataDir: string;
  /** The connection of STORE_BACKEND=redis. */
  readonly redis: RedisConfig;
  /** The connection of STORE_BACKEND=postgres (DATABASE_*). */
  readonly database: DatabaseSettings;
  /** MAX_MODELS and MAX_MODEL_PARAMETERS. */
  readonly limits: RegistryLimits;
  /** MAX_INSIGHTS and MAX_INSIGHT_BYTES. */
  readonly insightLimits: InsightLimits;
  /** TENANT_MAX_MODELS, TENANT_MAX_MODEL_PARAMETERS and TENANT_MAX_INSIGHTS; only with MULTI_TENANT_ENABLED. */
  readonly quotas?: TenantQuotas | undefined;
}

export interface Store {
  readonly models: ModelRegistry;
  /** Insights lifted on the DREDGE server. */
  readonly insights: InsightStore;
  /** Results of finished tasks. */
  readonly taskResults: TaskResultStore;
  /** Tasks a local engine accepted and has not finished (QUEUE_BACKEND=local), so they outlive the process. */
  readonly pendingTasks: PendingTaskStore;
  /** API keys, as the SHA-256 of their secrets (`dredge keys`). */
  readonly apiKeys: ApiKeyStore;
  /** Who did what, and how it ended: append-only, bounded by count and age (`dredge audit tail`). */
  readonly audit: AuditStore;
  readonly backend: StoreConfig['backend'];
  close(): Promise<void>;
}

/**
 * The store STORE_BACKEND names: SQLite in DATA_DIR (embedded, the default), Redis or PostgreSQL shared by
 * replicas. Only the chosen backend's modules (and its driver) are loaded.
 */
export async function createStore(config: StoreConfig): Promise<Store> {
  const { limits, insightLimits, quotas } = config;
  if (config.backend === 'postgres') return createPostgresStore(config);
  if (config.backend === 'redis') {
    const [
      { createRedisClient, STORE },
      { RedisInsightStore, RedisTaskResultStore },
      { RedisModelStore },
      { RedisPendingTaskStore },
      { RedisApiKeyStore },
      { RedisAuditStore },
    ] = await Promise.all([
      import('../redis/index.js'),
      import('./redis/redis-records.js'),
      import('./redis/redis-model-store.js'),
      import('./redis/redis-pending-tasks.js'),
      import('./redis/redis-api-keys.js'),
      import('./redis/redis-audit.js'),
    ]);
    // Its failures reach callers as 503 through the registry (see the STORE policy).
    const redis = createRedisClient(config.redis, STORE);
    return {
      models: new ModelRegistry(new RedisModelStore(redis), limits, quotas),
      insights: new RedisInsightStore(redis, insightLimits, undefined, quotas),
      taskResults: new RedisTaskResultStore(redis),
      pendingTasks: new RedisPendingTaskStore(redis),
      apiKeys: new RedisApiKeyStore(redis),
      audit: new RedisAuditStore(redis),
      backend: 'redis',
      close: async () => {
        redis.disconnect();
      },
    };
  }
  const [
    { openDatabase },
    { SqliteInsightStore, SqliteTaskResultStore },
    { SqliteModelStore },
    { SqlitePendingTaskStore },
    { SqliteApiKeyStore },
    { SqliteAuditStore },
    { LoopWrites },
  ] = await Promise.all([
    import('./sqlite/database.js'),
    import('./sqlite/sqlite-records.js'),
    import('./sqlite/sqlite-model-store.js'),
    import('./sqlite/sqlite-pending-tasks.js'),
    import('./sqlite/sqlite-api-keys.js'),
    import('./sqlite/sqlite-audit.js'),
    import('./sqlite/loop-writes.js'),
  ]);
  const db = openDatabase(config.dataDir);
  const models = new SqliteModelStore(db);
  const writes = new LoopWrites();
  // What the event loop wrote reaches the database file by a checkpoint on the store's thread, never on the loop.
  const checkpoints = setInterval(() => {
    if (writes.takeWrote()) models.checkpoint().catch(() => undefined);
  }, WAL_CHECKPOINT_INTERVAL_MS).unref();
  return {
    models: new ModelRegistry(models, limits, quotas),
    insights: new SqliteInsightStore(db, insightLimits, writes, quotas),
    taskResults: new SqliteTaskResultStore(db, writes),
    pendingTasks: new SqlitePendingTaskStore(db, writes),
    apiKeys: new SqliteApiKeyStore(db, writes),
    audit: new SqliteAuditStore(db, writes),
    backend: 'sqlite',
    close: async () => {
      clearInterval(checkpoints);
      // The store's thread first (the servers have answered every request by now; a write cut short rolls back).
      await models.close();
      db.close();
    },
  };
}

/**
 * The PostgreSQL store: one pool for every part, and the schema brought up to date before anything is served
 * (under an advisory lock, so replicas starting together migrate once). A database that cannot be reached at
 * start fails the start with a sentence; later failures reach callers as 503.
 */
async function createPostgresStore(config: StoreConfig): Promise<Store> {
  const { url } = config.database;
  if (!url) {
    throw new DredgeError(
      'unavailable',
      'STORE_BACKEND=postgres needs DATABASE_URL (or DATABASE_URL_FILE): the PostgreSQL database to keep models in.',
      { retryable: false },
    );
  }
  const [
    { createPostgresPool, splitPoolSize },
    { migrate },
    { PostgresModelStore },
    { PostgresInsightStore, PostgresTaskResultStore },
    { PostgresPendingTaskStore },
    { PostgresApiKeyStore },
    { PostgresAuditStore },
  ] = await Promise.all([
    import('./postgres/pool.js'),
    import('./postgres/migrations.js'),
    import('./postgres/postgres-model-store.js'),
    import('./postgres/postgres-records.js'),
    import('./postgres/postgres-pending-tasks.js'),
    import('./postgres/postgres-api-keys.js'),
    import('./postgres/postgres-audit.js'),
  ]);
  const { loop, thread } = splitPoolSize({ ...config.database, url });
  const pool = createPostgresPool(loop);
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end().catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    throw new DredgeError(
      'unavailable',
      `The PostgreSQL store (DATABASE_URL) could not be opened: ${reason}.`,
      { retryable: true },
    );
  }
  const { limits, insightLimits, quotas } = config;
  const models = new PostgresModelStore(pool, thread);
  return {
    models: new ModelRegistry(models, limits, quotas),
    insights: new PostgresInsightStore(pool, insightLimits, quotas),
    taskResults: new PostgresTaskResultStore(pool),
    pendingTasks: new PostgresPendingTaskStore(pool),
    apiKeys: new PostgresApiKeyStore(pool),
    audit: new PostgresAuditStore(pool),
    backend: 'postgres',
    close: async () => {
      await models.close();
      await pool.end();
    },
  };
}
