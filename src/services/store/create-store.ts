import type { DredgeConfig } from '../../config/index.js';
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
  readonly backend: 'sqlite' | 'redis';
  close(): Promise<void>;
}

/**
 * The store STORE_BACKEND names: SQLite in DATA_DIR (embedded, the default), or Redis shared by replicas. Only
 * the chosen backend's modules (and its driver) are loaded.
 */
export async function createStore(config: StoreConfig): Promise<Store> {
  const { limits, insightLimits, quotas } = config;
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
