import type { DredgeConfig } from '../../config/index.js';
import type { RedisConfig } from '../redis/index.js';
import { ModelRegistry } from './model-registry.js';
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
}

export interface Store {
  readonly models: ModelRegistry;
  /** Insights lifted on the DREDGE server. */
  readonly insights: InsightStore;
  /** Results of finished tasks. */
  readonly taskResults: TaskResultStore;
  readonly backend: 'sqlite' | 'redis';
  close(): Promise<void>;
}

/**
 * The store STORE_BACKEND names: SQLite in DATA_DIR (embedded, the default), or Redis shared by replicas. Only
 * the chosen backend's modules (and its driver) are loaded.
 */
export async function createStore(config: StoreConfig): Promise<Store> {
  const { limits } = config;
  if (config.backend === 'redis') {
    const [{ createRedisClient, STORE }, { RedisInsightStore, RedisTaskResultStore }, { RedisModelStore }] =
      await Promise.all([
        import('../redis/index.js'),
        import('./redis/redis-records.js'),
        import('./redis/redis-model-store.js'),
      ]);
    // Its failures reach callers as 503 through the registry (see the STORE policy).
    const redis = createRedisClient(config.redis, STORE);
    return {
      models: new ModelRegistry(new RedisModelStore(redis), limits),
      insights: new RedisInsightStore(redis),
      taskResults: new RedisTaskResultStore(redis),
      backend: 'redis',
      close: async () => {
        redis.disconnect();
      },
    };
  }
  const [{ openDatabase }, { SqliteInsightStore, SqliteTaskResultStore }, { SqliteModelStore }] =
    await Promise.all([
      import('./sqlite/database.js'),
      import('./sqlite/sqlite-records.js'),
      import('./sqlite/sqlite-model-store.js'),
    ]);
  const db = openDatabase(config.dataDir);
  return {
    models: new ModelRegistry(new SqliteModelStore(db), limits),
    insights: new SqliteInsightStore(db),
    taskResults: new SqliteTaskResultStore(db),
    backend: 'sqlite',
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}
