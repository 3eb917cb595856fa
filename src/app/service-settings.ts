import type { DredgeConfig } from '../config/index.js';
import type { CacheConfig } from '../services/cache/index.js';
import type { TaskQueueConfig } from '../services/queue/index.js';
import type { RedisConfig } from '../services/redis/index.js';
import type { StoreConfig } from '../services/store/index.js';

/** Each service factory's part of the configuration. */
export interface ServiceSettings {
  readonly cache: CacheConfig;
  readonly store: StoreConfig;
  readonly tasks: TaskQueueConfig;
  /** Where rate-limit counters live: the deployment's Redis when any service uses it, so replicas count together. */
  readonly rateLimitRedis: RedisConfig | undefined;
}

/**
 * The configuration's groups mapped onto what each service reads, here and nowhere else, so that a factory gets
 * its own slice (as `createTelemetry(config.telemetry)` does) and the same Redis connection reaches every one.
 */
export function serviceSettings(config: DredgeConfig): ServiceSettings {
  return {
    cache: { ...config.cache, redis: config.redis, requestTimeoutMs: config.servers.requestTimeoutMs },
    store: {
      backend: config.storage.storeBackend,
      dataDir: config.storage.dataDir,
      redis: config.redis,
      database: config.storage.database,
      limits: {
        maxModels: config.compute.maxModels,
        maxParameters: config.compute.maxModelParameters,
        versionsKept: config.compute.modelVersionsKept,
      },
      insightLimits: {
        maxInsights: config.storage.maxInsights,
        maxBytes: config.storage.maxInsightBytes,
      },
      // Quotas per tenant only where there are tenants: without MULTI_TENANT_ENABLED the global bounds are all.
      quotas: config.security.multiTenant ? config.security.tenantQuotas : undefined,
    },
    tasks: {
      backend: config.storage.queueBackend,
      queue: config.queue,
      concurrency: config.workers.concurrency,
      redis: config.redis,
      maxWaitingPerTenant: config.security.multiTenant
        ? config.security.tenantQuotas.maxWaitingTasks
        : undefined,
    },
    rateLimitRedis: usesRedis(config) ? config.redis : undefined,
  };
}

function usesRedis(config: DredgeConfig): boolean {
  return (
    config.cache.backend === 'redis' ||
    config.storage.storeBackend === 'redis' ||
    config.storage.queueBackend === 'bullmq'
  );
}
