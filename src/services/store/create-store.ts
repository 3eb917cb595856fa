import type { DredgeConfig } from '../../config/index.js';
import type { RedisConfig } from '../redis/index.js';
import type { InsightLimits } from './insight-limits.js';
import { ModelRegistry } from './model-registry.js';
import type { PendingTaskStore } from './pending-tasks.js';
import type { InsightStore, TaskResultStore } from './records.js';
import type { RegistryLimits } from './registry-limits.js';

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
}

export interface Store {
  readonly models: ModelRegistry;
  /** Insights lifted on the DREDGE server. */
  readonly insights: InsightStore;
  /** Results of finished tasks. */
  readonly taskResults: TaskResultStore;
  /** Tasks a local engine accepted and has not finished (QUEUE_BACKEND=local), so they outlive the process. */
  readonly pendingTasks: PendingTaskStore;
  readonly backend: 'sqlite' | 'redis';
  close(): Promise<void>;
}

/**
 * The store STORE_BACKEND names: SQLite in DATA_DIR (embedded, the default), or Redis shared by replicas. Only
 * the chosen backend's modules (and its driver) are loaded.
 */
export async function createStore(config: StoreConfig): Promise<Store> {
  const { limits, insightLimits } = config;
  if (config.backend === 'redis') {
    const [
      { createRedisClient, STORE },
      { RedisInsightStore, RedisTaskResultStore },
      { RedisModelStore },
      { RedisPendingTaskStore },
    ] = await Promise.all([
      import('../redis/index.js'),
      import('./redis/redis-records.js'),
      import('./redis/redis-model-store.js'),
      import('./redis/redis-pending-tasks.js'),
    ]);
    // Its failures reach callers as 503 through the registry (see the STORE policy).
    const redis = createRedisClient(config.redis, STORE);
    return {
      models: new ModelRegistry(new RedisModelStore(redis), limits),
      insights: new RedisInsightStore(redis, insightLimits),
      taskResults: new RedisTaskResultStore(redis),
      pendingTasks: new RedisPendingTaskStore(redis),
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
  ] = await Promise.all([
    import('./sqlite/database.js'),
    import('./sqlite/sqlite-records.js'),
    import('./sqlite/sqlite-model-store.js'),
    import('./sqlite/sqlite-pending-tasks.js'),
  ]);
  const db = openDatabase(config.dataDir);
  const models = new SqliteModelStore(db);
  return {
    models: new ModelRegistry(models, limits),
    insights: new SqliteInsightStore(db, insightLimits),
    taskResults: new SqliteTaskResultStore(db),
    pendingTasks: new SqlitePendingTaskStore(db),
    backend: 'sqlite',
    close: async () => {
      // The store's thread first (the servers have answered every request by now; a write cut short rolls back).
      await models.close();
      db.close();
    },
  };
}
