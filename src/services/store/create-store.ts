import type { DredgeConfig } from '../../config/index.js';
import type { ModelRegistry } from './model-registry.js';
import type { InsightStore, TaskResultStore } from './records.js';

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
export async function createStore(config: DredgeConfig): Promise<Store> {
  const limits = { maxModels: config.compute.maxModels, maxParameters: config.compute.maxModelParameters };
  if (config.storage.storeBackend === 'redis') {
    const [{ Redis }, { RedisInsightStore, RedisTaskResultStore }, { RedisModelRegistry }] =
      await Promise.all([
        import('ioredis'),
        import('./redis/redis-records.js'),
        import('./redis/redis-model-registry.js'),
      ]);
    const redis = new Redis(config.redis.url, {
      connectTimeout: config.redis.connectTimeoutMs,
      // A store command waits through a short outage; the request fails with 503 if Redis stays away.
      maxRetriesPerRequest: 2,
    });
    redis.on('error', () => undefined); // failures reach callers as 503 through the registry
    return {
      models: new RedisModelRegistry(redis, limits),
      insights: new RedisInsightStore(redis),
      taskResults: new RedisTaskResultStore(redis),
      backend: 'redis',
      close: async () => {
        redis.disconnect();
      },
    };
  }
  const [{ openDatabase }, { SqliteInsightStore, SqliteTaskResultStore }, { SqliteModelRegistry }] =
    await Promise.all([
      import('./sqlite/database.js'),
      import('./sqlite/sqlite-records.js'),
      import('./sqlite/sqlite-model-registry.js'),
    ]);
  const db = openDatabase(config.storage.dataDir);
  return {
    models: new SqliteModelRegistry(db, limits),
    insights: new SqliteInsightStore(db),
    taskResults: new SqliteTaskResultStore(db),
    backend: 'sqlite',
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}
